import Crypto
import Foundation

/// The API keys a server accepts, held only as HMAC-SHA-256 tags under a key drawn at start-up,
/// never as the keys themselves.
///
/// A presented key is checked with swift-crypto's `HMAC.isValidAuthenticationCode`, whose
/// comparison is documented as constant-time, against every stored tag (no early exit). The
/// presented bytes reach the comparison only through the HMAC, so how many leading characters
/// they share with a real key cannot change how long the check takes.
package struct APIKeys: Sendable {
    /// Why a list of keys was refused.
    package struct Problem: Error, Sendable, CustomStringConvertible {
        package let description: String
    }

    /// The HMAC key, as bytes: `SymmetricKey` is not `Sendable`, and this value is shared by
    /// every connection's task.
    private let tagKeyBytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
    private let tags: [Data]

    /// Keys as given; each must be non-empty and free of whitespace and control characters
    /// (nothing else could travel in an `Authorization: Bearer` header).
    package init(_ keys: [String]) throws(Problem) {
        guard !keys.isEmpty else { throw Problem(description: "no API keys given") }
        for (index, key) in keys.enumerated() {
            if let problem = Self.problem(with: key) { throw Problem(description: "key \(index + 1) \(problem)") }
        }
        let tagKey = SymmetricKey(data: tagKeyBytes)
        tags = keys.map { key in Data(HMAC<Crypto.SHA256>.authenticationCode(for: Data(key.utf8), using: tagKey)) }
    }

    /// Keys from the text of a key file: one per line; surrounding whitespace (and a CRLF's CR)
    /// is dropped and blank lines are skipped. Problems name the line, never the key.
    package static func parse(fileContents: [UInt8]) throws(Problem) -> [String] {
        guard let text = String(validating: fileContents, as: UTF8.self) else {
            throw Problem(description: "the file is not UTF-8 text")
        }
        var keys: [String] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let key = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if key.isEmpty { continue }
            if let problem = problem(with: key) { throw Problem(description: "line \(index + 1): the key \(problem)") }
            keys.append(key)
        }
        guard !keys.isEmpty else { throw Problem(description: "the file holds no key (one per line)") }
        return keys
    }

    /// Whether `presented` is one of the keys.
    package func accepts(_ presented: some StringProtocol) -> Bool {
        let bytes = Data(presented.utf8)
        let tagKey = SymmetricKey(data: tagKeyBytes)
        var accepted = false
        for tag in tags where HMAC<Crypto.SHA256>.isValidAuthenticationCode(tag, authenticating: bytes, using: tagKey) {
            accepted = true
        }
        return accepted
    }

    /// What is wrong with `key` ("is empty", "holds whitespace or a control character", …), or nil.
    package static func problem(with key: String) -> String? {
        if key.isEmpty { return "is empty" }
        if key.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) {
            return "holds whitespace or a control character"
        }
        if key.utf8.count > 4096 { return "is longer than 4096 bytes" }
        return nil
    }
}
