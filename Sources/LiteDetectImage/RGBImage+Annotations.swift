extension RGBImage {
    /// Draws every annotation: all boxes first, then all labels, so no box line crosses a label.
    public mutating func draw(_ annotations: [BoxAnnotation], style: AnnotationStyle = AnnotationStyle()) {
        let layouts = annotations.map { AnnotationLayout($0, imageWidth: width, imageHeight: height, style: style) }
        for layout in layouts {
            stroke(layout.box, lineWidth: layout.lineWidth, color: layout.boxColor)
        }
        for layout in layouts {
            fill(layout.label, color: layout.boxColor)
            draw(text: layout.caption, x: layout.textX, y: layout.textY, scale: layout.textScale, color: layout.textColor)
        }
    }
}
