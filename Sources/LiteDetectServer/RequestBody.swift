import Foundation
import MultipartKit
import NIOCore

/// What a detection request carries: the image bytes, and the form fields that came with them.
///
/// A `multipart/form-data` body (what DeepStack clients and HTML forms send) gives its part named
/// `image` as the image (else, for our own route, the first part with a file name) and its other
/// small parts as fields; any other body is the image itself.
struct RequestBody {
    var image: [UInt8]
    var fields: [(name: String, value: String)]

    /// Form fields longer than this are refused: they are options, not data.
    static let maxFieldBytes = 1024

    init(_ body: ByteBuffer, contentType: String?, requireImageField: Bool) throws(APIError) {
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
        var parts: [MultipartPart] = []
        var headers = HTTPHeaders()
        var partBody = ByteBuffer()
        var started = false
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in
            started = true
            headers.replaceOrAdd(name: name, value: value)
        }
        parser.onBody = { chunk in
            started = true
            partBody.writeBuffer(&chunk)
        }
        parser.onPartComplete = {
            parts.append(MultipartPart(headers: headers, body: partBody))
            headers = HTTPHeaders()
            partBody = ByteBuffer()
            started = false
        }
        do {
            try parser.execute(body)
        } catch {
            throw APIError(.badRequest, code: "bad_multipart", "the multipart body is malformed")
        }
        // The parser does not throw on a body cut short: a part it never completed says so.
        if started || parts.isEmpty {
            throw APIError(.badRequest, code: "bad_multipart", "the multipart body ends before its closing boundary")
        }
        let imagePart = parts.first { $0.name == "image" }
            ?? (requireImageField ? nil : parts.first { Self.fileName(of: $0) != nil })
        guard let imagePart else {
            throw APIError(.badRequest, code: "no_image", "no image in the form: send it in a field named \"image\"")
        }
        image = Array(imagePart.body.readableBytesView)
        var fields: [(name: String, value: String)] = []
        for part in parts where part.name != "image" && Self.fileName(of: part) == nil {
            guard let name = part.name else { continue }
            guard part.body.readableBytes <= Self.maxFieldBytes else {
                throw APIError.badParameter(String(name.prefix(64)), "longer than \(Self.maxFieldBytes) bytes")
            }
            fields.append((name, String(decoding: part.body.readableBytesView, as: UTF8.self)))
        }
        self.fields = fields
    }

    /// The `boundary` parameter of a multipart Content-Type (quoted or not; RFC 2046: 1–70 characters).
    static func boundary(in contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            return (1...70).contains(value.count) ? value : nil
        }
        return nil
    }

    /// The `filename` in a part's Content-Disposition, if it has one.
    static func fileName(of part: MultipartPart) -> String? {
        guard let disposition = part.headers.first(name: "Content-Disposition") else { return nil }
        for parameter in disposition.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "filename" { return String(pair[1]) }
        }
        return nil
    }
}
