import Foundation
import LiteDetectServer
import XCTest

/// The server's multipart/form-data parser: a body urllib3 encoded (what `requests`, and so
/// DeepStack's Python clients, send) split into the parts urllib3 was given; hostile bodies
/// refused with a 400, never a crash.
final class MultipartFormTests: XCTestCase {
    private func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)"))
    }

    func testSplitsWhatURLLib3Encoded() throws {
        let body = [UInt8](try fixture("urllib3-form.bin"))
        let expected = try XCTUnwrap(JSONSerialization.jsonObject(with: try fixture("urllib3-form.json")) as? [String: Any])
        let contentType = try XCTUnwrap(expected["content_type"] as? String)
        let boundary = try XCTUnwrap(RequestBody.boundary(in: contentType))
        let parts = try MultipartForm(body, boundary: boundary).parts
        let given = try XCTUnwrap(expected["parts"] as? [[String: String]])
        XCTAssertEqual(parts.count, given.count)
        for (part, original) in zip(parts, given) {
            XCTAssertEqual(part.name, original["name"])
            XCTAssertEqual(part.fileName != nil, original["filename"] != nil, original["name"] ?? "")
            XCTAssertEqual(Data(body[part.content]), Data(base64Encoded: original["content_base64"] ?? ""), original["name"] ?? "")
        }
        // Through RequestBody, as the DeepStack route reads it.
        let request = try RequestBody(.init(bytes: body), contentType: contentType, requireImageField: true)
        XCTAssertEqual(request.fields.map(\.name), ["api_key", "min_confidence", "note"])
        XCTAssertEqual(request.fields.last?.value, "ünïcode ✓")
    }

    func testHostileBodiesAre400s() {
        let boundary = "b0undary"
        func form(_ text: String) -> [UInt8] { Array(text.utf8) }
        let hostile: [(String, [UInt8])] = [
            // What crashed multipart-kit: a header name byte ≥ 0x80.
            (
                "header name byte 0x89",
                Array("--b0undary\r\n".utf8) + [0xC2, 0x89, 0x41, 0x3A, 0x20, 0x78] + Array("\r\n\r\nx\r\n--b0undary--\r\n".utf8)
            ),
            ("no boundary at all", form("just text")),
            ("empty body", []),
            ("never closed", form("--b0undary\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue")),
            ("headers never end", form("--b0undary\r\nContent-Disposition: form-data; name=\"a\"\r\n")),
            ("LF line ends", form("--b0undary\nContent-Disposition: form-data; name=\"a\"\n\nv\n--b0undary--\n")),
            ("text after a boundary", form("--b0undaryXYZ\r\n\r\nv\r\n--b0undary--")),
            ("header without colon", form("--b0undary\r\nContent-Disposition form-data\r\n\r\nv\r\n--b0undary--")),
            ("ends right after a boundary", form("--b0undary")),
            ("huge header", form("--b0undary\r\nX-Padding: " + String(repeating: "a", count: 10_000) + "\r\n\r\nv\r\n--b0undary--")),
            (
                "too many parts",
                form(String(repeating: "--b0undary\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n", count: 65) + "--b0undary--")
            ),
        ]
        for (what, body) in hostile {
            XCTAssertThrowsError(try MultipartForm(body, boundary: boundary), what) { error in
                XCTAssertEqual((error as? APIError)?.status, .badRequest, what)
            }
        }
        // Every single-byte change to a valid form either parses or is a 400.
        let valid = form("--b0undary\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\n\r\nxyz\r\n--b0undary--\r\n")
        XCTAssertEqual(try MultipartForm(valid, boundary: boundary).parts.count, 1)
        for index in valid.indices {
            for byte: UInt8 in [0x00, 0x0A, 0x0D, 0x2D, 0x3A, 0x3B, 0x22, 0x5C, 0x80, 0xC3, 0xFF] {
                var mutated = valid
                mutated[index] = byte
                do { _ = try MultipartForm(mutated, boundary: boundary) } catch { XCTAssertEqual(error.status, .badRequest) }
            }
            _ = try? MultipartForm(Array(valid[..<index]), boundary: boundary)
        }
    }

    func testDispositionParameters() {
        let parameters = MultipartForm.dispositionParameters(#"form-data; name="image"; filename="a;b \"c\".jpg"; x=plain"#)
        XCTAssertEqual(parameters.map(\.0), ["name", "filename", "x"])
        XCTAssertEqual(parameters.map(\.1), ["image", #"a;b "c".jpg"#, "plain"])
        XCTAssertTrue(MultipartForm.dispositionParameters("form-data").isEmpty)
        XCTAssertEqual(MultipartForm.dispositionParameters(#"form-data; NAME="unterminated"#).first?.1, "unterminated")
    }
}
