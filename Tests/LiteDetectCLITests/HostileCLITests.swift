import Foundation
import LiteDetectTestSupport
import XCTest

/// The `detect` command against hostile inputs and hostile output situations: every bad input
/// is reported on standard error, named once, while the others are still processed; weights,
/// configs and images that are not what they claim fail with messages naming them; inputs are
/// never overwritten; and an interrupted write never leaves a partial file under the final name.
final class HostileCLITests: XCTestCase {
    private var workDirectory: URL!

    override func setUpWithError() throws {
        workDirectory = try makeTemporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: workDirectory)
    }

    private static let corpus = repositoryRoot.appendingPathComponent("Tests/HostileInput")
    private static let decodeFixtures = repositoryRoot.appendingPathComponent("Tests/LiteDetectImageTests/Fixtures/decode")
    /// The cheapest model, with random weights: these tests are about inputs and outputs.
    private static let quickModel = ["--backbone", "mobilenetv3-small", "--random-weights"]

    private func path(_ name: String) -> String { workDirectory.appendingPathComponent(name).path }

    private func copy(_ source: String, as name: String) throws -> String {
        try FileManager.default.copyItem(atPath: source, toPath: path(name))
        return path(name)
    }

    private func runProgram(_ executable: String, _ arguments: [String], in directory: URL? = nil) throws -> CommandResult {
        try CommandRunner.runProgram(URL(fileURLWithPath: executable), arguments, in: directory)
    }

    private func jsonLines(_ output: String) -> [[String: Any]] {
        output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    // MARK: Inputs

    /// One run over good images (CMYK, YCCK, 16-bit and gray+alpha PNGs among them, which must
    /// work), a FIFO, a device, a 2 GiB sparse file, an empty file and corrupt corpus files: the
    /// good ones come out in order with the reference sizes, each bad one is reported once by
    /// name with its reason, nothing hangs, and the exit status is 1.
    func testBadInputsAreReportedOnceByNameWhileTheGoodOnesAreProcessed() throws {
        let good = [
            ("jpeg_cmyk_adobe.jpg", 45, 29), ("jpeg_ycck_adobe.jpg", 45, 29),
            ("png_rgba16.png", 37, 21), ("png_gray16.png", 37, 21), ("png_gray_alpha16.png", 37, 21),
        ]
        var arguments: [String] = []
        for (name, _, _) in good {
            arguments.append(try copy(Self.decodeFixtures.appendingPathComponent(name).path, as: name))
        }
        let fifo = path("camera.jpg")
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let sparse = path("huge.png")
        XCTAssertTrue(FileManager.default.createFile(atPath: sparse, contents: nil))
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: sparse))
        try handle.truncate(atOffset: 2 << 30)
        try handle.close()
        let empty = path("empty.jpg")
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        let corrupt = Self.corpus.appendingPathComponent("images/jpeg_bogus_huffman_table.jpg").path
        let bad: [(String, String)] = [
            (fifo, "is a FIFO (named pipe)"), ("/dev/zero", "is a character device"),
            (sparse, "more than the limit of 1073741824"), (empty, "is empty"), (corrupt, "Bogus Huffman table definition"),
        ]
        // Bad inputs first and between good ones: a failure must not stop what follows.
        let inputs = [bad[0].0, arguments[0], bad[1].0, arguments[1], bad[2].0] + arguments.dropFirst(2) + [bad[3].0, bad[4].0]

        var result = CommandResult(status: -1, standardOutput: "", standardError: "")
        let blocked = try returnsWithoutBlocking(on: fifo, after: 30) {
            result = try CommandRunner.run(inputs + Self.quickModel + ["--format", "json", "--no-draw"])
        }
        XCTAssertFalse(blocked, "the command blocked on the FIFO")
        XCTAssertEqual(result.status, 1, result.standardError)
        let lines = jsonLines(result.standardOutput)
        XCTAssertEqual(lines.compactMap { $0["path"] as? String }, arguments, "every good image, in input order")
        for (line, (name, width, height)) in zip(lines, good) {
            XCTAssertEqual(line["width"] as? Int, width, name)
            XCTAssertEqual(line["height"] as? Int, height, name)
        }
        for (input, reason) in bad {
            let reports = result.standardError.split(separator: "\n").filter { $0.contains(input) }
            XCTAssertEqual(reports.count, 1, "\(input) must be reported exactly once: \(result.standardError)")
            XCTAssertTrue(reports.first?.contains(reason) ?? false, "\(input): expected '\(reason)' in \(reports)")
            XCTAssertEqual(reports.first?.components(separatedBy: input).count, 2, "the path is not repeated: \(reports)")
        }
    }

    // MARK: Models and weights

    func testWeightsForAnotherModelNameTheFileAndTheTensor() throws {
        let weights = Self.corpus.appendingPathComponent("weights/wrong_model_stem_shape.safetensors").path
        let result = try CommandRunner.run([streetJPEG, "--model", "ssdlite320-mobilenetv3-small", "--weights", weights, "--no-draw"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(
            result.standardError.contains(
                "\(weights): does not fit model ssdlite320-mobilenetv3-small: tensor 'backbone.features.0.0.weight' has shape [32, 3, 3, 3], the model expects [16, 3, 3, 3]"
            ),
            result.standardError)
        let names = Self.corpus.appendingPathComponent("weights/wrong_model_names.safetensors").path
        let missing = try CommandRunner.run([streetJPEG, "--model", "ssdlite320-mobilenetv3-small", "--weights", names, "--no-draw"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.standardError.contains("\(names): no tensor named 'backbone.features.0.0.weight'"), missing.standardError)
    }

    /// A directory, a FIFO and a device where a weights file or a config is expected: each is
    /// refused at once (a FIFO must not block waiting for a writer), naming the path.
    func testDirectoriesFIFOsAndDevicesAsWeightsOrConfig() throws {
        let fifo = path("model.json")
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let cases: [([String], String)] = [
            (["--backbone", "mobilenetv3-small", "--weights", workDirectory.path], "\(workDirectory.path): cannot read weights: is a directory"),
            (
                ["--backbone", "mobilenetv3-small", "--weights", "/dev/zero"],
                "/dev/zero: cannot read weights: is a character device, not a regular file"
            ),
            (["--backbone", "mobilenetv3-small", "--weights", fifo], "\(fifo): cannot read weights: is a FIFO (named pipe), not a regular file"),
            (["--model", fifo, "--random-weights"], "\(fifo): cannot read model config: is a FIFO (named pipe), not a regular file"),
            (["--model", workDirectory.path + "/", "--random-weights"], "cannot read model config: is a directory"),
        ]
        for (options, message) in cases {
            var result = CommandResult(status: -1, standardOutput: "", standardError: "")
            let blocked = try returnsWithoutBlocking(on: fifo, after: 20) {
                result = try CommandRunner.run([streetJPEG, "--no-draw"] + options)
            }
            XCTAssertFalse(blocked, "\(options): the command blocked on the FIFO")
            XCTAssertNotEqual(result.status, 0, "\(options)")
            XCTAssertTrue(result.standardError.contains(message), "\(options): \(result.standardError)")
        }
    }

    func testAnInputTooSmallForTheBackboneNamesTheModelAndTheLayer() throws {
        let config = Self.corpus.appendingPathComponent("configs/squeezenet_input_16.json").path
        let result = try CommandRunner.run([streetJPEG, "--model", config, "--random-weights", "--no-draw"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.standardError.contains("model squeezenet1.1-at-16 at its 16×16 input cannot be built: layer"), result.standardError)
        XCTAssertTrue(result.standardError.contains("is smaller than the 3×3 pool window"), result.standardError)
        XCTAssertFalse(result.standardError.contains("Fatal error"), result.standardError)
    }

    /// Files the user cannot read, as an ordinary user would meet them (root reads anything, so
    /// the command runs as `nobody` through setpriv).
    func testUnreadableFilesAreNamedWithTheSystemsReason() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            throw XCTSkip("needs root and setpriv to run the command as another user")
        }
        let binary = try CommandRunner.executable.path
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: workDirectory.path)
        let image = try copy(streetJPEG, as: "locked.jpg")
        let weights = try copy(Self.corpus.appendingPathComponent("weights/wrong_model_names.safetensors").path, as: "locked.safetensors")
        let config = try copy(Self.corpus.appendingPathComponent("configs/unknown_key.json").path, as: "locked.json")
        for file in [image, weights, config] { XCTAssertEqual(chmod(file, 0), 0) }
        let readable = try copy(streetJPEG, as: "readable.jpg")
        XCTAssertEqual(chmod(readable, 0o644), 0)

        func runAsNobody(_ arguments: [String]) throws -> CommandResult {
            let probe = try runProgram(
                "/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "test", "-x", binary])
            guard probe.status == 0 else { throw XCTSkip("nobody cannot run \(binary) (a parent folder is not searchable)") }
            return try runProgram(
                "/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", binary] + arguments, in: workDirectory)
        }
        let images = try runAsNobody([image, readable] + Self.quickModel + ["--format", "json", "--no-draw"])
        XCTAssertEqual(images.status, 1)
        XCTAssertTrue(images.standardError.contains("\(image): cannot be read (Permission denied)"), images.standardError)
        XCTAssertEqual(jsonLines(images.standardOutput).compactMap { $0["path"] as? String }, [readable])

        let weightsRun = try runAsNobody([readable, "--backbone", "mobilenetv3-small", "--weights", weights, "--no-draw"])
        XCTAssertNotEqual(weightsRun.status, 0)
        XCTAssertTrue(weightsRun.standardError.contains("\(weights): cannot read weights"), weightsRun.standardError)
        let configRun = try runAsNobody([readable, "--model", config, "--random-weights", "--no-draw"])
        XCTAssertNotEqual(configRun.status, 0)
        XCTAssertTrue(configRun.standardError.contains("\(config): cannot read model config"), configRun.standardError)

        // A read-only output folder: the write fails by name, the run reports it and fails.
        let readOnly = path("read-only")
        try FileManager.default.createDirectory(atPath: readOnly, withIntermediateDirectories: false)
        XCTAssertEqual(chmod(readOnly, 0o555), 0)
        let outputs = try runAsNobody([readable] + Self.quickModel + ["--output", readOnly, "--save-txt", readOnly])
        XCTAssertEqual(outputs.status, 1)
        XCTAssertTrue(
            outputs.standardError.contains("\(readOnly)/readable.detections.jpg: cannot be written (Permission denied)"), outputs.standardError)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: readOnly), [])
    }

    // MARK: Outputs never replace inputs

    /// `--save-txt` into the inputs' own folder with `--overwrite`, where one image is named like
    /// a result file (`b.txt`, JPEG bytes) and two inputs share a stem: no input is touched and
    /// no result replaces another.
    func testResultFilesNeverReplaceAnInputOrEachOther() throws {
        let a = try copy(streetJPEG, as: "a.jpg")
        let b = try copy(streetJPEG, as: "b.txt")
        let aPNG = try copy(Self.decodeFixtures.appendingPathComponent("png_rgb8.png").path, as: "a.png")
        let originals = try [a, b, aPNG].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let result = try CommandRunner.run(
            [a, b, aPNG] + Self.quickModel + ["--no-draw", "--save-txt", workDirectory.path, "--overwrite", "--score-threshold", "0.001"])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertEqual(try [a, b, aPNG].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }, originals, "inputs must be untouched")
        let listing = try FileManager.default.contentsOfDirectory(atPath: workDirectory.path).sorted()
        XCTAssertEqual(listing, ["a.2.txt", "a.jpg", "a.png", "a.txt", "b.2.txt", "b.txt"])
        for name in ["a.txt", "a.2.txt", "b.2.txt"] {
            XCTAssertFalse(try String(contentsOfFile: path(name), encoding: .utf8).isEmpty, "\(name) holds YOLO lines")
        }
    }

    /// `--output` is the inputs' folder and an input is named like another input's annotated
    /// picture: with `--overwrite`, neither input is replaced.
    func testAnnotatedPicturesNeverReplaceAnInputEvenWithOverwrite() throws {
        let street = try copy(streetJPEG, as: "street.jpg")
        let lookalike = try copy(streetJPEG, as: "street.detections.jpg")
        let original = try Data(contentsOf: URL(fileURLWithPath: streetJPEG))
        // Reached through a symbolic link to the folder: the same files under another spelling.
        let link = path("link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: workDirectory.path)
        let result = try CommandRunner.run(
            [street, link + "/street.detections.jpg"] + Self.quickModel + ["--output", workDirectory.path, "--overwrite"])
        XCTAssertEqual(result.status, 0, result.standardError)
        for input in [street, lookalike] {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: input)), original, "\(input) must be untouched")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("street.detections.2.jpg")), result.standardOutput)
    }

    /// The command is killed while writing its annotated picture (a file size limit raises
    /// SIGXFSZ mid-write). Outputs are written to a temporary name and renamed when complete,
    /// so the final name never holds a partial picture; the input is untouched.
    func testAKillDuringTheWriteLeavesNoPartialFileUnderTheFinalName() throws {
        let input = try copy(streetJPEG, as: "street.jpg")
        let binary = try CommandRunner.executable.path
        // ulimit -f counts 512-byte blocks in dash: 64 KiB, well under the ~150 KB JPEG.
        let script = "ulimit -f 128; exec \"$0\" \"$@\""
        let result = try runProgram(
            "/bin/sh", ["-c", script, binary, input] + Self.quickModel + ["--output", workDirectory.path, "--format", "json"])
        XCTAssertNotEqual(result.status, 0, "the write must have been cut off")
        let listing = try FileManager.default.contentsOfDirectory(atPath: workDirectory.path)
        XCTAssertFalse(listing.contains("street.detections.jpg"), "a partial picture under the final name: \(listing)")
        XCTAssertTrue(listing.contains { $0.hasPrefix(".street.detections.jpg.tmp-") }, "the cut-off temporary is where it was written: \(listing)")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: input)), try Data(contentsOf: URL(fileURLWithPath: streetJPEG)))
    }

    // MARK: Video

    /// Broken YUV4MPEG2 streams through `detect video`: the frames before the break are
    /// reported, the error names the stream and the frame, and the status is 1.
    func testBrokenVideoStreamsFailAtTheirFrame() throws {
        let cases: [(String, String, Int)] = [
            ("truncated_mid_frame.y4m", "frame 1: stream ends after 56 of its 96 bytes", 1),
            ("garbage_frame_header.y4m", "frame 1: malformed frame header: expected 'FRAME'", 1),
            ("absurd_dimensions.y4m", "frames are 1048576x1048576", 0),
            ("width_over_format_limit.y4m", "W (width) is '99999999999'", 0),
            ("no_newline_in_header.y4m", "no end of line in the first", 0),
        ]
        for (file, message, framesBefore) in cases {
            let stream = Self.corpus.appendingPathComponent("y4m/" + file).path
            let result = try CommandRunner.run(["video", stream] + Self.quickModel + ["--format", "json"])
            XCTAssertEqual(result.status, 1, "\(file): \(result.standardError)")
            XCTAssertTrue(result.standardError.contains("\(stream): "), "\(file): \(result.standardError)")
            XCTAssertTrue(result.standardError.contains(message), "\(file): \(result.standardError)")
            XCTAssertEqual(jsonLines(result.standardOutput).count, framesBefore, "\(file): frames before the break")
        }
    }
}
