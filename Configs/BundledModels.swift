import Foundation

/// Locates the model configs and weights that ship inside the package (this folder, `Configs/`,
/// is also the `LiteDetectModels` target so they travel with the library and the `detect` binary).
public enum BundledModels {
    /// Name of the resource bundle SwiftPM builds for this target, next to the executable.
    static let bundleName = "LiteDetect_LiteDetectModels.resources"

    /// The directory holding `models/` and `weights/`, or `nil` when the bundle cannot be found
    /// (a binary copied away from its build folder). `LITEDETECT_RESOURCES` overrides the search.
    public static var directory: URL? {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["LITEDETECT_RESOURCES"] {
            candidates.append(URL(fileURLWithPath: override))
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent(bundleName))
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent(bundleName))
        }
        for bundle in Bundle.allBundles {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent(bundleName))
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("models").path) }
    }
}
