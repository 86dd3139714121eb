import Foundation
import LiteDetect

/// The model configs and weights that ship with LiteDetect (this folder, `Configs/`, is the
/// `LiteDetectModels` target): an optional product, so that an app which brings its own model
/// does not carry them.
extension ModelCatalog {
    /// The bundled models. `LITEDETECT_RESOURCES` (a folder holding `models/` and `weights/`)
    /// replaces them, e.g. for a binary installed without its resource bundle.
    ///
    /// When the bundle cannot be found, the catalog names where it should have been, so that
    /// loading a model says which folder is missing.
    public static let bundled = ModelCatalog(
        directory: bundledDirectory ?? Bundle.main.bundleURL.appendingPathComponent("LiteDetect_LiteDetectModels.resources"))

    /// The model `detect` runs when none is named: the real 90-class COCO detector.
    public static let defaultModelName = "ssd300-mobilenetv2-coco"

    /// The real (not student) model each backbone runs with `--backbone`, where there is one: trained
    /// on a full dataset by its authors and imported, rather than distilled here.
    package static let realModelNames: [BackboneName: String] = [
        .mobileNetV2: defaultModelName,
        .mobileNetV1: "ssd300-mobilenetv1-voc",
    ]

    /// The bundled model to run on `backbone`: its real model (`realModelNames`), else its COCO
    /// student (`ssdlite320-<backbone>-coco`), else another model with trained weights (in a
    /// catalog that `LITEDETECT_RESOURCES` points at), else the untrained layout.
    public static func bundledModel(for backbone: BackboneName) throws(ConfigError) -> ModelConfig {
        let candidates = try bundled.configs(on: backbone)
        if let best = candidates.first(where: { $0.name == realModelNames[backbone] }) { return best }
        if let coco = candidates.first(where: { $0.name == "ssdlite320-\(backbone.rawValue)-coco" && $0.weights != nil }) { return coco }
        if let trained = candidates.first(where: { $0.weights != nil }) { return trained }
        if let any = candidates.first { return any }
        throw .unknownModel(name: "a model on \(backbone)", available: bundled.names)
    }

    /// A bundled model by name, or a config file by path (anything with a `/` or ending in
    /// `.json`): how `detect --model` reads its argument.
    package static func config(nameOrPath: String) throws(ConfigError) -> ModelConfig {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".json") { return try ModelConfig.load(contentsOf: nameOrPath) }
        return try bundled.config(named: nameOrPath)
    }

    /// Where SwiftPM put this target's resources.
    ///
    /// Not `Bundle.module`: on Linux its generated accessor calls `fatalError` when the bundle is
    /// missing (a binary copied away from its build folder), and a library must report that, not
    /// crash. The bundle is found by its suffix, since its prefix is the depending package's
    /// identity for this package (`litedetect_…`, `main_…`), which this code cannot know.
    private static var bundledDirectory: URL? {
        if let override = ProcessInfo.processInfo.environment["LITEDETECT_RESOURCES"] {
            return URL(fileURLWithPath: override)
        }
        var folders: [URL] = [Bundle.main.bundleURL]
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            folders.append(executable.deletingLastPathComponent())
        }
        folders += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        for folder in folders {
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            for entry in entries.sorted() where entry.hasSuffix("_LiteDetectModels.resources") {
                let candidate = folder.appendingPathComponent(entry)
                if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("models").path) { return candidate }
            }
        }
        return nil
    }
}

extension Detector {
    /// Loads the bundled model called `name` (`ModelCatalog.bundled.names`).
    public convenience init(
        model name: String = ModelCatalog.defaultModelName, weights: WeightsChoice = .configured,
        precision: KernelPrecision = .float32
    ) throws {
        try self.init(config: ModelCatalog.bundled.config(named: name), weights: weights, precision: precision)
    }
}
