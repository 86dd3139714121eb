import ArgumentParser
import LiteDetect

/// How a command chooses its model and weights (shared by the commands that run a detector).
struct ModelOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Backbone to detect with: uses the bundled SSDLite model on it (the one with trained weights when there is one).",
        valueName: "name"))
    var backbone: BackboneName?

    @Option(help: ArgumentHelp("A bundled model name (see 'detect models') or a path to a model config .json.", valueName: "name|path"))
    var model: String?

    @Option(help: ArgumentHelp("Weights (.safetensors) for the model, instead of the ones its config names.", valueName: "path"))
    var weights: String?

    @Flag(help: "Run with seeded random weights: for speed and plumbing checks only; every output says so.")
    var randomWeights = false

    func validate() throws {
        if model != nil && backbone != nil {
            throw ValidationError("give either --model or --backbone, not both")
        }
        if weights != nil && randomWeights {
            throw ValidationError("give either --weights or --random-weights, not both")
        }
    }

    func loadDetector() throws -> Detector {
        let config: ModelConfig
        if let model {
            config = try ModelCatalog.config(named: model)
        } else if let backbone {
            config = try ModelCatalog.config(for: backbone)
        } else {
            config = try ModelCatalog.config(named: ModelCatalog.defaultModelName)
        }
        let choice: WeightsChoice = randomWeights ? .random(seed: 0x5EED) : weights.map { .file($0) } ?? .configured
        return try Detector(config: config, weights: choice)
    }
}
