import Foundation
import LiteDetectTestSupport
import XCTest

/// Every numeric option of every subcommand, just outside its range on each side that has one
/// (and far outside, where a huge value would size memory): `detect` exits with status 64
/// (a usage error) and a message naming the flag and its range, before it loads a model or reads
/// a file, and never crashes.
final class OptionBoundsTests: XCTestCase {
    private struct Case {
        var arguments: [String]
        /// What the message must contain: the flag and the range it was refused against.
        var message: String
    }

    private static let photo = repositoryRoot.appendingPathComponent("SampleImages/dog.jpg").path
    private static let maxInt = "9223372036854775807"

    private static func cases() -> [Case] {
        var cases: [Case] = []
        func add(_ prefix: [String], _ flag: String, _ values: [String], _ range: String) {
            for value in values { cases.append(Case(arguments: prefix + ["\(flag)=\(value)"], message: "\(flag) must be in \(range)")) }
        }
        let video = ["video", Self.photo]
        let serve = ["serve"]
        let eval = ["eval", "--annotations", "a.json", "--images", "."]
        // Shared by detect (images), video, and for the thresholds eval and bench.
        for prefix in [[Self.photo], video] {
            add(prefix, "--score-threshold", ["-0.01", "1.01"], "0.0…1.0")
            add(prefix, "--iou-threshold", ["-0.5", "2"], "0.0…1.0")
            add(prefix, "--max-detections", ["0", "100001", Self.maxInt], "1…100000")
            add(prefix, "--max-pixels", ["0", "1073741825", Self.maxInt], "1…1073741824")
        }
        add([Self.photo], "--threads", ["0", "257", Self.maxInt], "1…256")
        add(video, "--threads", ["0", "65"], "1…64")
        for value in ["0", "-3"] { cases.append(Case(arguments: video + ["--every=\(value)"], message: "--every must be at least 1")) }
        add(eval, "--score-threshold", ["-1", "1.5"], "0.0…1.0")
        add(eval, "--iou-threshold", ["1.5"], "0.0…1.0")
        add(eval, "--max-detections", ["0", Self.maxInt], "1…100000")
        add(eval, "--threads", ["0", "1000"], "1…256")
        add(eval, "--max-pixels", ["0", Self.maxInt], "1…1073741824")
        add(["bench"], "--runs", ["0", "100001"], "1…100000")
        add(["bench"], "--warmup", ["-1", "10001"], "0…10000")
        add(["bench"], "--input-size", ["31", "2049", Self.maxInt], "32…2048")
        add(["bench"], "--threads", ["0", "65"], "1…64")
        add(["bench"], "--score-threshold", ["2"], "0.0…1.0")
        add(["models"], "--input-size", ["31", "2049"], "32…2048")
        add(serve, "--port", ["-1", "65536"], "0…65535")
        add(serve, "--workers", ["0", "257", Self.maxInt], "1…256")
        add(serve, "--queue", ["-1", "100001"], "0…100000")
        add(serve, "--max-body-mb", ["0", "4097", Self.maxInt], "1…4096")
        add(serve, "--max-pixels", ["0", Self.maxInt], "1…1073741824")
        return cases
    }

    func testEveryNumericOptionIsBoundedWithAClearError() throws {
        let cases = Self.cases()
        XCTAssertGreaterThanOrEqual(cases.count, 60)
        for test in cases {
            let result = try CommandRunner.run(test.arguments)
            XCTAssertEqual(result.status, 64, "\(test.arguments.joined(separator: " ")): \(result.standardError)")
            XCTAssertTrue(
                result.standardError.contains(test.message),
                "\(test.arguments.joined(separator: " ")) should say \"\(test.message)\", said: \(result.standardError)")
        }
    }

    /// The values at each end of a range are accepted (the command may then fail for another
    /// reason, such as a network too deep for a 32-pixel input, but not on the bound): the ranges
    /// are the documented ones, not off by one.
    func testTheEndsOfEachRangeAreAccepted() throws {
        let edges: [[String]] = [
            [
                Self.photo, "--max-detections", "100000", "--max-pixels", "1073741824", "--score-threshold", "1",
                "--iou-threshold", "0", "--backbone", "mobilenetv3-small", "--random-weights", "--no-draw", "--format", "json",
            ],
            ["models", "--input-size", "2048"],
            ["models", "--input-size", "32"],
        ]
        for arguments in edges {
            let result = try CommandRunner.run(arguments)
            XCTAssertNotEqual(result.status, 64, "\(arguments.joined(separator: " ")): \(result.standardError)")
            XCTAssertFalse(result.standardError.contains("must be in"), "\(arguments.joined(separator: " ")): \(result.standardError)")
        }
    }
}
