import LiteDetect

/// The options a request may set, from its query string or (multipart) form fields, each checked:
/// `model`, `score_threshold`, `iou_threshold`, `max_detections`, `classes` (labels, comma-separated).
struct DetectionParameters: Sendable {
    var model: String?
    var scoreThreshold: Float?
    var iouThreshold: Double?
    var maxDetections: Int?
    var classes: [String]?

    /// Parses the fields it knows; unknown names are refused, so a typo is not silently ignored.
    init(_ fields: [(name: String, value: String)], allowed extra: Set<String> = []) throws(APIError) {
        for (name, value) in fields {
            switch name {
            case "model": model = value
            case "score_threshold": scoreThreshold = try Self.fraction(name, value).map(Float.init)
            case "iou_threshold": iouThreshold = try Self.fraction(name, value)
            case "max_detections":
                guard let n = Int(value), (1...10_000).contains(n) else {
                    throw .badParameter(name, "must be an integer in 1…10000, got \"\(value.prefix(32))\"")
                }
                maxDetections = n
            case "classes":
                classes = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            default:
                guard extra.contains(name) else {
                    throw .badParameter(
                        name.prefix(64).description, "unknown parameter (known: model, score_threshold, iou_threshold, max_detections, classes)")
                }
            }
        }
    }

    static func fraction(_ name: String, _ value: String) throws(APIError) -> Double? {
        guard let number = Double(value), number.isFinite, (0...1).contains(number) else {
            throw .badParameter(name, "must be a number in [0, 1], got \"\(value.prefix(32))\"")
        }
        return number
    }

    /// The detector asked for (404 when the server has no such model) and the options for it
    /// (400 for a class the model does not know).
    func resolve(in models: ServedModels) throws(APIError) -> (Detector, DetectionOptions) {
        let detector: Detector
        if let model {
            guard let found = models.detector(named: model) else {
                throw APIError(
                    .notFound, code: "unknown_model",
                    "no model \"\(model.prefix(64))\" on this server (it serves: \(models.names.joined(separator: ", ")))")
            }
            detector = found
        } else {
            detector = models.defaultDetector
        }
        var options = DetectionOptions(
            scoreThreshold: scoreThreshold ?? detector.config.postprocess.detectThreshold ?? 0.5,
            iouThreshold: iouThreshold, maxDetections: maxDetections)
        if let classes, !classes.isEmpty {
            do {
                options.classIDs = try detector.classIDs(forLabels: classes)
            } catch {
                throw APIError(.badRequest, code: "unknown_class", "\(error.localizedDescription)")
            }
        }
        return (detector, options)
    }
}
