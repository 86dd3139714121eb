/// A detection to draw: a box in image pixel coordinates (pixel edges: the whole image is
/// `0, 0, width, height`), its class id (for the colour) and its label.
public struct BoxAnnotation: Sendable, Equatable {
    public var xMin: Double
    public var yMin: Double
    public var xMax: Double
    public var yMax: Double
    public var classID: Int
    /// Class name, e.g. "person".
    public var label: String
    /// Confidence in 0...1, shown with two decimals after the label; nil shows the label alone.
    public var score: Float?

    public init(xMin: Double, yMin: Double, xMax: Double, yMax: Double, classID: Int, label: String, score: Float? = nil) {
        self.xMin = xMin
        self.yMin = yMin
        self.xMax = xMax
        self.yMax = yMax
        self.classID = classID
        self.label = label
        self.score = score
    }

    /// The caption drawn on the label, e.g. "person 0.97".
    public var caption: String {
        guard let score else { return label }
        let hundredths = Int((min(max(score, 0), 1) * 100).rounded())
        let fraction = hundredths % 100
        return "\(label) \(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
