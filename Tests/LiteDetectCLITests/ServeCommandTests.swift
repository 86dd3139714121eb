import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest

/// `detect serve` as a process: it prints where it listens, answers, and on SIGTERM finishes the
/// request in flight and exits 0.
final class ServeCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try makeTemporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testServesThenShutsDownGracefullyOnSIGTERM() async throws {
        let process = Process()
        process.executableURL = try CommandRunner.executable
        process.arguments = ["serve", "--port", "0", "--workers", "1"]
        let errorFile = directory.appendingPathComponent("stderr")
        try Data().write(to: errorFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // The port, from "detect: serving MODEL on http://127.0.0.1:PORT".
        var port: Int?
        for _ in 0..<600 where port == nil {
            let text = try String(contentsOf: errorFile, encoding: .utf8)
            if let range = text.range(of: "http://127.0.0.1:") {
                port = Int(text[range.upperBound...].prefix { $0.isNumber })
            } else {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        let url = try XCTUnwrap(port.map { URL(string: "http://127.0.0.1:\($0)/v1/detect")! }, "no address printed: \((try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")")
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = try Data(contentsOf: repositoryRoot.appendingPathComponent("SampleImages/horses.jpg"))
        let session = URLSession(configuration: .ephemeral)

        let (_, first) = try await session.data(for: request)
        XCTAssertEqual((first as? HTTPURLResponse)?.statusCode, 200)

        // A request in flight when SIGTERM arrives is answered; then the process exits cleanly.
        async let inFlight = session.data(for: request)
        try await Task.sleep(for: .milliseconds(10))
        kill(process.processIdentifier, SIGTERM)
        let (body, response) = try await inFlight
        XCTAssertEqual((response as? HTTPURLResponse)?.statusCode, 200, String(decoding: body, as: UTF8.self))
        for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        XCTAssertFalse(process.isRunning, "still running 10 s after SIGTERM")
        XCTAssertEqual(process.terminationStatus, 0, (try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")
    }
}
