import ArgumentParser
import Foundation
import LiteDetect
import LiteDetectImport
import LiteDetectNN

/// `detect import`: another framework's SSD model → a LiteDetect config and safetensors weights.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert a TensorFlow, Caffe or ONNX SSD model into a LiteDetect config and weights.",
        discussion: """
            Reads the model in its original format, maps every layer onto LiteDetect's network, \
            checks each mapped layer against the source (kernel, stride, padding, activation, \
            inputs; every parameter used once), builds the result, and writes NAME.json and \
            NAME.safetensors. Anything it does not understand is an error naming the node or layer.

            Formats:
              .pb        a TensorFlow Object Detection API frozen graph
                         (SSD or SSDLite on MobileNetV2)
              .prototxt  a Caffe SSD: the deploy .prototxt
              + .caffemodel  and its weights (MobileNet-SSD)
              .onnx      torch.onnx.export of torchvision's SSDLite layout
                         up to the raw head outputs, on any LiteDetect
                         backbone; --config names the LiteDetect config it
                         must match, whose anchors, post-processing,
                         normalisation and labels it keeps

            Examples:
              detect import frozen_inference_graph.pb --name ssd300-mobilenetv2-coco --labels coco
              detect import MobileNetSSD_deploy.prototxt.txt MobileNetSSD_deploy.caffemodel --name ssd300-mobilenetv1-voc --labels voc
              detect import ssdlite.onnx --config ssdlite320-mobilenetv3-large --name my-ssdlite
              detect photo.jpg --model ./ssd300-mobilenetv2-coco.json
            """
    )

    @Argument(help: ArgumentHelp("The model's files: a frozen graph .pb, a Caffe .prototxt and .caffemodel, or an .onnx file.", valueName: "file"))
    var files: [String]

    @Option(help: "The model's name: the config file's stem, letters, digits, '-', '_' and '.'.")
    var name: String

    @Option(
        help: ArgumentHelp(
            "Class labels: 'coco', 'voc', or a text file with one label per line, background first (ONNX: default the config's).",
            valueName: "coco|voc|file"))
    var labels: String?

    @Option(
        help: ArgumentHelp(
            "ONNX only: the LiteDetect config (bundled name or path) whose architecture the file must match and whose anchors, box coder, post-processing and labels to use.",
            valueName: "name|path"))
    var config: String?

    @Option(help: "Directory to write NAME.json into.")
    var output: String = "."

    @Option(help: ArgumentHelp("Where to write the weights (default: NAME.safetensors beside the config).", valueName: "path"))
    var weightsOutput: String?

    @Option(
        help:
            "How weights are stored: float32 (exact), float16 (half the size, widened when loaded) or mixed (the class predictors' weights float16, the rest float32)."
    )
    var storage: ImportedModel.Storage = .float32

    @Option(help: "A one-line description for the config.")
    var description: String?

    @Option(help: "Where the model came from and its licence, recorded in the config.")
    var provenance: String?

    @Flag(help: "Replace existing output files.")
    var overwrite = false

    func run() throws {
        let configURL = URL(fileURLWithPath: output).appendingPathComponent("\(name).json")
        let weightsURL = weightsOutput.map { URL(fileURLWithPath: $0) } ?? URL(fileURLWithPath: output).appendingPathComponent("\(name).safetensors")
        for url in [configURL, weightsURL] where !overwrite && FileManager.default.fileExists(atPath: url.path) {
            throw CommandFailure("\(url.path) exists; pass --overwrite to replace it")
        }
        let isONNX = files.count == 1 && files[0].hasSuffix(".onnx")
        if isONNX && config == nil {
            throw CommandFailure(
                "an ONNX file needs --config: the LiteDetect model whose anchors and post-processing to use (e.g. ssdlite320-mobilenetv3-large)")
        }
        if !isONNX && config != nil {
            throw CommandFailure("--config is for ONNX files; TensorFlow and Caffe models describe their own anchors and post-processing")
        }
        guard isONNX || labels != nil else {
            throw CommandFailure("give --labels: 'coco', 'voc', or a file with one label per line, background first")
        }
        let labelList = try labels.map(LabelSets.load) ?? []
        let weightsPath = RelativePath.from(directory: configURL.deletingLastPathComponent(), to: weightsURL)
        let model: ImportedModel
        switch files.count {
        case 1 where isONNX:
            model = try ONNXImporter.importModel(
                at: files[0], config: config!,
                options: ImportOptions(name: name, labels: labelList, description: description, provenance: provenance, weightsPath: weightsPath))
        case 1 where files[0].hasSuffix(".pb"):
            model = try TensorFlowSSDImporter.importGraph(
                at: files[0],
                options: ImportOptions(name: name, labels: labelList, description: description, provenance: provenance, weightsPath: weightsPath))
        case 2:
            guard let prototxt = files.first(where: { !$0.hasSuffix(".caffemodel") }),
                let caffemodel = files.first(where: { $0.hasSuffix(".caffemodel") })
            else {
                throw CommandFailure("a Caffe model is two files: the deploy .prototxt and the .caffemodel")
            }
            model = try CaffeSSDImporter.importModel(
                prototxt: prototxt, caffemodel: caffemodel,
                options: ImportOptions(name: name, labels: labelList, description: description, provenance: provenance, weightsPath: weightsPath))
        default:
            throw CommandFailure("give a TensorFlow frozen graph (.pb), a Caffe .prototxt and .caffemodel, or an .onnx file")
        }
        guard let weights = model.weightsFile(storage: storage) else {
            throw CommandFailure("a weight is too large for float16; use --storage float32")
        }
        do {
            try FileManager.default.createDirectory(at: configURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: weightsURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            try weights.write(to: weightsURL, options: .atomic)
            try model.configJSON.write(to: configURL, options: .atomic)
        } catch {
            throw CommandFailure("cannot write the model: \(error.localizedDescription)")
        }
        for check in model.checks { print("checked: \(check)") }
        print("wrote \(configURL.path) and \(weightsURL.path) (\(weights.count) bytes, \(storage.rawValue))")
    }
}

/// The path of `target` relative to `directory`, for the config's `weights` entry.
enum RelativePath {
    static func from(directory: URL, to target: URL) -> String {
        let base = directory.standardizedFileURL.pathComponents
        let goal = target.standardizedFileURL.pathComponents
        var common = 0
        while common < min(base.count, goal.count) && base[common] == goal[common] { common += 1 }
        let up = Array(repeating: "..", count: base.count - common)
        return (up + goal[common...]).joined(separator: "/")
    }
}

extension ImportedModel.Storage: ExpressibleByArgument {}
