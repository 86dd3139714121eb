import Foundation
import XCTest

/// The public API of the four library products, as the compiler sees it (swift-symbolgraph-extract
/// on the modules this build made), against the reviewed list in docs/public-api.txt: an addition,
/// a removal or a changed declaration fails until the list is updated on purpose.
///
/// To review a change: `LITEDETECT_UPDATE_PUBLIC_API=1 swift test -c release --filter PublicAPITests`
/// rewrites the list; the diff is the API change.
final class PublicAPITests: XCTestCase {
    static let modules = ["LiteDetect", "LiteDetectModels", "LiteDetectEvaluation", "LiteDetectVideo"]
    static let list = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/public-api.txt")

    func testThePublicAPIIsTheReviewedOne() throws {
        let current = try Self.publicSymbols()
        if ProcessInfo.processInfo.environment["LITEDETECT_UPDATE_PUBLIC_API"] == "1" {
            try (current.joined(separator: "\n") + "\n").write(to: Self.list, atomically: true, encoding: .utf8)
            return
        }
        let reviewed = try String(contentsOf: Self.list, encoding: .utf8).split(separator: "\n").map(String.init)
        let added = Set(current).subtracting(reviewed).sorted(), removed = Set(reviewed).subtracting(current).sorted()
        XCTAssertTrue(added.isEmpty && removed.isEmpty, """
            the public API changed; review it and update docs/public-api.txt (see PublicAPITests)
            added:\n\(added.map { "  + " + $0 }.joined(separator: "\n"))
            removed:\n\(removed.map { "  - " + $0 }.joined(separator: "\n"))
            """)
        XCTAssertGreaterThan(current.count, 100, "too few symbols: the extraction went wrong")
    }

    /// The target triple the modules were built for.
    static func target() throws -> String {
        #if os(Linux) && arch(x86_64)
        return "x86_64-unknown-linux-gnu"
        #elseif os(Linux) && arch(arm64)
        return "aarch64-unknown-linux-gnu"
        #else
        throw XCTSkip("the symbol list is kept for Linux builds")
        #endif
    }

    /// One line per public symbol: module, kind, path and declaration, sorted.
    static func publicSymbols() throws -> [String] {
        let tool = try XCTUnwrap(
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
                .map { URL(fileURLWithPath: String($0)).appendingPathComponent("swift-symbolgraph-extract") }
                .first { FileManager.default.isExecutableFile(atPath: $0.path) },
            "swift-symbolgraph-extract (part of the Swift toolchain) is not on PATH")
        // The test bundle lies in the build folder, beside the modules it was built with.
        let bundle = Bundle(for: PublicAPITests.self).bundleURL
        let buildFolder = try XCTUnwrap(
            [bundle, bundle.deletingLastPathComponent()].first {
                FileManager.default.fileExists(atPath: $0.appendingPathComponent("Modules").path)
            }, "no Modules folder beside the test bundle \(bundle.path)")
        let moduleFolder = buildFolder.appendingPathComponent("Modules")
        let root = list.deletingLastPathComponent().deletingLastPathComponent()
        // The C modules the Swift ones import: SwiftPM's generated module maps, and the C targets' headers.
        var clang: [String] = []
        for entry in try FileManager.default.contentsOfDirectory(atPath: buildFolder.path) where entry.hasSuffix(".build") {
            let map = buildFolder.appendingPathComponent(entry).appendingPathComponent("module.modulemap")
            if FileManager.default.fileExists(atPath: map.path) { clang += ["-Xcc", "-fmodule-map-file=\(map.path)"] }
        }
        for target in try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Sources").path) where target.hasPrefix("C") {
            clang += ["-Xcc", "-I" + root.appendingPathComponent("Sources/\(target)/include").path]
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("litedetect-symbols-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: output) }
        var lines: [String] = []
        for module in Self.modules {
            let process = Process()
            process.executableURL = tool
            process.arguments = [
                "-module-name", module, "-target", try Self.target(), "-I", moduleFolder.path,
                "-minimum-access-level", "public", "-skip-synthesized-members", "-output-dir", output.path,
            ] + clang
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let message = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "\(module): \(String(decoding: message, as: UTF8.self))")
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: output.path) where file.hasSuffix(".symbols.json") {
            let module = String(file.dropLast(".symbols.json".count))
            let graph = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent(file))) as? [String: Any])
            for symbol in graph["symbols"] as? [[String: Any]] ?? [] {
                let kind = (symbol["kind"] as? [String: Any])?["identifier"] as? String ?? "?"
                let path = (symbol["pathComponents"] as? [String] ?? []).joined(separator: ".")
                let declaration = (symbol["declarationFragments"] as? [[String: Any]] ?? []).compactMap { $0["spelling"] as? String }.joined()
                lines.append("\(module) \(kind) \(path): \(declaration)")
            }
        }
        return lines.sorted()
    }
}
