import Foundation
import LiteDetectKernels

/// Why a detector could not be created or run.
public enum DetectorError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The model's config names no weights file and none was given.
    case noTrainedWeights(model: String)
    case invalidOption(name: String, problem: String)
    /// This CPU cannot run the kernels of the precision asked for; `reason` names what it lacks.
    case unsupportedPrecision(KernelPrecision, reason: String)

    public var description: String {
        switch self {
        case let .noTrainedWeights(model):
            return "model '\(model)' has no trained weights: give a weights file (WeightsChoice.file), "
                + "or seeded random weights (WeightsChoice.random) for speed and plumbing checks only"
        case let .invalidOption(name, problem): return "\(name): \(problem)"
        case let .unsupportedPrecision(_, reason): return "\(reason); use float32 (the default) on this machine"
        }
    }

    public var errorDescription: String? { description }
}
