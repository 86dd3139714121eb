import ArgumentParser
import LiteDetect

/// `detect models`: the backbones (and, as they are added, the configured models) with their size and cost.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the backbones and models LiteDetect can run."
    )

    @Option(help: "Input size (square) at which to count multiply-accumulates.")
    var inputSize: Int = 320

    func validate() throws {
        guard (32...2048).contains(inputSize) else { throw ValidationError("--input-size must be between 32 and 2048") }
    }

    func run() throws {
        print("Backbones (feature extractor only, at \(inputSize)×\(inputSize)):")
        let rows = try BackboneName.allCases.map { name -> [String] in
            let summary = try BackboneSummary(BackboneConfiguration(name), inputSize: inputSize)
            return [name.rawValue, String(format: "%.2fM", Double(summary.parameters) / 1e6),
                    String(format: "%.0f", Double(summary.multiplyAccumulates) / 1e6),
                    summary.stride16.description, summary.stride32.description, name.reference]
        }
        print(TextTable(header: ["backbone", "params", "MMACs", "stride16", "stride32", "definition"], rows: rows).rendered)

        print("\nModels (whole detector at its own input size; `detect --model NAME`):")
        let models = try ModelCatalog.bundledNames.map { name -> [String] in
            let config = try ModelCatalog.config(named: name)
            let network = try DetectionNetwork(
                config.architecture, inputHeight: config.input.height, inputWidth: config.input.width, weights: SeededRandomWeights())
            return [name, config.backbone.description, "\(config.input.width)×\(config.input.height)", "\(config.classNames.count)",
                    String(format: "%.2fM", Double(network.network.parameterCount) / 1e6),
                    String(format: "%.0f", Double(network.network.multiplyAccumulates) / 1e6),
                    config.weights == nil ? "no" : "yes", name == ModelCatalog.defaultModelName ? "(default)" : ""]
        }
        print(TextTable(header: ["model", "backbone", "input", "classes", "params", "MMACs", "trained", ""], rows: models).rendered)
    }
}
