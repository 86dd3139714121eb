import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A `multipart/form-data` body (RFC 7578 over RFC 2046 §5.1) split into its parts, strictly and
/// within fixed bounds.
///
/// Hand-written rather than taken from multipart-kit: its 4.7.1 parser (the newest in this
/// machine's package set) crashed the server on a part header whose name holds a byte ≥ 0x80
/// (an out-of-range table lookup), found by Schemathesis. Here every byte a client sends is data:
/// the worst a body can earn is a 400. Parts are views into the body, not copies.
package struct MultipartForm {
    package struct Part {
        /// The Content-Disposition `name`.
        package var name: String?
        /// The Content-Disposition `filename` (or `filename*`), when the part is a file.
        package var fileName: String?
        /// Where the part's content lies in the body.
        package var content: Range<Int>
    }

    /// More parts than any form this server takes; beyond it, a 400.
    static let maxParts = 64
    /// Bytes of headers per part.
    static let maxHeaderBytes = 8192

    package let parts: [Part]

    /// Splits `body` at `boundary`. The preamble before the first boundary and the epilogue after
    /// the last are ignored, as RFC 2046 says.
    package init(_ body: [UInt8], boundary: String) throws(APIError) {
        let delimiter = Array("--\(boundary)".utf8)
        let separator = [UInt8(ascii: "\r"), UInt8(ascii: "\n")] + delimiter
        var position: Int
        if body.starts(with: delimiter) {
            position = delimiter.count
        } else if let first = Self.find(separator, in: body, from: 0) {
            position = first + separator.count
        } else {
            throw Self.malformed("no boundary line \"--\(boundary)\"")
        }
        var parts: [Part] = []
        while true {
            // After a boundary: "--" closes the form; otherwise optional spaces, then CRLF.
            if body[position...].starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-")]) { break }
            while position < body.count, body[position] == UInt8(ascii: " ") || body[position] == UInt8(ascii: "\t") { position += 1 }
            guard body[position...].starts(with: [UInt8(ascii: "\r"), UInt8(ascii: "\n")]) else {
                throw Self.malformed(
                    position >= body.count ? "the body ends before its closing boundary" : "a boundary line is followed by other text")
            }
            position += 2
            guard parts.count < Self.maxParts else { throw Self.malformed("more than \(Self.maxParts) parts") }
            var part = Part(content: 0..<0)
            let headersStart = position
            while true {
                let lineEnd = Self.find([UInt8(ascii: "\r"), UInt8(ascii: "\n")], in: body, from: position)
                guard (lineEnd ?? body.count) - headersStart <= Self.maxHeaderBytes else {
                    throw Self.malformed("a part's headers do not end within \(Self.maxHeaderBytes) bytes")
                }
                guard let lineEnd else { throw Self.malformed("the body ends inside a part's headers") }
                defer { position = lineEnd + 2 }
                if lineEnd == position { break }  // the empty line after the headers
                try Self.readHeader(body[position..<lineEnd], into: &part)
            }
            guard let contentEnd = Self.find(separator, in: body, from: position) else {
                throw Self.malformed("the body ends before its closing boundary")
            }
            part.content = position..<contentEnd
            parts.append(part)
            position = contentEnd + separator.count
        }
        self.parts = parts
    }

    private static func malformed(_ problem: String) -> APIError {
        APIError(.badRequest, code: "bad_multipart", "the multipart body is malformed: \(problem)")
    }

    /// One header line; only Content-Disposition matters to a form.
    private static func readHeader(_ line: ArraySlice<UInt8>, into part: inout Part) throws(APIError) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
            line[..<colon].allSatisfy({ (33...126).contains($0) })
        else {
            throw malformed("a part header is not \"Name: value\"")
        }
        guard String(decoding: line[..<colon], as: UTF8.self).lowercased() == "content-disposition" else { return }
        let value = String(decoding: line[(colon + 1)...], as: UTF8.self)
        for (key, parameter) in dispositionParameters(value) {
            switch key {
            case "name": part.name = parameter
            case "filename", "filename*": part.fileName = parameter
            default: break
            }
        }
    }

    /// `form-data; name="image"; filename="a;b.jpg"` → [("name", "image"), ("filename", "a;b.jpg")]:
    /// keys lowercased, values unquoted (backslash escapes undone), semicolons inside quotes kept.
    package static func dispositionParameters(_ value: String) -> [(String, String)] {
        var parameters: [(String, String)] = []
        var characters = Substring(value)
        // Skip the disposition type.
        guard let firstSemicolon = characters.firstIndex(of: ";") else { return [] }
        characters = characters[characters.index(after: firstSemicolon)...]
        while !characters.isEmpty {
            characters = characters.drop { $0 == " " || $0 == "\t" }
            guard let equals = characters.firstIndex(of: "=") else { break }
            let key = characters[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            characters = characters[characters.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
            var parameter = ""
            if characters.first == "\"" {
                characters = characters.dropFirst()
                var escaped = false
                while let character = characters.first {
                    characters = characters.dropFirst()
                    if escaped {
                        parameter.append(character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        break
                    } else {
                        parameter.append(character)
                    }
                }
                characters = characters.drop { $0 != ";" }
            } else {
                let end = characters.firstIndex(of: ";") ?? characters.endIndex
                parameter = characters[..<end].trimmingCharacters(in: .whitespaces)
                characters = characters[end...]
            }
            characters = characters.drop { $0 == ";" }
            parameters.append((key, parameter))
        }
        return parameters
    }

    /// The first occurrence of `needle` in `haystack` at or after `start`: `memchr` to each
    /// candidate first byte, `memcmp` for the rest (the body can be megabytes). Linear, since a
    /// delimiter (CR LF "--" and RFC 2046 boundary characters) cannot overlap itself.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard start < haystack.count, !needle.isEmpty else { return nil }
        return haystack.withUnsafeBytes { base -> Int? in
            needle.withUnsafeBytes { pattern -> Int? in
                var position = start
                while base.count - position >= pattern.count {
                    guard let hit = memchr(base.baseAddress! + position, Int32(pattern[0]), base.count - position - pattern.count + 1) else {
                        return nil
                    }
                    let index = base.baseAddress!.distance(to: UnsafeRawPointer(hit))
                    if memcmp(hit, pattern.baseAddress!, pattern.count) == 0 { return index }
                    position = index + 1
                }
                return nil
            }
        }
    }
}
