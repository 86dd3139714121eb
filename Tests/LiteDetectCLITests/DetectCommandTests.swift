import Foundation
import LiteDetectTestSupport
import XCTest

/// End-to-end tests of the `detect` command: what a user types, what comes back.
final class DetectCommandTests: XCTestCase {
    private var workDirectory: URL!

    override func setUpWithError() throws {
        workDirectory = try makeTemporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: workDirectory)
    }

    private func copySample(as name: String) throws -> String {
        let path = workDirectory.appendingPathComponent(name).path
        try FileManager.default.copyItem(atPath: streetJPEG, toPath: path)
        return path
    }

    func testJSONLinesFollowTheDocumentedSchema() throws {
        let result = try CommandRunner.run([
            streetJPEG, "--model", "ssdlite320-mobilenetv3-small", "--random-weights", "--format", "json", "--no-draw",
            "--score-threshold", "0.001", "--max-detections", "5",
        ])
        XCTAssertEqual(result.status, 0, result.standardError)
        let lines = result.standardOutput.split(separator: "\n")
        XCTAssertEqual(lines.count, 1)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(object["path"] as? String, streetJPEG)
        XCTAssertEqual(object["width"] as? Int, 768)
        XCTAssertEqual(object["height"] as? Int, 576)
        XCTAssertEqual(object["model"] as? String, "ssdlite320-mobilenetv3-small")
        XCTAssertEqual(object["backbone"] as? String, "mobilenetv3-small")
        XCTAssertEqual(object["random_weights"] as? Bool, true, "random weights must be labelled in every output")
        let timing = try XCTUnwrap(object["timing_ms"] as? [String: Double])
        XCTAssertEqual(Set(timing.keys), ["preprocess", "inference", "postprocess"])
        let detections = try XCTUnwrap(object["detections"] as? [[String: Any]])
        XCTAssertLessThanOrEqual(detections.count, 5)
        XCTAssertFalse(detections.isEmpty, "random weights at threshold 0.001 still produce boxes")
        var previous = Double.infinity
        for detection in detections {
            XCTAssertEqual(Set(detection.keys), ["class_id", "label", "score", "box"])
            let score = try XCTUnwrap(detection["score"] as? Double)
            XCTAssertGreaterThan(score, 0.001)
            XCTAssertLessThanOrEqual(score, previous, "detections must be sorted by score")
            previous = score
            let box = try XCTUnwrap(detection["box"] as? [String: Double])
            XCTAssertEqual(Set(box.keys), ["x1", "y1", "x2", "y2"])
            XCTAssertLessThanOrEqual(box["x1"]!, box["x2"]!)
            XCTAssertLessThanOrEqual(box["x2"]!, 768)
        }
        XCTAssertTrue(result.standardError.contains("RANDOM weights"))
    }

    func testAnnotatedImageNeverReplacesAnExistingFile() throws {
        let input = try copySample(as: "street.jpg")
        let existing = workDirectory.appendingPathComponent("street.detections.jpg")
        try Data("keep me".utf8).write(to: existing)
        let result = try CommandRunner.run([input, "--backbone", "shufflenetv2", "--random-weights", "--output", workDirectory.path])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertEqual(try String(contentsOf: existing, encoding: .utf8), "keep me")
        let written = workDirectory.appendingPathComponent("street.detections.2.jpg")
        XCTAssertTrue(FileManager.default.fileExists(atPath: written.path), result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("annotated: \(written.path)"))
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: input)), try Data(contentsOf: URL(fileURLWithPath: streetJPEG)), "the input must be untouched")

        let replaced = try CommandRunner.run([input, "--backbone", "shufflenetv2", "--random-weights", "--output", workDirectory.path, "--overwrite"])
        XCTAssertEqual(replaced.status, 0, replaced.standardError)
        XCTAssertNotEqual(try Data(contentsOf: existing), Data("keep me".utf8), "--overwrite replaces the file")
    }

    func testCorruptAndTruncatedImagesFailClearlyWhileOthersAreProcessed() throws {
        let good = try copySample(as: "good.jpg")
        let corrupt = workDirectory.appendingPathComponent("corrupt.jpg").path
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }).write(to: URL(fileURLWithPath: corrupt))
        let truncated = workDirectory.appendingPathComponent("truncated.jpg").path
        try Data(contentsOf: URL(fileURLWithPath: streetJPEG)).prefix(20_000).write(to: URL(fileURLWithPath: truncated))
        let result = try CommandRunner.run([
            corrupt, good, truncated, "--backbone", "squeezenet1.1", "--random-weights", "--format", "json", "--no-draw",
        ])
        XCTAssertEqual(result.status, 1, "any failed input makes the exit status non-zero")
        let paths = result.standardOutput.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["path"] as? String
        }
        XCTAssertEqual(paths, [good], "the good image is still processed")
        XCTAssertTrue(result.standardError.contains(corrupt), result.standardError)
        XCTAssertTrue(result.standardError.contains(truncated), result.standardError)
    }

    func testDirectoryInputProcessesEveryImageInOrder() throws {
        _ = try copySample(as: "b.jpg")
        _ = try copySample(as: "a.jpg")
        try Data("not an image".utf8).write(to: workDirectory.appendingPathComponent("notes.txt"))
        let result = try CommandRunner.run([
            workDirectory.path, "--backbone", "mobilenetv1", "--random-weights", "--format", "csv", "--no-draw", "--threads", "2",
            "--max-detections", "1", "--score-threshold", "0",
        ])
        XCTAssertEqual(result.status, 0, result.standardError)
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "path,class_id,label,score,x1,y1,x2,y2")
        XCTAssertEqual(
            lines.dropFirst().map { String($0.prefix { $0 != "," }) }, ["a.jpg", "b.jpg"].map { workDirectory.appendingPathComponent($0).path })
    }

    /// Without --score-threshold, a model's own operating point (`postprocess.detect_threshold`)
    /// decides what is reported; without one, 0.5; the flag overrides both.
    func testTheModelsOperatingPointIsTheDefaultScoreThreshold() throws {
        let base = repositoryRoot.appendingPathComponent("Configs/models/ssdlite320-mobilenetv3-small.json")
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: base)) as? [String: Any])
        var postprocess = try XCTUnwrap(config["postprocess"] as? [String: Any])
        postprocess["detect_threshold"] = 0.02
        config["postprocess"] = postprocess
        let withOperatingPoint = workDirectory.appendingPathComponent("low-operating-point.json")
        try JSONSerialization.data(withJSONObject: config).write(to: withOperatingPoint)

        func scores(_ arguments: [String]) throws -> [Double] {
            let result = try CommandRunner.run([streetJPEG, "--random-weights", "--format", "json", "--no-draw"] + arguments)
            XCTAssertEqual(result.status, 0, result.standardError)
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
            return try XCTUnwrap(object["detections"] as? [[String: Any]]).compactMap { $0["score"] as? Double }
        }
        let low = try scores(["--model", withOperatingPoint.path])
        XCTAssertFalse(low.isEmpty, "random weights score some boxes above 0.02")
        XCTAssertGreaterThanOrEqual(low.min() ?? 0, 0.02)
        let overridden = try scores(["--model", withOperatingPoint.path, "--score-threshold", "0.1"])
        XCTAssertGreaterThanOrEqual(overridden.min() ?? 1, 0.1)
        XCTAssertLessThan(overridden.count, low.count)
        let plain = try scores(["--model", base.path])
        XCTAssertGreaterThanOrEqual(plain.min() ?? 1, 0.5, "no operating point: 0.5")
    }

    func testUnknownBackboneListsTheValidOnes() throws {
        let result = try CommandRunner.run([streetJPEG, "--backbone", "mobilenetv4"])
        XCTAssertNotEqual(result.status, 0)
        for name in [
            "squeezenet1.0", "squeezenet1.1", "mobilenetv1", "mobilenetv2", "mobilenetv3-small", "mobilenetv3-large", "shufflenetv1", "shufflenetv2",
        ] {
            XCTAssertTrue(result.standardError.contains(name), "missing \(name) in: \(result.standardError)")
        }
    }

    func testUntrainedModelIsRefusedWithAHint() throws {
        // The untrained layouts (`ssdlite320-<backbone>`) have no weights; every backbone has a trained model.
        let result = try CommandRunner.run([streetJPEG, "--model", "ssdlite320-squeezenet1.0"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.standardError.contains("no trained weights"), result.standardError)
        XCTAssertTrue(result.standardError.contains("--weights"), result.standardError)
    }

    /// `detect models` on an untrained layout names the flag that runs it, and that flag works.
    func testModelsHintForAnUntrainedLayoutRuns() throws {
        let described = try CommandRunner.run(["models", "ssdlite320-mobilenetv1"])
        XCTAssertEqual(described.status, 0, described.standardError)
        let line = try XCTUnwrap(described.standardOutput.split(separator: "\n").first { $0.hasPrefix("weights:") })
        let hint = try XCTUnwrap(line.split(separator: "`").dropFirst().first, "no flag in backticks: \(line)")
        let run = try CommandRunner.run([streetJPEG, "--model", "ssdlite320-mobilenetv1", "--no-draw"] + hint.split(separator: " ").map(String.init))
        XCTAssertEqual(run.status, 0, "\(hint): \(run.standardError)")
    }

    func testMissingInputIsReportedAndFails() throws {
        let result = try CommandRunner.run(["/nonexistent/photo.jpg", "--backbone", "mobilenetv2", "--random-weights"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.standardError.contains("/nonexistent/photo.jpg: no such file or directory"), result.standardError)
    }

    func testModelsListsEveryBackbone() throws {
        let result = try CommandRunner.run(["models"])
        XCTAssertEqual(result.status, 0, result.standardError)
        for name in ["squeezenet1.0", "mobilenetv3-large", "shufflenetv2", "ssdlite320-mobilenetv3-small"] {
            XCTAssertTrue(result.standardOutput.contains(name), "missing \(name)")
        }
    }

    /// `detect models NAME`: every class with the id detections report, and where the weights came from.
    func testModelsDescribesOneModel() throws {
        let result = try CommandRunner.run(["models", "ssd300-mobilenetv1-voc"])
        XCTAssertEqual(result.status, 0, result.standardError)
        let file = repositoryRoot.appendingPathComponent("Configs/models/ssd300-mobilenetv1-voc.json")
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        XCTAssertTrue(result.standardOutput.contains("classes:    20: aeroplane (1), bicycle (2), "), result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("person (15)"), result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("provenance: \(try XCTUnwrap(config["provenance"] as? String))"), result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("accuracy:   not measured here"), result.standardOutput)

        let unknown = try CommandRunner.run(["models", "no-such-model"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.standardError.contains("no-such-model"), unknown.standardError)
    }
}
