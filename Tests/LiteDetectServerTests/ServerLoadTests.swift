import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HummingbirdTesting
import LiteDetect
import LiteDetectServer
import XCTest

/// `POST /v1/detect` with a JPEG body through Foundation's URLSession: status, Retry-After, body.
private func post(_ image: [UInt8], port: Int, session: URLSession) async throws -> (status: Int, retryAfter: String?, body: Data) {
    var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/detect")!)
    request.httpMethod = "POST"
    request.setValue("image/jpeg", forHTTPHeaderField: "Content-Type")
    request.httpBody = Data(image)
    let (data, response) = try await session.data(for: request)
    let http = try XCTUnwrap(response as? HTTPURLResponse)
    return (http.statusCode, http.value(forHTTPHeaderField: "Retry-After"), data)
}

/// Many clients at once (Foundation's URLSession, separate connections): sessions in parallel give
/// the library's detections; a full queue answers 429 with Retry-After and the server recovers.
final class ServerLoadTests: XCTestCase {
    func testConcurrentRequestsOnSeveralWorkersMatchTheLibrary() async throws {
        let images = try ["dog.jpg", "horses.jpg", "person.jpg", "eagle.jpg"].map(sampleImage)
        let threshold = defaultDetector.config.postprocess.detectThreshold ?? 0.5
        let expected = try images.map { try libraryLines($0, options: DetectionOptions(scoreThreshold: threshold)) }
        try await withServer(configure: { $0.workers = 3; $0.queueLimit = 32 }) { client, _ in
            let port = try XCTUnwrap(client.port)
            let session = URLSession(configuration: .ephemeral)
            let answers = try await withThrowingTaskGroup(of: (Int, Int, Data).self) { group in
                for index in 0..<12 {
                    group.addTask { let r = try await post(images[index % 4], port: port, session: session); return (index, r.status, r.body) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            XCTAssertEqual(answers.count, 12)
            for (index, status, body) in answers {
                XCTAssertEqual(status, 200)
                let answer = try XCTUnwrap(JSONSerialization.jsonObject(with: body) as? [String: Any])
                XCTAssertEqual(detectionLines(answer), expected[index % 4], "request \(index)")
            }
        }
    }

    func testAFullQueueAnswers429AndRecovers() async throws {
        let image = try sampleImage("horses.jpg")
        try await withServer(configure: { $0.workers = 1; $0.queueLimit = 0; $0.retryAfterSeconds = 2 }) { client, _ in
            let port = try XCTUnwrap(client.port)
            let session = URLSession(configuration: .ephemeral)
            let results = try await withThrowingTaskGroup(of: (status: Int, retryAfter: String?, body: Data).self) { group in
                for _ in 0..<8 { group.addTask { try await post(image, port: port, session: session) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let refused = results.filter { $0.status == 429 }
            XCTAssertGreaterThanOrEqual(results.filter { $0.status == 200 }.count, 1)
            XCTAssertGreaterThanOrEqual(refused.count, 1, "\(results.map(\.status))")
            XCTAssertEqual(Set(results.map(\.status)), Set(results.map(\.status)).intersection([200, 429]))
            for refusal in refused {
                XCTAssertEqual(refusal.retryAfter, "2")
                let error = try XCTUnwrap((try JSONSerialization.jsonObject(with: refusal.body) as? [String: Any])?["error"] as? [String: Any])
                XCTAssertEqual(error["code"] as? String, "queue_full")
            }
            // Once the burst is over, the next request is served.
            let after = try await post(image, port: port, session: session)
            XCTAssertEqual(after.status, 200)
        }
    }
}
