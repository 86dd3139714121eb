import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiteDetect
import LiteDetectModels
import LiteDetectServer
import Logging
import NIOCore
import XCTest

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func sampleImage(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: repositoryRoot.appendingPathComponent("SampleImages/\(name)")))
}

/// The default model, loaded once for all server tests.
let defaultDetector: Detector = try! Detector(model: ModelCatalog.defaultModelName)

/// A server over `detectors` with `configure` applied, run for `body` on a loopback port, driven
/// by HummingbirdTesting's live client (a real socket).
func withServer<Value: Sendable>(
    _ detectors: [Detector] = [defaultDetector], configure: (inout ServerConfiguration) -> Void = { _ in },
    _ body: @Sendable (any TestClientProtocol, DetectionServer) async throws -> Value
) async throws -> Value {
    var configuration = ServerConfiguration()
    configuration.port = 0
    configure(&configuration)
    let server = DetectionServer(models: ServedModels(detectors), configuration: configuration)
    var logger = Logger(label: "test")
    logger.logLevel = .error
    return try await server.makeApplication(logger: logger).test(.live) { client in try await body(client, server) }
}

/// A multipart/form-data body with `fields` and, when given, a file part named `imageField`.
func multipart(
    image: [UInt8]?, imageField: String = "image", fields: [(String, String)] = [], boundary: String = "litedetect-test-boundary"
) -> (body: ByteBuffer, contentType: String) {
    var bytes: [UInt8] = []
    for (name, value) in fields {
        bytes += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
    }
    if let image {
        bytes += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(imageField)\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8
        )
        bytes += image + Array("\r\n".utf8)
    }
    bytes += Array("--\(boundary)--\r\n".utf8)
    return (ByteBuffer(bytes: bytes), "multipart/form-data; boundary=\(boundary)")
}

func jsonObject(_ buffer: ByteBuffer) throws -> [String: Any] {
    try XCTUnwrap(JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any], String(buffer: buffer))
}

/// Detections from a JSON answer as comparable strings (label, score to 5 decimals, box to 2).
func detectionLines(_ answer: [String: Any]) -> [String] {
    (answer["detections"] as? [[String: Any]] ?? []).map { d in
        let box = d["box"] as? [String: Double] ?? [:]
        return (d["label"] as? String ?? "?")
            + String(
                format: " %.5f %.2f %.2f %.2f %.2f", d["score"] as? Double ?? -1,
                box["x1"] ?? -1, box["y1"] ?? -1, box["x2"] ?? -1, box["y2"] ?? -1)
    }
}

/// The same, from the library run directly on the decoded image.
func libraryLines(_ image: [UInt8], detector: Detector = defaultDetector, options: DetectionOptions) throws -> [String] {
    let decoded = try ImageDecoder.decode(image)
    return try detector.makeSession().detect(decoded.image, options: options).detections.map { d in
        d.label + String(format: " %.5f %.2f %.2f %.2f %.2f", Double(d.score), Double(d.box.x1), Double(d.box.y1), Double(d.box.x2), Double(d.box.y2))
    }
}
