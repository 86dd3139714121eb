import Foundation
import LiteDetectBackbones
import LiteDetectModels

/// The models LiteDetect knows by name: the configs bundled with the package (`Configs/models`).
public enum ModelCatalog {
    /// The model `detect` runs when none is named: the real 90-class COCO detector.
    public static let defaultModelName = "ssd300-mobilenetv2-coco"

    /// The real (not student) model each backbone runs with `--backbone`, where there is one: trained
    /// on a full dataset by its authors and imported, rather than distilled here on one street.
    package static let realModelNames: [BackboneName: String] = [
        .mobileNetV2: defaultModelName,
        .mobileNetV1: "ssd300-mobilenetv1-voc",
    ]

    /// Names of the bundled configs, sorted.
    public static var bundledNames: [String] {
        guard let directory = BundledModels.directory?.appendingPathComponent("models"),
            let files = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Loads a config by bundled name, or from a path (anything with a `/` or ending in `.json`).
    public static func config(named nameOrPath: String) throws(ConfigError) -> ModelConfig {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".json") {
            return try ModelConfig.load(contentsOf: nameOrPath)
        }
        guard let directory = BundledModels.directory, bundledNames.contains(nameOrPath) else {
            throw .unknownModel(name: nameOrPath, available: bundledNames)
        }
        return try ModelConfig.load(contentsOf: directory.appendingPathComponent("models/\(nameOrPath).json").path)
    }

    /// The bundled config built on `backbone`: its real model (`realModelNames`) if bundled, else
    /// its COCO student (`ssdlite320-<backbone>-coco`), else another model with trained weights (the
    /// person student), else the untrained layout.
    public static func config(for backbone: BackboneName) throws(ConfigError) -> ModelConfig {
        var candidates: [ModelConfig] = []
        for name in bundledNames {
            let config = try self.config(named: name)
            if config.backbone.name == backbone { candidates.append(config) }
        }
        if let best = candidates.first(where: { $0.name == realModelNames[backbone] }) { return best }
        if let coco = candidates.first(where: { $0.name == "ssdlite320-\(backbone.rawValue)-coco" && $0.weights != nil }) { return coco }
        if let trained = candidates.first(where: { $0.weights != nil }) { return trained }
        if let any = candidates.first { return any }
        throw .unknownModel(name: "a model on \(backbone)", available: bundledNames)
    }
}
