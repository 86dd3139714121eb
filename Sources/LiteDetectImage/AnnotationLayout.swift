/// Where one annotation's pieces go on an image of a given size.
///
/// The label (a filled tag in the class colour with the caption in black or white, whichever
/// contrasts more) sits on top of the box, left-aligned with it. When there is no room above,
/// it flips inside the box, under the top edge; it is then shifted to stay within the image
/// horizontally and vertically, and its font scale is reduced if even that cannot fit it.
public struct AnnotationLayout: Sendable, Equatable {
    /// The box outline's outer rectangle, inside the image.
    public var box: PixelRect
    public var lineWidth: Int
    /// The filled label tag, inside the image whenever the image is at least as large as the tag.
    public var label: PixelRect
    public var caption: String
    /// Top-left corner of the caption's first glyph cell.
    public var textX: Int
    public var textY: Int
    public var textScale: Int
    public var boxColor: RGBColor
    public var textColor: RGBColor

    public init(_ annotation: BoxAnnotation, imageWidth: Int, imageHeight: Int, style: AnnotationStyle = AnnotationStyle()) {
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
        let text = annotation.caption
        caption = text
        boxColor = style.palette.color(forClass: annotation.classID)
        textColor = boxColor.contrastingTextColor

        var scale = style.resolvedTextScale(imageWidth: imageWidth, imageHeight: imageHeight)
        func tagSize(_ scale: Int) -> (width: Int, height: Int) {
            // One font pixel of padding above and below, two on each side.
            (BitmapFont.width(of: text) * scale + 4 * scale, BitmapFont.glyphHeight * scale + 2 * scale)
        }
        while scale > 1 && (tagSize(scale).width > imageWidth || tagSize(scale).height > imageHeight) { scale -= 1 }
        textScale = scale
        let (tagWidth, tagHeight) = tagSize(scale)

        var tagY = box.y - tagHeight  // above the box
        if tagY < 0 { tagY = box.y }  // no room: flip inside, under the top edge
        tagY = max(0, min(tagY, imageHeight - tagHeight))
        let tagX = max(0, min(box.x, imageWidth - tagWidth))
        label = PixelRect(x: tagX, y: tagY, width: tagWidth, height: tagHeight)
        textX = tagX + 2 * scale
        textY = tagY + scale
    }
}
