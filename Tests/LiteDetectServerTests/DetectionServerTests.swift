import Foundation
import HTTPTypes
import HummingbirdTesting
import LiteDetect
import LiteDetectServer
import NIOCore
import XCTest

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `detect serve`'s routes over real HTTP on loopback: answers against the library run directly,
/// every refusal with its status and body shape, the DeepStack shape, health, metrics, OpenAPI.
final class DetectionServerTests: XCTestCase {
    func testDetectOnARawImageBodyMatchesTheLibrary() async throws {
        let image = try sampleImage("dog.jpg")
        let expected = try libraryLines(image, options: DetectionOptions(scoreThreshold: defaultDetector.config.postprocess.detectThreshold ?? 0.5))
        XCTAssertFalse(expected.isEmpty)
        try await withServer { client, _ in
            try await client.execute(uri: "/v1/detect", method: .post, headers: [.contentType: "image/jpeg"], body: ByteBuffer(bytes: image)) {
                response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(response.headers[.contentType], "application/json")
                let answer = try jsonObject(response.body)
                XCTAssertEqual(detectionLines(answer), expected)
                XCTAssertEqual(answer["model"] as? String, defaultDetector.config.name)
                XCTAssertEqual(answer["width"] as? Int, 768)
                XCTAssertNil(answer["path"])
            }
        }
    }

    /// Options from the query and from multipart fields, applied as the library applies them.
    func testOptionsFromQueryAndFormFields() async throws {
        let image = try sampleImage("dog.jpg")
        let options = DetectionOptions(scoreThreshold: 0.3, classIDs: try defaultDetector.classIDs(forLabels: ["dog", "bicycle"]))
        let expected = try libraryLines(image, options: options)
        XCTAssertEqual(Set(expected.map { $0.split(separator: " ")[0] }), ["dog", "bicycle"])
        try await withServer { client, _ in
            try await client.execute(uri: "/v1/detect?score_threshold=0.3&classes=dog,bicycle", method: .post, body: ByteBuffer(bytes: image)) {
                response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(detectionLines(try jsonObject(response.body)), expected)
            }
            let form = multipart(image: image, fields: [("score_threshold", "0.3"), ("classes", "dog, bicycle")])
            try await client.execute(uri: "/v1/detect", method: .post, headers: [.contentType: form.contentType], body: form.body) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(detectionLines(try jsonObject(response.body)), expected)
            }
        }
    }

    /// The DeepStack route: multipart `image`, `min_confidence`; DeepStack's field names and types.
    func testDeepStackRouteSpeaksDeepStack() async throws {
        let image = try sampleImage("dog.jpg")
        let decoded = try ImageDecoder.decode(image)
        let expected = try defaultDetector.makeSession().detect(decoded.image, options: DetectionOptions(scoreThreshold: 0.6)).detections
        try await withServer { client, _ in
            let form = multipart(image: image, fields: [("min_confidence", "0.6")])
            try await client.execute(uri: "/v1/vision/detection", method: .post, headers: [.contentType: form.contentType], body: form.body) {
                response in
                XCTAssertEqual(response.status, .ok)
                let answer = try jsonObject(response.body)
                XCTAssertEqual(answer["success"] as? Bool, true)
                let predictions = try XCTUnwrap(answer["predictions"] as? [[String: Any]])
                XCTAssertEqual(predictions.count, expected.count)
                for (prediction, detection) in zip(predictions, expected) {
                    XCTAssertEqual(Set(prediction.keys), ["label", "confidence", "x_min", "y_min", "x_max", "y_max"])
                    XCTAssertEqual(prediction["label"] as? String, detection.label)
                    XCTAssertEqual(try XCTUnwrap(prediction["confidence"] as? Double), Double(detection.score), accuracy: 1e-6)
                    // Whole pixels, as JSON integers (DeepStack clients read them as int).
                    XCTAssertEqual(prediction["x_min"] as? Int, Int(detection.box.x1.rounded()))
                    XCTAssertEqual(prediction["y_max"] as? Int, Int(detection.box.y2.rounded()))
                }
            }
            // No image field, and not a form at all: DeepStack's error shape with the status.
            let noImage = multipart(image: nil, fields: [("min_confidence", "0.5")])
            try await client.execute(uri: "/v1/vision/detection", method: .post, headers: [.contentType: noImage.contentType], body: noImage.body) {
                response in
                XCTAssertEqual(response.status, .badRequest)
                let answer = try jsonObject(response.body)
                XCTAssertEqual(answer["success"] as? Bool, false)
                XCTAssertNotNil(answer["error"] as? String)
            }
            let badConfidence = multipart(image: image, fields: [("min_confidence", "1.5")])
            try await client.execute(
                uri: "/v1/vision/detection", method: .post, headers: [.contentType: badConfidence.contentType], body: badConfidence.body
            ) { response in
                XCTAssertEqual(response.status, .badRequest)
                XCTAssertEqual(try jsonObject(response.body)["error"] as? String, "Invalid value for min_confidence")
            }
        }
    }

    /// Each refusal: status, stable code, a message without file paths.
    func testRefusalsHaveTheirStatusAndCode() async throws {
        let image = try sampleImage("dog.jpg")
        XCTAssertGreaterThan(image.count, 100_000)
        try await withServer(configure: { $0.maxBodyBytes = 100_000 }) { client, _ in
            func expect(
                _ uri: String, body: ByteBuffer, contentType: String = "image/jpeg", status: HTTPResponse.Status, code: String, line: UInt = #line
            ) async throws {
                try await client.execute(uri: uri, method: .post, headers: [.contentType: contentType], body: body) { response in
                    XCTAssertEqual(response.status, status, String(buffer: response.body), line: line)
                    let error = try XCTUnwrap(try jsonObject(response.body)["error"] as? [String: Any], line: line)
                    XCTAssertEqual(error["code"] as? String, code, line: line)
                    let message = try XCTUnwrap(error["message"] as? String, line: line)
                    XCTAssertFalse(message.contains("/work/") || message.contains(".swift"), message, line: line)
                }
            }
            let small = ByteBuffer(bytes: image.prefix(50_000))
            try await expect("/v1/detect?score_threshold=2", body: small, status: .badRequest, code: "bad_parameter")
            try await expect("/v1/detect?treshold=0.5", body: small, status: .badRequest, code: "bad_parameter")
            try await expect("/v1/detect?max_detections=0", body: small, status: .badRequest, code: "bad_parameter")
            try await expect("/v1/detect?model=nope", body: small, status: .notFound, code: "unknown_model")
            try await expect("/v1/detect?classes=unicorn", body: small, status: .badRequest, code: "unknown_class")
            try await expect(
                "/v1/detect", body: ByteBuffer(string: "just some text, not a picture"), contentType: "text/plain", status: .badRequest,
                code: "not_an_image")
            try await expect("/v1/detect", body: ByteBuffer(), status: .badRequest, code: "no_image")
            try await expect("/v1/detect", body: ByteBuffer(bytes: image), status: .contentTooLarge, code: "body_too_large")
            let truncated = multipart(image: Array(image.prefix(5000)))
            try await expect(
                "/v1/detect", body: truncated.body.getSlice(at: 0, length: 3000)!, contentType: truncated.contentType, status: .badRequest,
                code: "bad_multipart")
            try await expect("/v1/detect", body: small, contentType: "multipart/form-data", status: .badRequest, code: "bad_multipart")
            // A JPEG cut short decodes as far as it goes only when asked; the server refuses it.
            try await expect("/v1/detect", body: ByteBuffer(bytes: image.prefix(3000)), status: .badRequest, code: "not_an_image")
        }
    }

    func testHealthModelsMetricsAndOpenAPI() async throws {
        let image = try sampleImage("dog.jpg")
        try await withServer { client, _ in
            try await client.execute(uri: "/health/live", method: .get) { XCTAssertEqual($0.status, .ok) }
            try await client.execute(uri: "/health/ready", method: .get) { XCTAssertEqual($0.status, .ok) }
            try await client.execute(uri: "/v1/models", method: .get) { response in
                let models = try XCTUnwrap(try jsonObject(response.body)["models"] as? [[String: Any]])
                XCTAssertEqual(models.first?["name"] as? String, defaultDetector.config.name)
                XCTAssertEqual(models.first?["default"] as? Bool, true)
                XCTAssertTrue((models.first?["classes"] as? [String])?.contains("person") == true)
            }
            try await client.execute(uri: "/v1/detect", method: .post, body: ByteBuffer(bytes: image)) { XCTAssertEqual($0.status, .ok) }
            try await client.execute(uri: "/v1/detect?model=nope", method: .post, body: ByteBuffer(bytes: image)) {
                XCTAssertEqual($0.status, .notFound)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                XCTAssertEqual(response.status, .ok)
                let text = String(buffer: response.body)
                XCTAssertTrue(text.contains(#"litedetect_http_requests_total{route="/v1/detect",status="200"} 1"#), text)
                XCTAssertTrue(text.contains(#"litedetect_http_requests_total{route="/v1/detect",status="404"} 1"#), text)
                XCTAssertTrue(text.contains(#"litedetect_stage_duration_seconds_count{stage="inference"} 1"#), text)
                XCTAssertTrue(text.contains("litedetect_queue_depth 0"), text)
            }
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                let committed = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/openapi.json"), encoding: .utf8)
                XCTAssertEqual(
                    String(buffer: response.body), committed.trimmingCharacters(in: .newlines), "docs/openapi.json is what the server serves")
                let document = try jsonObject(response.body)
                let paths = try XCTUnwrap(document["paths"] as? [String: Any])
                XCTAssertEqual(
                    Set(paths.keys),
                    ["/v1/detect", "/v1/models", "/v1/vision/detection", "/health/live", "/health/ready", "/metrics", "/openapi.json"])
            }
            try await client.execute(uri: "/nothing-here", method: .get) { XCTAssertEqual($0.status, .notFound) }
        }
    }

    /// Every route the OpenAPI document lists answers its own methods (and HEAD with GET); any
    /// other method is 405 with an `Allow` header naming the document's methods (RFC 9110), and
    /// a path the document lacks is a 404 in the API's error shape. Paths clients make up never
    /// become metric labels.
    func testMethodsOutsideTheDocumentAre405AndUnknownPaths404() async throws {
        let document = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: repositoryRoot.appendingPathComponent("docs/openapi.json"))) as? [String: Any])
        let paths = try XCTUnwrap(document["paths"] as? [String: [String: Any]]).mapValues { Set($0.keys.map { $0.uppercased() }) }
        let probes: [HTTPRequest.Method] = [.get, .head, .post, .put, .delete, .patch, .options, .trace]
        try await withServer { client, _ in
            for (path, operations) in paths {
                var documented = operations
                if documented.contains("GET") { documented.insert("HEAD") }
                for method in probes where !documented.contains(method.rawValue) {
                    try await client.execute(uri: path, method: method) { response in
                        XCTAssertEqual(response.status, .methodNotAllowed, "\(method) \(path)")
                        let allow = response.headers[.allow]?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                        XCTAssertEqual(Set(allow ?? []), documented, "\(method) \(path)")
                        // A HEAD answer has no body, by definition.
                        if method != .head {
                            let error = try XCTUnwrap(try jsonObject(response.body)["error"] as? [String: Any], "\(method) \(path)")
                            XCTAssertEqual(error["code"] as? String, "method_not_allowed")
                        }
                    }
                }
                if documented.contains("GET") {
                    try await client.execute(uri: path, method: .head) { response in
                        XCTAssertEqual(response.status, .ok, "HEAD \(path)")
                        XCTAssertEqual(response.body.readableBytes, 0, "HEAD \(path)")
                    }
                }
            }
            try await client.execute(uri: "/v2/made-up", method: .post) { response in
                XCTAssertEqual(response.status, .notFound)
                let error = try XCTUnwrap(try jsonObject(response.body)["error"] as? [String: Any])
                XCTAssertEqual(error["code"] as? String, "not_found")
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                XCTAssertTrue(text.contains(#"litedetect_http_requests_total{route="unmatched",status="404"} 1"#), text)
                XCTAssertFalse(text.contains("made-up"), text)
            }
        }
    }
}

/// Once the server stops taking work (as on SIGTERM, after the listener closes), readiness fails
/// and a detection that still arrives is told to retry elsewhere.
final class ShutdownAnswerTests: XCTestCase {
    func testAStoppedPoolAnswers503AndNotReady() async throws {
        let image = try sampleImage("dog.jpg")
        try await withServer { client, server in
            server.pool.shutdown()
            try await client.execute(uri: "/health/ready", method: .get) { XCTAssertEqual($0.status, .serviceUnavailable) }
            try await client.execute(uri: "/health/live", method: .get) { XCTAssertEqual($0.status, .ok) }
            try await client.execute(uri: "/v1/detect", method: .post, body: ByteBuffer(bytes: image)) { response in
                XCTAssertEqual(response.status, .serviceUnavailable)
                XCTAssertEqual(response.headers[.retryAfter], "1")
                XCTAssertEqual((try jsonObject(response.body)["error"] as? [String: Any])?["code"] as? String, "shutting_down")
            }
            let form = multipart(image: image)
            try await client.execute(uri: "/v1/vision/detection", method: .post, headers: [.contentType: form.contentType], body: form.body) {
                response in
                XCTAssertEqual(response.status, .serviceUnavailable)
                XCTAssertEqual(try jsonObject(response.body)["success"] as? Bool, false)
            }
        }
    }
}
