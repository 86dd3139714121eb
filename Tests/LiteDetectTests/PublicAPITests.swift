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
        XCTAssertTrue(
            added.isEmpty && removed.isEmpty,
            """
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

    /// A toolchain program on PATH (swift-symbolgraph-extract, docc).
    static func toolchainProgram(_ name: String) throws -> URL {
        try XCTUnwrap(
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
                .map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
                .first { FileManager.default.isExecutableFile(atPath: $0.path) },
            "\(name) (part of the Swift toolchain) is not on PATH")
    }

    /// Runs `program` with `arguments`; fails the test with its standard error unless it exits 0.
    static func run(_ program: URL, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        // One pipe for both streams: docc prints its diagnostics on standard output.
        let output = Pipe()
        process.standardError = output
        process.standardOutput = output
        try process.run()
        let message = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(
            process.terminationStatus, 0, "\(program.lastPathComponent): \(String(decoding: message, as: UTF8.self))",
            file: file, line: line)
    }

    /// Writes the public symbol graphs of `modules` (built by this build) into `output`.
    static func extractSymbolGraphs(of modules: [String], into output: URL) throws {
        let tool = try toolchainProgram("swift-symbolgraph-extract")
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
        // …and the C modules of the dependencies that ship their own module map (swift-system's CSystem).
        var folder = buildFolder
        while folder.path != "/" && !FileManager.default.fileExists(atPath: folder.appendingPathComponent("checkouts").path) {
            folder.deleteLastPathComponent()
        }
        let checkouts = folder.appendingPathComponent("checkouts")
        for package in (try? FileManager.default.contentsOfDirectory(atPath: checkouts.path)) ?? [] {
            let sources = checkouts.appendingPathComponent("\(package)/Sources")
            for target in (try? FileManager.default.contentsOfDirectory(atPath: sources.path)) ?? [] {
                let include = sources.appendingPathComponent("\(target)/include")
                if FileManager.default.fileExists(atPath: include.appendingPathComponent("module.modulemap").path) {
                    clang += ["-Xcc", "-I" + include.path]
                }
            }
        }
        for module in modules {
            try run(
                tool,
                [
                    "-module-name", module, "-target", try Self.target(), "-I", moduleFolder.path,
                    "-minimum-access-level", "public", "-skip-synthesized-members", "-output-dir", output.path,
                ] + clang)
        }
    }

    /// One line per public symbol: module, kind, path and declaration, sorted.
    static func publicSymbols() throws -> [String] {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("litedetect-symbols-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: output) }
        try extractSymbolGraphs(of: modules, into: output)
        var lines: [String] = []
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

/// The DocC documentation of `LiteDetect` (`Sources/LiteDetect/LiteDetect.docc` and the doc
/// comments) builds with the toolchain's `docc` and no warning: every symbol link in the articles,
/// topics and doc comments resolves.
final class DocumentationBuildTests: XCTestCase {
    func testTheDocumentationBuildsWithoutWarnings() throws {
        let docc = try PublicAPITests.toolchainProgram("docc")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("litedetect-docc-\(UUID().uuidString)")
        let graphs = work.appendingPathComponent("symbol-graphs")
        try FileManager.default.createDirectory(at: graphs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        try PublicAPITests.extractSymbolGraphs(of: ["LiteDetect"], into: graphs)
        let catalog = PublicAPITests.list.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/LiteDetect/LiteDetect.docc")
        try PublicAPITests.run(
            docc,
            [
                "convert", catalog.path, "--additional-symbol-graph-dir", graphs.path, "--output-path", work.appendingPathComponent("out").path,
                "--fallback-display-name", "LiteDetect", "--fallback-bundle-identifier", "org.litedetect.LiteDetect",
                "--warnings-as-errors",
            ])
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: work.appendingPathComponent("out/data/documentation/litedetect.json").path),
            "docc wrote the module page")
    }
}
