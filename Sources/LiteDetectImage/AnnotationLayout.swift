/// Where one annotation's pieces go on an image of a given size. Build these with
/// `AnnotationLayout.layouts(for:imageWidth:imageHeight:style:)`: it lays out all the labels of an
/// image together, so that they do not cover each other.
///
/// The label is a tag filled with the class colour. The caption on it is black or white,
/// whichever contrasts more. Its font scale comes from `AnnotationStyle`, lowered for a tag that
/// would be taller than the image. Lowering it for width stops at half the style's scale, because
/// text smaller than that would not match the other labels and could be hard to read. A caption
/// still wider than the image at that scale is shortened and ends in "...".
package struct AnnotationLayout: Sendable, Equatable {
    /// The box outline's outer rectangle, inside the image.
    package var box: PixelRect
    package var lineWidth: Int
    package var lineStyle: LineStyle
    /// The filled label tag. It is inside the image whenever the image is at least as tall as the
    /// tag and at least 4 font pixels wide.
    package var label: PixelRect
    /// The text drawn on the label: the annotation's caption, shortened with "..." when needed.
    package var caption: String
    /// Top-left corner of the caption's first glyph cell.
    package var textX: Int
    package var textY: Int
    package var textScale: Int
    package var boxColor: RGBColor
    package var textColor: RGBColor

    /// The layout of `annotation` with its label at the image's top-left corner. The joint layout
    /// then moves the label to its place.
    init(unplaced annotation: BoxAnnotation, imageWidth: Int, imageHeight: Int, style: AnnotationStyle) {
        precondition(imageWidth > 0 && imageHeight > 0)
        func clamp(_ value: Double, _ upper: Int) -> Int {
            guard value.isFinite else { return 0 }
            return Int(min(max(value, 0), Double(upper)))
        }
        // Pixel edges to whole pixels: cover every pixel the box touches, at least one.
        let x0 = min(clamp(annotation.xMin.rounded(.down), imageWidth), imageWidth - 1)
        let y0 = min(clamp(annotation.yMin.rounded(.down), imageHeight), imageHeight - 1)
        let x1 = max(clamp(annotation.xMax.rounded(.up), imageWidth), x0 + 1)
        let y1 = max(clamp(annotation.yMax.rounded(.up), imageHeight), y0 + 1)
        box = PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
        lineWidth = style.resolvedLineWidth(imageWidth: imageWidth, imageHeight: imageHeight)
        lineStyle = style.palette.lineStyle(forClass: annotation.classID)
        boxColor = style.palette.color(forClass: annotation.classID)
        textColor = boxColor.contrastingTextColor

        let fitted = Self.fit(
            annotation.caption, scale: style.resolvedTextScale(imageWidth: imageWidth, imageHeight: imageHeight),
            imageWidth: imageWidth, imageHeight: imageHeight)
        caption = fitted.text
        textScale = fitted.scale
        let size = Self.tagSize(of: fitted.text, scale: fitted.scale)
        label = PixelRect(x: 0, y: 0, width: size.width, height: size.height)
        textX = 2 * fitted.scale
        textY = fitted.scale
    }

    /// Puts the label, and the caption with it, at `rect`'s position.
    mutating func moveLabel(to rect: PixelRect) {
        label = rect
        textX = rect.x + 2 * textScale
        textY = rect.y + textScale
    }

    /// Tag size in pixels: the text plus one font pixel of padding above and below, two on each side.
    static func tagSize(of text: String, scale: Int) -> (width: Int, height: Int) {
        ((BitmapFont.width(of: text) + 4) * scale, (BitmapFont.glyphHeight + 2) * scale)
    }

    /// The text and font scale for `caption`. The scale is lowered until the tag is no taller than
    /// the image, and then, for width, no lower than half of `scale`. Past that the caption is cut
    /// and ends in "..." (or, on an image too narrow even for that, is just cut).
    static func fit(_ caption: String, scale preferred: Int, imageWidth: Int, imageHeight: Int) -> (text: String, scale: Int) {
        var scale = max(1, preferred)
        while scale > 1 && tagSize(of: caption, scale: scale).height > imageHeight { scale -= 1 }
        let widthFloor = max(1, min(scale, (preferred + 1) / 2))
        while scale > widthFloor && tagSize(of: caption, scale: scale).width > imageWidth { scale -= 1 }
        if tagSize(of: caption, scale: scale).width <= imageWidth { return (caption, scale) }

        let columns = imageWidth / scale - 4  // font columns available for text
        let ellipsis = "..."
        let scalars = Array(caption.unicodeScalars)
        func prefix(_ count: Int) -> String {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[..<count])
            // No space before the ellipsis: "traffic..." rather than "traffic ...".
            while view.last == " " { view.removeLast() }
            return String(view)
        }
        var count = scalars.count - 1
        while count > 0 && BitmapFont.width(of: prefix(count) + ellipsis) > columns { count -= 1 }
        if count > 0 || BitmapFont.width(of: ellipsis) <= columns { return (prefix(count) + ellipsis, scale) }
        // Not even "..." fits: as many characters as fit, perhaps none.
        count = max(0, min(scalars.count, (columns + 1) / BitmapFont.advance))
        return (prefix(count), scale)
    }
}
