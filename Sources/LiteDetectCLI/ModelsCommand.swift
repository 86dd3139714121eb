import ArgumentParser
import Foundation
import LiteDetect
import LiteDetectBackbones
import LiteDetectModels
import LiteDetectNN

/// `detect models`: the backbones and the bundled models with their size, cost and measured
/// accuracy; `detect models NAME`: one model's classes, accuracy and where its weights came from.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the backbones and models LiteDetect can run, or describe one model."
    )

    @Argument(help: ArgumentHelp("A bundled model name or a config path: describe it (classes, accuracy, provenance).", valueName: "model"))
    var model: String?

    @Option(help: "Input size (square) at which to count the backbones' multiply-accumulates.")
    var inputSize: Int = 320

    func validate() throws {
        try OptionBounds.check(inputSize, in: OptionBounds.inputSize, flag: "--input-size")
    }

    func run() throws {
        if let model {
            print(try Self.details(of: ModelCatalog.config(nameOrPath: model)))
            return
        }
        print("Backbones (feature extractor only, at \(inputSize)×\(inputSize)):")
        let rows = try BackboneName.allCases.map { name -> [String] in
            let summary = try BackboneSummary(BackboneConfiguration(name), inputSize: inputSize)
            return [
                name.rawValue, String(format: "%.2fM", Double(summary.parameters) / 1e6),
                String(format: "%.0f", Double(summary.multiplyAccumulates) / 1e6),
                summary.stride16.description, summary.stride32.description, name.reference,
            ]
        }
        print(TextTable(header: ["backbone", "params", "MMACs", "stride16", "stride32", "definition"], rows: rows).rendered)

        print("\nModels (whole detector at its own input size; `detect --model NAME`):")
        let models = try ModelCatalog.bundled.names.map { name -> [String] in
            let config = try ModelCatalog.bundled.config(named: name)
            let network = try Self.network(of: config)
            return [
                name, config.backbone.description, "\(config.input.width)×\(config.input.height)", "\(config.classNames.count)",
                String(format: "%.2fM", Double(network.parameterCount) / 1e6),
                String(format: "%.0f", Double(network.multiplyAccumulates) / 1e6),
                config.weights == nil ? "no" : "yes", config.accuracy.map { String(format: "%.3f", $0.averagePrecision50) } ?? "-",
                name == ModelCatalog.defaultModelName ? "(default)" : "",
            ]
        }
        print(TextTable(header: ["model", "backbone", "input", "classes", "params", "MMACs", "trained", "AP50", ""], rows: models).rendered)
        print("\nAP50: as measured where the model was made (`detect models NAME` says on what); - : not measured here.")
    }

    private static func network(of config: ModelConfig) throws -> Network {
        try DetectionNetwork(
            config.architecture, inputHeight: config.input.height, inputWidth: config.input.width, weights: SeededRandomWeights()
        ).network
    }

    /// One model: what it is, what it detects, how well, and where its weights came from.
    static func details(of config: ModelConfig) throws -> String {
        let network = try network(of: config)
        let classes = config.labelsByClassID.filter { $0.label != "N/A" }
        var lines = [config.name, ""]
        if !config.description.isEmpty { lines.append(config.description) }
        lines.append(
            "backbone:   \(config.backbone.description), input \(config.input.width)×\(config.input.height), "
                + String(format: "%.2fM parameters, %.0f MMACs", Double(network.parameterCount) / 1e6, Double(network.multiplyAccumulates) / 1e6))
        lines.append("classes:    \(classes.count): " + classes.map { "\($0.label) (\($0.classID))" }.joined(separator: ", "))
        if let accuracy = config.accuracy {
            lines.append(
                String(format: "accuracy:   AP %.3f, AP50 %.3f", accuracy.averagePrecision, accuracy.averagePrecision50)
                    + " on \(accuracy.measuredOn)")
        } else {
            lines.append("accuracy:   not measured here")
        }
        lines.append(
            "weights:    "
                + (config.weightsPath.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
                    ?? "none (untrained layout: `--random-weights` runs it for speed checks)"))
        if let provenance = config.provenance { lines.append("provenance: \(provenance)") }
        return lines.joined(separator: "\n")
    }
}
