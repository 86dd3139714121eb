import Dispatch
import Foundation
import XCTest

/// Runs the built `detect` binary, as swift-argument-parser's `AssertExecuteCommand` does for its examples.
struct CommandResult {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

enum CommandRunner {
    /// The `detect` executable next to the test bundle in the build folder.
    static var executable: URL {
        get throws {
            let candidates = [Bundle.main.bundleURL, Bundle(for: Marker.self).bundleURL.deletingLastPathComponent()]
                .map { $0.appendingPathComponent("detect") }
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
                throw XCTSkip("the detect binary is not built next to the tests (\(candidates.map(\.path)))")
            }
            return found
        }
    }

    private final class Marker {}

    /// `environment`: variables set on top of this process's environment.
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> CommandResult {
        try runProgram(try executable, arguments, in: directory, environment: environment)
    }

    /// Runs any program (a shell, setpriv, `detect`) and collects its output and status. A program
    /// still running after `timeout` seconds is killed, so a hang fails the test instead of CI.
    static func runProgram(
        _ executable: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:], timeout: Double = 120
    ) throws -> CommandResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        defer { watchdog.cancel() }
        // Read before waiting so a chatty process never blocks on a full pipe.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errData, as: UTF8.self))
    }
}

/// A fresh temporary directory, removed by the caller's `tearDown`.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("litedetect-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let streetJPEG = repositoryRoot.appendingPathComponent("SampleImages/street.jpg").path
