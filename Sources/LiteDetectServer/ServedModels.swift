import LiteDetect

/// The detectors a server answers with, by model name; the first is the default.
package struct ServedModels: Sendable {
    package let detectors: [Detector]

    package init(_ detectors: [Detector]) {
        precondition(!detectors.isEmpty, "a server needs at least one model")
        self.detectors = detectors
    }

    package var defaultDetector: Detector { detectors[0] }

    package func detector(named name: String) -> Detector? { detectors.first { $0.config.name == name } }

    package var names: [String] { detectors.map(\.config.name) }
}
