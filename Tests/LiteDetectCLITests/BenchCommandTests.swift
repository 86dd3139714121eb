import Foundation
import XCTest

/// A short smoke run of `detect bench` (benchmarks are not tests: this checks the plumbing and
/// the documented JSON fields, not speed).
final class BenchCommandTests: XCTestCase {
    func testJSONHasTheDocumentedFields() throws {
        let result = try CommandRunner.run([
            "bench", "--backbone", "mobilenetv3-small", "--backbone", "shufflenetv2", "--input-size", "160",
            "--runs", "2", "--warmup", "1", "--format", "json",
        ])
        XCTAssertEqual(result.status, 0, result.standardError)
        let objects = try result.standardOutput.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(objects.map { $0["model"] as? String }, ["ssdlite320-mobilenetv3-small", "ssdlite320-shufflenetv2"])
        for object in objects {
            XCTAssertEqual(object["input_size"] as? Int, 160)
            XCTAssertEqual(object["threads"] as? Int, 1)
            XCTAssertGreaterThan(try XCTUnwrap(object["params"] as? Int), 1_000_000)
            XCTAssertGreaterThan(try XCTUnwrap(object["macs"] as? Int), 10_000_000)
            let latency = try XCTUnwrap(object["latency_ms"] as? [String: Double])
            XCTAssertEqual(Set(latency.keys), ["min", "median", "p90", "max"])
            XCTAssertLessThanOrEqual(latency["min"]!, latency["median"]!)
            XCTAssertLessThanOrEqual(latency["median"]!, latency["p90"]!)
            XCTAssertLessThanOrEqual(latency["p90"]!, latency["max"]!)
            let stages = try XCTUnwrap(object["stages_ms"] as? [String: Double])
            XCTAssertEqual(Set(stages.keys), ["preprocess", "inference", "postprocess"])
            XCTAssertGreaterThan(try XCTUnwrap(object["peak_rss_mb"] as? Double), 1)
            XCTAssertEqual(object["score_threshold"] as? Double, 0.001, "the config's evaluation threshold by default")
        }
    }

    func testScoreThresholdIsUsedAndRecorded() throws {
        let result = try CommandRunner.run([
            "bench", "--backbone", "mobilenetv3-small", "--input-size", "128", "--runs", "1", "--warmup", "0",
            "--score-threshold", "0.01", "--format", "json",
        ])
        XCTAssertEqual(result.status, 0, result.standardError)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(object["score_threshold"] as? Double, 0.01)
        let invalid = try CommandRunner.run(["bench", "--score-threshold", "1.5"])
        XCTAssertNotEqual(invalid.status, 0)
        XCTAssertTrue(invalid.standardError.contains("--score-threshold must be in 0.0…1.0, got 1.5"), invalid.standardError)
    }

    func testChartIsAPNGAndIsNotOverwritten() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let chart = directory.appendingPathComponent("bench.png").path
        let first = try CommandRunner.run([
            "bench", "--backbone", "mobilenetv3-small", "--input-size", "128", "--runs", "1", "--warmup", "0", "--chart", chart,
        ])
        XCTAssertEqual(first.status, 0, first.standardError)
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: chart)).prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let second = try CommandRunner.run(["bench", "--backbone", "mobilenetv3-small", "--runs", "1", "--chart", chart])
        XCTAssertNotEqual(second.status, 0)
        XCTAssertTrue(second.standardError.contains("--overwrite"), second.standardError)
    }
}
