import Foundation
import LiteDetectTestSupport
import XCTest

/// The sources are formatted with the project's .swift-format and .clang-format:
/// `Tools/format.sh --check` (swift-format from the toolchain, Debian's clang-format 14) finds
/// nothing to change. Run `Tools/format.sh` to format.
final class FormattingTests: XCTestCase {
    func testTheSourcesAreFormatted() throws {
        let searchPath = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        guard searchPath.contains(where: { FileManager.default.isExecutableFile(atPath: $0 + "/clang-format") }) else {
            throw XCTSkip("formatting not checked: clang-format is not installed (apt install clang-format)")
        }
        try PublicAPITests.run(repositoryRoot.appendingPathComponent("Tools/format.sh"), ["--check"])
    }
}
