import Foundation
import NIOCore

/// What a detection request carries: the image bytes, and the form fields that came with them.
///
/// A `multipart/form-data` body (what DeepStack clients and HTML forms send) gives its part named
/// `image` as the image (else, for our own route, the first part with a file name) and its other
/// small parts as fields; any other body is the image itself.
package struct RequestBody {
    package var image: [UInt8]
    package var fields: [(name: String, value: String)]

    /// Form fields longer than this are refused: they are options, not data.
    static let maxFieldBytes = 1024

    package init(_ body: ByteBuffer, contentType: String?, requireImageField: Bool) throws(APIError) {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else {
            guard !requireImageField else {
                throw APIError(.badRequest, code: "not_multipart", "send the image as multipart/form-data, in a field named \"image\"")
            }
            image = Array(body.readableBytesView)
            fields = []
            return
        }
        guard let boundary = Self.boundary(in: contentType) else {
            throw APIError(.badRequest, code: "bad_multipart", "multipart/form-data without a boundary parameter")
        }
        let bytes = Array(body.readableBytesView)
        let parts = try MultipartForm(bytes, boundary: boundary).parts
        let imagePart = parts.first { $0.name == "image" } ?? (requireImageField ? nil : parts.first { $0.fileName != nil })
        guard let imagePart else {
            throw APIError(.badRequest, code: "no_image", "no image in the form: send it in a field named \"image\"")
        }
        image = Array(bytes[imagePart.content])
        var fields: [(name: String, value: String)] = []
        for part in parts where part.name != "image" && part.fileName == nil {
            guard let name = part.name else { continue }
            guard part.content.count <= Self.maxFieldBytes else {
                throw APIError.badParameter(String(name.prefix(64)), "longer than \(Self.maxFieldBytes) bytes")
            }
            fields.append((name, String(decoding: bytes[part.content], as: UTF8.self)))
        }
        self.fields = fields
    }

    /// The `boundary` parameter of a multipart Content-Type (quoted or not), or nil when it is not one RFC 2046 allows.
    package static func boundary(in contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            // RFC 2046 §5.1.1: 1–70 of these characters, not ending in a space. (The parser's
            // search relies on it: such a delimiter cannot overlap itself.)
            let allowed = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ")
            guard (1...70).contains(value.count), value.allSatisfy(allowed.contains), value.last != " " else { return nil }
            return value
        }
        return nil
    }
}
