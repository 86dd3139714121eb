import Foundation
import XCTest

/// `--precision` and `LITEDETECT_ISA` from the command line: bfloat16 where the CPU has
/// AVX512_BF16, a clear error naming what is missing where it does not (forced here with
/// LITEDETECT_ISA=avx2, which every CPU that runs the tests can honour), the instruction set
/// and CPU recorded in bench's JSON.
final class PrecisionCommandTests: XCTestCase {
    private var bfloat16Supported: Bool {
        get throws {
            let result = try CommandRunner.run([
                "bench", "--backbone", "mobilenetv3-small", "--input-size", "96", "--runs", "1", "--warmup", "0", "--format", "json",
            ])
            XCTAssertEqual(result.status, 0, result.standardError)
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
            return try XCTUnwrap((object["cpu"] as? [String: Any])?["bf16"] as? Bool)
        }
    }

    func testDetectInBFloat16FindsTheDog() throws {
        guard try bfloat16Supported else { throw XCTSkip("AVX512_BF16 kernels not run: this CPU lacks AVX512_BF16") }
        let dog = repositoryRoot.appendingPathComponent("SampleImages/dog.jpg").path
        let result = try CommandRunner.run([dog, "--precision", "bf16", "--format", "json", "--no-draw"])
        XCTAssertEqual(result.status, 0, result.standardError)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(object["precision"] as? String, "bf16")
        let labels = try XCTUnwrap(object["detections"] as? [[String: Any]]).compactMap { $0["label"] as? String }
        XCTAssertTrue(labels.contains("dog") && labels.contains("bicycle"), "\(labels)")
    }

    /// In bfloat16 every convolution but the depthwise ones multiplies in bfloat16.
    func testBenchInBFloat16SaysWhatRanInIt() throws {
        guard try bfloat16Supported else { throw XCTSkip("AVX512_BF16 kernels not run: this CPU lacks AVX512_BF16") }
        let result = try CommandRunner.run([
            "bench", "--backbone", "mobilenetv2", "--input-size", "96", "--runs", "1", "--warmup", "0", "--precision", "bf16", "--format", "json",
        ])
        XCTAssertEqual(result.status, 0, result.standardError)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(object["precision"] as? String, "bf16")
        let macs = try XCTUnwrap(object["macs"] as? Int), bfloat16 = try XCTUnwrap(object["bf16_macs"] as? Int)
        XCTAssertTrue(bfloat16 > macs / 2 && bfloat16 < macs, "\(bfloat16) of \(macs) MACs in bfloat16")
    }

    func testBFloat16WithoutTheFeatureIsAClearError() throws {
        let dog = repositoryRoot.appendingPathComponent("SampleImages/dog.jpg").path
        let detect = try CommandRunner.run([dog, "--precision", "bf16", "--format", "json", "--no-draw"], environment: ["LITEDETECT_ISA": "avx2"])
        XCTAssertNotEqual(detect.status, 0)
        XCTAssertTrue(detect.standardError.contains("AVX512_BF16") && detect.standardError.contains("LITEDETECT_ISA=avx2"), detect.standardError)
        XCTAssertTrue(detect.standardOutput.isEmpty, detect.standardOutput)
        let bench = try CommandRunner.run(
            ["bench", "--backbone", "mobilenetv3-small", "--precision", "bf16", "--runs", "1"], environment: ["LITEDETECT_ISA": "portable"])
        XCTAssertNotEqual(bench.status, 0)
        XCTAssertTrue(bench.standardError.contains("AVX512_BF16"), bench.standardError)
    }

    func testTheInstructionSetCapAndTheCPUAreInBenchJSON() throws {
        let result = try CommandRunner.run(
            ["bench", "--backbone", "mobilenetv3-small", "--input-size", "96", "--runs", "1", "--warmup", "0", "--format", "json"],
            environment: ["LITEDETECT_ISA": "portable"])
        XCTAssertEqual(result.status, 0, result.standardError)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        XCTAssertEqual(object["kernels"] as? String, "portable C")
        XCTAssertEqual(object["precision"] as? String, "f32")
        XCTAssertEqual(object["bf16_macs"] as? Int, 0)
        let cpu = try XCTUnwrap(object["cpu"] as? [String: Any])
        XCTAssertEqual(cpu["bf16"] as? Bool, false, "portable kernels have no bfloat16")
        // The kernel's own name for the CPU (on x86 Linux, the same CPUID brand string).
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
            let name = line.split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces)
        {
            XCTAssertEqual(cpu["model"] as? String, name)
        }
    }

    func testAnUnknownInstructionSetIsAClearError() throws {
        let result = try CommandRunner.run(["bench", "--backbone", "mobilenetv3-small", "--runs", "1"], environment: ["LITEDETECT_ISA": "avx1024"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.standardError.contains("LITEDETECT_ISA=avx1024 names no instruction set"), result.standardError)
    }
}
