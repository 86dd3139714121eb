/// How annotations look. Sizes left nil scale with the image, so a label is as legible on a
/// 100-pixel thumbnail as on a 4K frame:
///
/// | image | line width | text scale | caption cap height | tag height |
/// |---|---|---|---|---|
/// | 100 × 100 | 2 | 1 | 7 px | 11 px |
/// | 640 × 480 | 2 | 2 | 14 px | 22 px |
/// | 1920 × 1080 | 4 | 4 | 28 px | 44 px |
/// | 3840 × 2160 | 9 | 7 | 49 px | 77 px |
package struct AnnotationStyle: Sendable, Equatable {
    /// Box outline thickness in pixels. nil: 0.4% of the shorter image side, at least 2.
    package var lineWidth: Int?
    /// Font scale: each font pixel becomes scale × scale. nil: the shorter side / 300, at least 1,
    /// which makes capitals about 2.3% of the shorter side.
    package var textScale: Int?
    package var palette: ClassPalette

    package init(lineWidth: Int? = nil, textScale: Int? = nil, palette: ClassPalette = .okabeIto) {
        self.lineWidth = lineWidth
        self.textScale = textScale
        self.palette = palette
    }

    package func resolvedLineWidth(imageWidth: Int, imageHeight: Int) -> Int {
        lineWidth.map { max(1, $0) } ?? max(2, Int((Double(min(imageWidth, imageHeight)) * 0.004).rounded()))
    }

    package func resolvedTextScale(imageWidth: Int, imageHeight: Int) -> Int {
        textScale.map { max(1, $0) } ?? max(1, Int((Double(min(imageWidth, imageHeight)) / 300).rounded()))
    }
}
