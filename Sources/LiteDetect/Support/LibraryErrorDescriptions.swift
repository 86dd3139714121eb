import Foundation
import LiteDetectBackbones
import LiteDetectImage

// `error.localizedDescription` gives a library user the same message as `description`. These
// layers stay free of Foundation, so their errors get the conformance here, where Foundation is.

extension ImageError: LocalizedError {
    public var errorDescription: String? { description }
}

extension VideoError: LocalizedError {
    public var errorDescription: String? { description }
}

extension BackboneError: LocalizedError {
    package var errorDescription: String? { description }
}
