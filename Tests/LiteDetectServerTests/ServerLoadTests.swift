import Foundation
import HummingbirdTesting
import LiteDetect
import LiteDetectServer
import NIOCore
import XCTest

#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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
        try await withServer(configure: {
            $0.workers = 3
            $0.queueLimit = 32
        }) { client, _ in
            let port = try XCTUnwrap(client.port)
            let session = URLSession(configuration: .ephemeral)
            let answers = try await withThrowingTaskGroup(of: (Int, Int, Data).self) { group in
                for index in 0..<12 {
                    group.addTask {
                        let r = try await post(images[index % 4], port: port, session: session)
                        return (index, r.status, r.body)
                    }
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
        try await withServer(configure: {
            $0.workers = 1
            $0.queueLimit = 0
            $0.retryAfterSeconds = 2
        }) { client, _ in
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

/// Slow and stalled clients: a connection that stops sending is closed after the idle timeout,
/// and meanwhile the workers keep serving others.
final class SlowClientTests: XCTestCase {
    /// A TCP connection to 127.0.0.1:`port` (blocking socket, receive timeout `seconds`).
    static func connect(port: Int, timeout seconds: Int) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(socket, 0)
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(connected, 0)
        return socket
    }

    func testStalledUploadsAreClosedWhileOthersAreServed() async throws {
        let image = try sampleImage("dog.jpg")
        try await withServer(configure: {
            $0.idleTimeout = .seconds(1)
            $0.workers = 1
        }) { client, _ in
            let port = try XCTUnwrap(client.port)
            // Half a request head, and a head whose promised body never comes.
            let partialHead = try Self.connect(port: port, timeout: 5)
            let stalledBody = try Self.connect(port: port, timeout: 5)
            defer {
                close(partialHead)
                close(stalledBody)
            }
            _ = "POST /v1/detect HTTP/1.1\r\nHost: local".withCString { send(partialHead, $0, strlen($0), 0) }
            _ = "POST /v1/detect HTTP/1.1\r\nHost: local\r\nContent-Length: 100000\r\n\r\nabc".withCString { send(stalledBody, $0, strlen($0), 0) }
            // The one worker is not held: a normal request is answered meanwhile.
            try await client.execute(uri: "/v1/detect", method: .post, body: ByteBuffer(bytes: image)) { XCTAssertEqual($0.status, .ok) }
            let start = ContinuousClock.now
            for socket in [partialHead, stalledBody] {
                var byte: UInt8 = 0
                var received = recv(socket, &byte, 1, 0)
                // A 408/400 answer may come before the close; read until the end either way.
                var buffer = [UInt8](repeating: 0, count: 4096)
                while received > 0 { received = recv(socket, &buffer, buffer.count, 0) }
                XCTAssertEqual(received, 0, "the server closes the stalled connection (errno \(errno))")
            }
            XCTAssertLessThan(ContinuousClock.now - start, .seconds(4), "closed within the idle timeout, not held")
        }
    }
}
