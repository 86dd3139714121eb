/// A detection to draw: a box in image pixel coordinates (pixel edges: the whole image is
/// `0, 0, width, height`), its class id (for the colour) and its label.
package struct BoxAnnotation: Sendable, Equatable {
    package var xMin: Double
    package var yMin: Double
    package var xMax: Double
    package var yMax: Double
    package var classID: Int
    /// Class name, e.g. "person".
    package var label: String
    /// Confidence in 0...1, shown with two decimals after the label; nil shows the label alone.
    package var score: Float?

    package init(xMin: Double, yMin: Double, xMax: Double, yMax: Double, classID: Int, label: String, score: Float? = nil) {
        self.xMin = xMin
        self.yMin = yMin
        self.xMax = xMax
        self.yMax = yMax
        self.classID = classID
        self.label = label
        self.score = score
    }

    /// The caption drawn on the label, e.g. "person 0.97".
    package var caption: String {
        guard let score else { return label }
        let hundredths = Int((min(max(score, 0), 1) * 100).rounded())
        let fraction = hundredths % 100
        return "\(label) \(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
