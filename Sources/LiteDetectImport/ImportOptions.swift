/// What an importer needs that the source files do not say.
package struct ImportOptions: Sendable {
    /// The model's name (the config file's stem).
    package var name: String
    /// One label per class column, background first (`LabelSets`); for ONNX imports, empty keeps the config's.
    package var labels: [String]
    package var description: String?
    /// Where the model came from and under which licence, for the config.
    package var provenance: String?
    /// The `weights` entry of the config: the weights file relative to the config's directory.
    package var weightsPath: String

    package init(name: String, labels: [String], description: String? = nil, provenance: String? = nil, weightsPath: String) {
        self.name = name
        self.labels = labels
        self.description = description
        self.provenance = provenance
        self.weightsPath = weightsPath
    }
}
