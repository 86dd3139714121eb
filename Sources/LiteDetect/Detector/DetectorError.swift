import LiteDetectKernels

/// Why a detector could not be created or run.
public enum DetectorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The model has no trained weights and none were given.
    case noTrainedWeights(model: String, trainedModels: [String])
    case invalidOption(name: String, problem: String)
    /// This CPU cannot run the kernels of the precision asked for; `reason` names what it lacks.
    case unsupportedPrecision(KernelPrecision, reason: String)

    public var description: String {
        switch self {
        case let .noTrainedWeights(model, trained):
            let list = trained.isEmpty ? "none yet" : trained.joined(separator: ", ")
            return "model '\(model)' has no trained weights; models with trained weights: \(list). "
                + "Give weights with --weights FILE.safetensors, or use --random-weights for speed and plumbing checks."
        case let .invalidOption(name, problem): return "\(name): \(problem)"
        case let .unsupportedPrecision(_, reason): return "\(reason); use --precision f32 (the default) on this machine"
        }
    }
}
