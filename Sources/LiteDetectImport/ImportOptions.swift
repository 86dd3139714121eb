/// What an importer needs that the source files do not say.
public struct ImportOptions: Sendable {
    /// The model's name (the config file's stem).
    public var name: String
    /// One label per class column, background first (`LabelSets`); for ONNX imports, empty keeps the config's.
    public var labels: [String]
    public var description: String?
    /// Where the model came from and under which licence, for the config.
    public var provenance: String?
    /// The `weights` entry of the config: the weights file relative to the config's directory.
    public var weightsPath: String

    public init(name: String, labels: [String], description: String? = nil, provenance: String? = nil, weightsPath: String) {
        self.name = name
        self.labels = labels
        self.description = description
        self.provenance = provenance
        self.weightsPath = weightsPath
    }
}
