import Foundation
import LiteDetect
import LiteDetectNN

/// A model read from another framework's files: a LiteDetect config and its weights under
/// LiteDetect's canonical (torchvision) names, already checked by building the network from them.
package struct ImportedModel: Sendable {
    /// The config as it will be written (its `weights` entry names the weights file).
    package let config: ModelConfig
    /// The config file's bytes (readable JSON; `weights` relative to where it is written).
    package let configJSON: Data
    package let tensors: [String: NamedTensors.Tensor]
    /// `__metadata__` of the weights file: the source file and its sha256, the importer.
    package let metadata: [String: String]
    /// What was read and checked, one line each, for the user and for the record.
    package let checks: [String]

    /// How the weights file stores values.
    package enum Storage: String, Sendable, CaseIterable {
        /// Every tensor float32: the source's values exactly.
        case float32
        /// Every tensor float16: half the bytes; each weight rounded by up to 2⁻¹¹ relative, and
        /// those errors compound through the network's depth.
        case float16
        /// The class predictors' weights float16, everything else float32. In SSD models they hold
        /// most parameters (the COCO model: 13.4 of 16.9 million), their rounding reaches only the
        /// logits instead of being carried through later layers, and box regressions, whose errors
        /// move boxes directly, stay exact.
        case mixed
    }

    /// The weights as a safetensors file, or nil if a value does not fit float16.
    package func weightsFile(storage: Storage = .float32) -> Data? {
        var metadata = self.metadata
        metadata["litedetect.storage"] = storage.rawValue
        return SafeTensors.serialize(tensors, metadata: metadata) { name in
            switch storage {
            case .float32: return .float32
            case .float16: return .float16
            case .mixed:
                let isClassPredictorWeight =
                    name.hasPrefix("head.classification_head.") && name.hasSuffix(".weight") && tensors[name]?.shape.count == 4
                return isClassPredictorWeight ? .float16 : .float32
            }
        }
    }

    /// The last step every importer shares: the config is encoded and parsed back by the strict
    /// reader, then LiteDetect builds the network from exactly `tensors` (all of them used).
    static func verified(
        _ document: ConfigDocument, tensors: [String: NamedTensors.Tensor], metadata: [String: String], checks: [String], file: String
    ) throws(ImportError) -> ImportedModel {
        let (config, json) = try document.checkedConfig(file: file)
        return try verified(config: config, json: json, tensors: tensors, metadata: metadata, checks: checks, file: file)
    }

    /// The same for a config already parsed back from `json` (the ONNX importer's edited copy of a config).
    static func verified(
        config: ModelConfig, json: Data, tensors: [String: NamedTensors.Tensor], metadata: [String: String], checks: [String], file: String
    ) throws(ImportError) -> ImportedModel {
        do {
            _ = try DetectionNetwork(
                config.architecture, inputHeight: config.input.height, inputWidth: config.input.width,
                weights: NamedTensors(tensors, sourceName: "imported weights"))
        } catch {
            throw .verificationFailed(file: file, problem: "\(error)")
        }
        return ImportedModel(config: config, configJSON: json, tensors: tensors, metadata: metadata, checks: checks)
    }
}
