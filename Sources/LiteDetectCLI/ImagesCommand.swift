import ArgumentParser
import Foundation
import LiteDetect
import LiteDetectModels

/// `detect [IMAGE|DIR|GLOB ...]`: detection on image files, the default command.
struct ImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images",
        abstract: "Detect objects in images (the default command: 'detect photo.jpg' runs this)."
    )

    @Argument(help: ArgumentHelp("Image files (JPEG, PNG), directories of them, or glob patterns.", valueName: "image|dir|glob"))
    var inputs: [String]

    @OptionGroup var model: ModelOptions

    @OptionGroup var thresholds: ThresholdOptions

    @Option(help: ArgumentHelp("Directory for annotated images (default: the current directory).", valueName: "dir"))
    var output: String?

    @Flag(help: "Don't write annotated images.")
    var noDraw = false

    @Flag(help: "Replace existing output files (without it, a new name is chosen).")
    var overwrite = false

    @Option(help: ArgumentHelp("What goes to standard output.", valueName: "format"))
    var format: OutputFormat = .text

    @Option(
        help: ArgumentHelp("Also write one result file per image (<stem>.txt, in --format, yolo for text) into this directory.", valueName: "dir"))
    var saveTxt: String?

    @Option(
        help: ArgumentHelp(
            "Threads: several images run in parallel (one session each over one shared model); a single image's forward pass is split across them.",
            valueName: "n"))
    var threads: Int = 1

    @Option(help: ArgumentHelp("Refuse images with more pixels than this (checked before decoding).", valueName: "pixels"))
    var maxPixels: Int = 100_000_000

    func validate() throws {
        try OptionBounds.check(threads, in: OptionBounds.threads, flag: "--threads")
        try OptionBounds.check(maxPixels, in: OptionBounds.pixels, flag: "--max-pixels")
        if inputs.isEmpty { throw ValidationError("give at least one image, directory or glob (try: detect SampleImages/street.jpg)") }
    }

    func run() throws {
        let detector = try model.loadDetector()
        let options = try thresholds.detectionOptions(for: detector)
        let expansion = InputExpansion(inputs)
        let writer = ResultWriter(format: format, detector: detector)
        let annotated = noDraw ? nil : AnnotatedImageWriter(directory: output ?? ".", overwrite: overwrite, inputs: expansion.files)
        let saver = saveTxt.map { ResultFileWriter(directory: $0, format: format, overwrite: overwrite, detector: detector, inputs: expansion.files) }
        if detector.isRandomlyInitialised {
            Terminal.standardError("detect: model \(detector.config.name) runs with RANDOM weights: its detections are noise (plumbing/speed check)")
        }

        var failures = expansion.failures
        for failure in expansion.failures { Terminal.standardError("detect: \(failure)") }
        let progress = ProgressBar(total: expansion.files.count, enabled: expansion.files.count > 1 && Terminal.standardErrorIsTerminal)
        let outcomes = ParallelImageRunner(detector: detector, options: options, maxPixels: maxPixels, threads: threads)
            .run(expansion.files) { index, outcome in
                // Called in input order, on one thread at a time.
                progress.advance(to: index + 1, item: expansion.files[index])
                switch outcome {
                case let .success(processed):
                    do {
                        var written: String?
                        if let annotated { written = try annotated.write(processed) }
                        try saver?.write(processed)
                        progress.clear()
                        writer.emit(processed, annotatedPath: written)
                    } catch {
                        progress.clear()
                        Terminal.standardError("detect: \(processed.path): \(error)")
                        failures.append("\(processed.path): \(error)")
                    }
                case let .failure(failure):
                    progress.clear()
                    Terminal.standardError("detect: \(failure)")
                    failures.append("\(failure)")
                }
            }
        progress.finish()
        writer.finish()
        if !failures.isEmpty || outcomes.failed > 0 {
            throw ExitCode(1)
        }
    }

}
