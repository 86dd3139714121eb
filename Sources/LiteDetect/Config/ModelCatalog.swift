import Foundation
import LiteDetectBackbones

/// A folder of model configs looked up by name: `<directory>/models/<name>.json`, whose weights
/// paths are relative to the config. The models that ship with LiteDetect are one such catalog
/// (`ModelCatalog.bundled`, in the `LiteDetectModels` product); your own folder is another.
public struct ModelCatalog: Sendable, Hashable {
    /// The folder holding `models/` (and, by convention, `weights/`).
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    private var modelsDirectory: URL { directory.appendingPathComponent("models") }

    /// The names of the catalog's configs, sorted; empty when the folder cannot be listed.
    public var names: [String] {
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: modelsDirectory.path) else { return [] }
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Loads the config called `name` (a name, not a path: `ModelConfig.load(contentsOf:)` reads a file).
    public func config(named name: String) throws(ConfigError) -> ModelConfig {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: modelsDirectory.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw .unreadable(file: modelsDirectory.path, reason: "no such folder, so no model '\(name)'")
        }
        let available = names
        guard available.contains(name) else { throw .unknownModel(name: name, available: available) }
        return try ModelConfig.load(contentsOf: modelsDirectory.appendingPathComponent("\(name).json").path)
    }

    /// Every config of the catalog built on `backbone`, in name order.
    public func configs(on backbone: BackboneName) throws(ConfigError) -> [ModelConfig] {
        var found: [ModelConfig] = []
        for name in names {
            let config = try config(named: name)
            if config.backbone.name == backbone { found.append(config) }
        }
        return found
    }
}
