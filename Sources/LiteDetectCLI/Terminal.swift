import Foundation

/// Standard streams for the CLI (the library never prints).
enum Terminal {
    static var standardErrorIsTerminal: Bool { isatty(2) == 1 }

    static func standardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func standardOutput(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
