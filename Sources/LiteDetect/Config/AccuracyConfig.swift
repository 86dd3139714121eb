/// How well a model detects, as measured where it was made (`"accuracy"` in a config): what
/// `detect models` reports next to its cost. Only numbers someone ran belong here; the students
/// get theirs from `Tools/train/evaluate_coco_students.py --record`.
public struct AccuracyConfig: Sendable, Equatable, Decodable {
    /// COCO AP@[.5:.95] and AP@.5 (`detect eval`).
    public var averagePrecision: Double
    public var averagePrecision50: Double
    /// On what, against which labels, measured when (one line, shown by `detect models NAME`).
    public var measuredOn: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case averagePrecision = "AP"
        case averagePrecision50 = "AP50"
        case measuredOn = "measured_on"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        averagePrecision = try c.decode(Double.self, forKey: .averagePrecision)
        averagePrecision50 = try c.decode(Double.self, forKey: .averagePrecision50)
        measuredOn = try c.decode(String.self, forKey: .measuredOn)
        for (key, value) in [(CodingKeys.averagePrecision, averagePrecision), (.averagePrecision50, averagePrecision50)]
        where !(0...1).contains(value) {
            throw decoder.invalid(key, "must lie in 0...1")
        }
        guard !measuredOn.isEmpty else { throw decoder.invalid(CodingKeys.measuredOn, "must say what was measured") }
    }
}
