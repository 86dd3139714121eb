import Foundation
import XCTest

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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
        let url = try XCTUnwrap(
            port.map { URL(string: "http://127.0.0.1:\($0)/v1/detect")! },
            "no address printed: \((try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")")
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

    /// Starts `detect serve` with `arguments` and returns it once it prints where it listens, with
    /// the port and everything it wrote to stderr by then.
    private func startServer(_ arguments: [String], environment: [String: String] = [:]) async throws -> (Process, Int, String) {
        let process = Process()
        process.executableURL = try CommandRunner.executable
        process.arguments = ["serve", "--port", "0"] + arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let errorFile = directory.appendingPathComponent("stderr-\(UUID().uuidString)")
        try Data().write(to: errorFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<600 {
            let text = try String(contentsOf: errorFile, encoding: .utf8)
            if let range = text.range(of: "://127.0.0.1:") ?? text.range(of: "://0.0.0.0:"),
                let port = Int(text[range.upperBound...].prefix { $0.isNumber })
            {
                return (process, port, text)
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw XCTSkip("detect serve did not start: \((try? String(contentsOf: errorFile, encoding: .utf8)) ?? "")")
    }

    /// A key file: the served routes need the key; a world-readable file is warned about; the
    /// serving line says a key is required.
    func testAPIKeyFileProtectsTheServer() async throws {
        let keyFile = directory.appendingPathComponent("keys.txt")
        try "first-key-0123456789\nsecond-key-0123456789\n".write(to: keyFile, atomically: true, encoding: .utf8)
        chmod(keyFile.path, 0o644)
        let (process, port, log) = try await startServer(["--api-key-file", keyFile.path])
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        XCTAssertTrue(log.contains("can be read by every user"), log)
        XCTAssertTrue(log.contains("API key required"), log)
        XCTAssertFalse(log.contains("first-key"), "the key is printed: \(log)")
        let session = URLSession(configuration: .ephemeral)
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/models")!)
        let (_, refused) = try await session.data(for: request)
        XCTAssertEqual((refused as? HTTPURLResponse)?.statusCode, 401)
        request.setValue("Bearer second-key-0123456789", forHTTPHeaderField: "Authorization")
        let (_, accepted) = try await session.data(for: request)
        XCTAssertEqual((accepted as? HTTPURLResponse)?.statusCode, 200)
        let (_, health) = try await session.data(from: URL(string: "http://127.0.0.1:\(port)/health/ready")!)
        XCTAssertEqual((health as? HTTPURLResponse)?.statusCode, 200)
    }

    func testListeningBeyondLoopbackWithoutAKeyIsWarnedAbout() async throws {
        let (process, _, log) = try await startServer(["--host", "0.0.0.0"])
        process.terminate()
        process.waitUntilExit()
        XCTAssertTrue(log.contains("warning: listening on 0.0.0.0 without an API key"), log)
    }

    func testAccessFlagsAreChecked() throws {
        for (arguments, message) in [
            (["--tls-cert", "cert.pem"], "--tls-cert and --tls-key go together"),
            (["--rate-limit", "10"], "--rate-limit must be N/s or N/min"),
            (["--metrics-public"], "--metrics-public only means something with API keys"),
            (["--api-key-file", "/nonexistent/keys.txt"], "cannot read the API key file /nonexistent/keys.txt: no such file"),
            (["--tls-cert", "/nonexistent/c.pem", "--tls-key", "/nonexistent/k.pem"], "cannot read the TLS certificate /nonexistent/c.pem"),
        ] {
            let result = try CommandRunner.run(["serve", "--port", "0"] + arguments, environment: ["LITEDETECT_API_KEY": ""])
            XCTAssertNotEqual(result.status, 0, arguments.joined(separator: " "))
            XCTAssertTrue(result.standardError.contains(message), "\(arguments): \(result.standardError)")
        }
        let spaced = try CommandRunner.run(["serve", "--port", "0"], environment: ["LITEDETECT_API_KEY": "two words"])
        XCTAssertNotEqual(spaced.status, 0)
        XCTAssertTrue(spaced.standardError.contains("LITEDETECT_API_KEY holds whitespace"), spaced.standardError)
        XCTAssertFalse(spaced.standardError.contains("two words"), "the key is printed: \(spaced.standardError)")
    }
}
