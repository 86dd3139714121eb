import Foundation
import LiteDetectBackbones
import LiteDetectNN
import LiteDetectSupport

/// A detection model described in a `Configs/` JSON file: which network, how images are prepared
/// for it, how its outputs become boxes, its labels and its weights. See `Configs/README.md`.
public struct ModelConfig: Sendable, Equatable, Decodable {
    public var name: String
    public var description: String
    package var backbone: BackboneConfiguration
    public var input: InputConfig
    package var network: NetworkConfig
    package var anchors: AnchorConfig
    package var boxCoder: BoxCoderConfig
    package var scores: ScoreConfig
    public var postprocess: PostprocessConfig
    /// One label per class column, background included (`labels[0]`).
    public var labels: [String]
    /// The class id each column reports, background first (`class_ids` in the file); `nil`: the
    /// column index. A student that learns a few of COCO's classes keeps COCO's ids this way
    /// (columns 1, 2, 3 reporting 1, 3, 18) instead of a head with 91 columns.
    public var classIDs: [Int]?
    /// Weights file relative to the config's directory, or `nil` for a model without trained weights.
    public var weights: String?
    /// Where the weights came from and under which licence (shown by `detect models`).
    public var provenance: String?
    /// Measured accuracy, if any (shown by `detect models`).
    public var accuracy: AccuracyConfig?
    /// The directory the config was loaded from (weights paths are relative to it).
    public var directory: String = ""

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, backbone, input, network, anchors
        case boxCoder = "box_coder"
        case scores, postprocess, labels
        case classIDs = "class_ids"
        case weights, provenance, accuracy
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        backbone = try c.decode(BackboneSection.self, forKey: .backbone).configuration
        input = try c.decode(InputConfig.self, forKey: .input)
        network = try c.decode(NetworkConfig.self, forKey: .network)
        anchors = try c.decode(AnchorConfig.self, forKey: .anchors)
        boxCoder = try c.decode(BoxCoderConfig.self, forKey: .boxCoder)
        scores = try c.decode(ScoreConfig.self, forKey: .scores)
        postprocess = try c.decode(PostprocessConfig.self, forKey: .postprocess)
        labels = try c.decode([String].self, forKey: .labels)
        classIDs = try c.decodeIfPresent([Int].self, forKey: .classIDs)
        weights = try c.decodeIfPresent(String.self, forKey: .weights)
        provenance = try c.decodeIfPresent(String.self, forKey: .provenance)
        accuracy = try c.decodeIfPresent(AccuracyConfig.self, forKey: .accuracy)
        guard labels.count >= 2 else { throw decoder.invalid(CodingKeys.labels, "needs the background label and at least one class") }
        // Every label is a class column of every head, so an absurd list would make the head
        // alone gigabytes: refused here rather than failing an allocation (LVIS has 1203 classes).
        guard labels.count <= Self.maxClassColumns else {
            throw decoder.invalid(CodingKeys.labels, "\(labels.count) labels; at most \(Self.maxClassColumns) class columns are supported")
        }
        if let problem = classIDsProblem { throw decoder.invalid(CodingKeys.classIDs, problem) }
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw decoder.invalid(CodingKeys.name, "use letters, digits, '-', '_' and '.' only")
        }
        do { try backbone.validate() } catch { throw decoder.invalid(CodingKeys.backbone, "\(error)") }
        let levels = 2 + network.extraLayers.count
        if let count = anchors.levelCount, count != levels {
            throw decoder.invalid(
                CodingKeys.anchors,
                "describes \(count) feature levels but the network has \(levels) (2 backbone taps + \(network.extraLayers.count) extra layers)")
        }
    }

    /// Most labels (class columns, background included) a config may list.
    public static let maxClassColumns = 10_000

    /// Largest id `class_ids` may give a class.
    public static let maxClassID = 1_000_000

    /// Class columns the network predicts (background included).
    public var classColumns: Int { labels.count }

    /// What is wrong with `classIDs`, if anything: one id per label, distinct, in 0...`maxClassID`.
    /// Checked when a file is decoded and again by `Detector` (a config built in code skips the decoder).
    public var classIDsProblem: String? {
        guard let classIDs else { return nil }
        guard classIDs.count == labels.count else {
            return "has \(classIDs.count) entries for \(labels.count) labels (one per label, background first)"
        }
        guard classIDs.allSatisfy({ (0...Self.maxClassID).contains($0) }) else { return "ids must lie in 0...\(Self.maxClassID)" }
        guard Set(classIDs).count == classIDs.count else { return "repeats an id" }
        return nil
    }

    /// The class id a column's detections report (`class_ids`, or the column itself).
    public func classID(ofColumn column: Int) -> Int { classIDs?[column] ?? column }

    /// Every class id and its label, background excluded, in column order.
    public var labelsByClassID: [(classID: Int, label: String)] {
        labels.indices.dropFirst().map { (classID(ofColumn: $0), labels[$0]) }
    }

    /// The classes the model detects, by label: every column but the background and the columns
    /// a dataset left unused ("N/A", as COCO's ids 12, 26, 29, … in torchvision and TF models).
    public var classNames: [String] { labels.dropFirst().filter { $0 != "N/A" } }

    package var architecture: DetectionArchitecture {
        DetectionArchitecture(
            backbone: backbone, extraLayers: network.extraLayers, extraBlock: network.extraBlock,
            extraActivation: network.extraActivation, head: network.head, headKernel: network.headKernel,
            anchorsPerLevel: anchors.anchorsPerLocation(levels: 2 + network.extraLayers.count), classColumns: classColumns,
            padding: network.padding, headBatchNormEpsilon: network.headBatchNormEpsilon, batchNorm: network.batchNorm)
    }

    /// The absolute path of the weights file, if the model has one.
    public var weightsPath: String? {
        weights.map { $0.hasPrefix("/") ? $0 : URL(fileURLWithPath: directory).appendingPathComponent($0).path }
    }

    // MARK: Loading

    /// Parses a config file; errors name the file and the offending key.
    /// Only regular files are read (a FIFO would block until a writer appears, `/dev/zero` never
    /// ends), and their size is checked before reading.
    public static func load(contentsOf path: String) throws(ConfigError) -> ModelConfig {
        let data: Data
        do { data = try RegularFile.contents(of: path, maxBytes: 16 << 20, as: Data.self) } catch {
            throw .unreadable(file: path, reason: error.kind == .tooLarge ? "\(error.reason) for a config" : error.reason)
        }
        var config = try parse(data, name: path)
        config.directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return config
    }

    public static func parse(_ data: Data, name: String) throws(ConfigError) -> ModelConfig {
        // Parsed once, strictly (a repeated key, a syntax error's line and column), then mapped
        // onto the types from the parsed value.
        let value: JSONValue
        do { value = try JSONParser.parse(data) } catch {
            if error.isRepeatedKey { throw .duplicateKey(file: name, key: error.path) }
            throw .invalidJSON(file: name, reason: error.description)
        }
        return try decode(value, name: name)
    }

    private static func decode(_ value: JSONValue, name: String) throws(ConfigError) -> ModelConfig {
        do {
            return try JSONValueDecoder().decode(ModelConfig.self, from: value)
        } catch let error as UnknownKeyError {
            throw .unknownKey(file: name, key: error.path, valid: error.valid)
        } catch let error as InvalidValueError {
            throw .invalidValue(file: name, key: error.path, problem: error.problem)
        } catch let DecodingError.keyNotFound(key, context) {
            throw .missingKey(file: name, key: (context.codingPath + [key]).dottedPath)
        } catch let DecodingError.typeMismatch(type, context) {
            throw .wrongType(file: name, key: context.codingPath.dottedPath, expected: describe(type))
        } catch let DecodingError.valueNotFound(type, context) {
            throw .wrongType(file: name, key: context.codingPath.dottedPath, expected: describe(type))
        } catch let DecodingError.dataCorrupted(context) {
            if context.codingPath.isEmpty { throw .invalidJSON(file: name, reason: context.debugDescription) }
            throw .invalidValue(file: name, key: context.codingPath.dottedPath, problem: context.debugDescription)
        } catch {
            throw .invalidJSON(file: name, reason: "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is Bool.Type: return "true or false"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "a list" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "a \(name)"
        }
    }
}

/// The `backbone` section: a canonical name and the family's size options.
struct BackboneSection: Decodable {
    var configuration: BackboneConfiguration

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, width, groups, scale
        case reducedTail = "reduced_tail"
        case batchNormEpsilon = "batch_norm_epsilon"
    }

    init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let rawName = try c.decode(String.self, forKey: .name)
        let name: BackboneName
        do { name = try BackboneName(validating: rawName) } catch { throw decoder.invalid(CodingKeys.name, "\(error)") }
        configuration = BackboneConfiguration(
            name, width: try c.decodeIfPresent(Double.self, forKey: .width) ?? 1,
            reducedTail: try c.decodeIfPresent(Bool.self, forKey: .reducedTail) ?? false,
            groups: try c.decodeIfPresent(Int.self, forKey: .groups) ?? 3,
            scale: try c.decodeIfPresent(Double.self, forKey: .scale) ?? 1,
            batchNormEpsilon: try c.decodeIfPresent(Double.self, forKey: .batchNormEpsilon))
    }
}
