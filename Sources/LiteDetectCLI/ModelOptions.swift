import ArgumentParser
import LiteDetect
import LiteDetectBackbones
import LiteDetectKernels
import LiteDetectModels
import LiteDetectNN

/// How a command chooses its model and weights (shared by the commands that run a detector).
struct ModelOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Backbone to detect with: uses the bundled SSDLite model on it (the one with trained weights when there is one).",
            valueName: "name"))
    var backbone: BackboneName?

    @Option(help: ArgumentHelp("A bundled model name (see 'detect models') or a path to a model config .json.", valueName: "name|path"))
    var model: String?

    @Option(help: ArgumentHelp("Weights (.safetensors) for the model, instead of the ones its config names.", valueName: "path"))
    var weights: String?

    @Flag(help: "Run with seeded random weights: for speed and plumbing checks only; every output says so.")
    var randomWeights = false

    @Option(
        help: ArgumentHelp(
            "What the convolutions multiply in: f32, or bf16 on CPUs with AVX512_BF16 (weights and layer inputs rounded to bfloat16, sums in float32; about 3 significant digits).",
            valueName: "f32|bf16"))
    var precision: KernelPrecision = .float32

    func validate() throws {
        if let problem = KernelInstructionSet.environmentProblem { throw ValidationError(problem) }
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
            config = try ModelCatalog.config(nameOrPath: model)
        } else if let backbone {
            config = try ModelCatalog.bundledModel(for: backbone)
        } else {
            config = try ModelCatalog.bundled.config(named: ModelCatalog.defaultModelName)
        }
        let choice: WeightsChoice = randomWeights ? .random(seed: 0x5EED) : weights.map { .file($0) } ?? .configured
        let weightsFile = randomWeights ? nil : weights ?? config.weightsPath
        do {
            return try Detector(config: config, weights: choice, precision: precision)
        } catch let error as WeightError {
            // These name only the tensor: say which file does not fit which model.
            switch error {
            case .shapeMismatch, .nonFinite, .unsupportedDType:
                throw ModelLoadFailure("\(weightsFile ?? "weights"): does not fit model \(config.name): \(error)")
            default: throw error
            }
        } catch let error as GraphError {
            throw ModelLoadFailure("model \(config.name) at its \(config.input.width)×\(config.input.height) input cannot be built: \(error)")
        } catch let error as BackboneError {
            throw ModelLoadFailure("model \(config.name): \(error)")
        } catch DetectorError.noTrainedWeights {
            // The library's message names its API; the command line names its flags.
            let trained = ModelCatalog.bundled.names.filter { (try? ModelCatalog.bundled.config(named: $0).weights) != nil }
            throw ModelLoadFailure(
                "model '\(config.name)' has no trained weights; bundled models with trained weights: "
                    + "\(trained.isEmpty ? "none" : trained.joined(separator: ", ")). Give weights with --weights FILE.safetensors, "
                    + "or use --random-weights for speed and plumbing checks.")
        } catch let DetectorError.unsupportedPrecision(_, reason) {
            throw ModelLoadFailure("\(reason); use --precision f32 (the default) on this machine")
        }
    }
}

extension KernelPrecision: ExpressibleByArgument {}

/// A model that could not be loaded, said with the model's and the weights file's names.
struct ModelLoadFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
