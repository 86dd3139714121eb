extension RGBImage {
    /// Draws the annotations of one image, laid out together by
    /// `AnnotationLayout.layouts(for:imageWidth:imageHeight:style:)` so that labels do not cover
    /// each other. All boxes are drawn first, then all labels, so no box line crosses a label.
    /// Both go from the lowest score to the highest, so where something has to overlap, the more
    /// confident detection is on top.
    package mutating func draw(_ annotations: [BoxAnnotation], style: AnnotationStyle = AnnotationStyle()) {
        let layouts = AnnotationLayout.layouts(for: annotations, imageWidth: width, imageHeight: height, style: style)
        let order = AnnotationLayout.placementOrder(annotations).reversed()
        for index in order {
            let layout = layouts[index]
            stroke(layout.box, lineWidth: layout.lineWidth, color: layout.boxColor, style: layout.lineStyle)
        }
        for index in order {
            let layout = layouts[index]
            fill(layout.label, color: layout.boxColor)
            draw(text: layout.caption, x: layout.textX, y: layout.textY, scale: layout.textScale, color: layout.textColor)
        }
    }
}
