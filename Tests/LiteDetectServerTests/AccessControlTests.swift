import AsyncHTTPClient
import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import LiteDetect
import LiteDetectServer
import NIOCore
import NIOSSL
import X509
import XCTest

/// `detect serve` with API keys, over real HTTP on loopback: every route, with the key missing,
/// wrong and right in each place a client may put it.
final class APIKeyTests: XCTestCase {
    static let rightKey = "ld-test-key-0123456789abcdef"
    static let wrongKey = "ld-test-key-0123456789abcdeX"  // the right key but its last character

    /// A request, with what makes it a valid one apart from the key.
    struct Probe: Sendable {
        var method: HTTPRequest.Method
        var path: String
        var success: HTTPResponse.Status = .ok
        var form: Bool = false  // multipart with an image: the form field `api_key` can carry the key
        var body: ByteBuffer? = nil
    }

    enum Placement: CaseIterable { case none, bearer, header, form }

    func probes() throws -> [Probe] {
        let image = try sampleImage("dog.jpg")
        return [
            Probe(method: .post, path: "/v1/detect", form: true),
            Probe(method: .post, path: "/v1/detect", body: ByteBuffer(bytes: image)),
            Probe(method: .post, path: "/v1/vision/detection", form: true),
            Probe(method: .get, path: "/v1/models"),
            Probe(method: .get, path: "/metrics"),
            Probe(method: .get, path: "/openapi.json"),
            Probe(method: .delete, path: "/v1/models", success: .methodNotAllowed),
            Probe(method: .get, path: "/no/such/route", success: .notFound),
        ]
    }

    func testEveryRouteButHealthNeedsAKeyInEachPlacement() async throws {
        let image = try sampleImage("dog.jpg")
        let probes = try probes()
        try await withServer(configure: { $0.apiKeys = try! APIKeys(["another-key-for-someone-else", Self.rightKey]) }) { client, _ in
            for probe in probes {
                for placement in Placement.allCases where placement != .form || probe.form {
                    for key in placement == .none ? [nil] : [Self.wrongKey, Self.rightKey] {
                        var headers: HTTPFields = [:]
                        var body = probe.body
                        var formFields: [(String, String)] = []
                        switch placement {
                        case .none: break
                        case .bearer: headers[.authorization] = "Bearer \(key!)"
                        case .header: headers[HTTPField.Name("X-API-Key")!] = key!
                        case .form: formFields.append(("api_key", key!))
                        }
                        if probe.form {
                            let form = multipart(image: image, fields: formFields)
                            headers[.contentType] = form.contentType
                            body = form.body
                        }
                        let what =
                            "\(probe.method) \(probe.path), key \(placement) \(key == Self.rightKey ? "right" : key == nil ? "missing" : "wrong")"
                        try await client.execute(uri: probe.path, method: probe.method, headers: headers, body: body) { response in
                            guard key == Self.rightKey else {
                                XCTAssertEqual(response.status, .unauthorized, what)
                                XCTAssertEqual(response.headers[.wwwAuthenticate], #"Bearer realm="LiteDetect""#, what)
                                let text = String(buffer: response.body)
                                XCTAssertFalse(text.contains("ld-test-key"), "the answer repeats the key: \(text)")
                                let answer = try jsonObject(response.body)
                                if probe.path == "/v1/vision/detection" {
                                    XCTAssertEqual(answer["success"] as? Bool, false, what)
                                    XCTAssertNotNil(answer["error"] as? String, what)
                                } else {
                                    let error = try XCTUnwrap(answer["error"] as? [String: Any], what)
                                    XCTAssertEqual(error["code"] as? String, key == nil ? "missing_api_key" : "wrong_api_key", what)
                                }
                                return
                            }
                            XCTAssertEqual(response.status, probe.success, "\(what): \(String(buffer: response.body).prefix(200))")
                        }
                    }
                }
            }
            for path in ["/health/live", "/health/ready"] {
                try await client.execute(uri: path, method: .get) { XCTAssertEqual($0.status, .ok, path) }
            }
        }
    }

    /// The right key's detections are the library's, whichever way the key came.
    func testAKeyedRequestGetsTheLibrarysDetections() async throws {
        let image = try sampleImage("dog.jpg")
        let expected = try libraryLines(image, options: DetectionOptions(scoreThreshold: 0.4))
        try await withServer(configure: { $0.apiKeys = try! APIKeys([Self.rightKey]) }) { client, _ in
            let form = multipart(image: image, fields: [("api_key", Self.rightKey), ("score_threshold", "0.4")])
            try await client.execute(uri: "/v1/detect", method: .post, headers: [.contentType: form.contentType], body: form.body) { response in
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(detectionLines(try jsonObject(response.body)), expected)
            }
            // A key in the query is not a key (URLs are logged), and two form keys are refused.
            try await client.execute(uri: "/v1/detect?api_key=\(Self.rightKey)", method: .post, body: ByteBuffer(bytes: image)) {
                XCTAssertEqual($0.status, .unauthorized)
            }
            let twice = multipart(image: image, fields: [("api_key", Self.rightKey), ("api_key", Self.wrongKey)])
            try await client.execute(uri: "/v1/detect", method: .post, headers: [.contentType: twice.contentType], body: twice.body) {
                XCTAssertEqual($0.status, .unauthorized)
            }
        }
    }

    func testMetricsPublicOpensOnlyMetrics() async throws {
        try await withServer(configure: {
            $0.apiKeys = try! APIKeys([Self.rightKey])
            $0.metricsPublic = true
        }) { client, _ in
            try await client.execute(uri: "/metrics", method: .get) { XCTAssertEqual($0.status, .ok) }
            try await client.execute(uri: "/v1/models", method: .get) { XCTAssertEqual($0.status, .unauthorized) }
        }
    }

    func testKeyFilesAndKeys() throws {
        XCTAssertEqual(try APIKeys.parse(fileContents: Array("first-key\r\n\n  second-key  \n".utf8)), ["first-key", "second-key"])
        XCTAssertThrowsError(try APIKeys.parse(fileContents: Array("\n \n".utf8))) { XCTAssertTrue("\($0)".contains("no key")) }
        XCTAssertThrowsError(try APIKeys.parse(fileContents: Array("good-key\nbad key\n".utf8))) { error in
            XCTAssertTrue("\(error)".contains("line 2"), "\(error)")
            XCTAssertFalse("\(error)".contains("bad key"), "a problem must not quote the key")
        }
        XCTAssertThrowsError(try APIKeys.parse(fileContents: [0xFF, 0xFE]))
        XCTAssertThrowsError(try APIKeys([]))
        let keys = try APIKeys(["alpha-key", "beta-key"])
        XCTAssertTrue(keys.accepts("alpha-key"))
        XCTAssertTrue(keys.accepts("beta-key"))
        for wrong in ["", "alpha", "alpha-key ", "alpha-keyX", "ALPHA-KEY", "beta-ke"] { XCTAssertFalse(keys.accepts(wrong), wrong) }
    }

    func testLoopbackHosts() {
        for (host, loopback) in [
            ("127.0.0.1", true), ("127.8.9.10", true), ("localhost", true), ("::1", true),
            ("0.0.0.0", false), ("192.168.1.5", false), ("::", false), ("127.0.0.1.example.com", false),
        ] {
            var configuration = ServerConfiguration()
            configuration.host = host
            XCTAssertEqual(configuration.bindsLoopbackOnly, loopback, host)
        }
    }
}

/// The rate limit per client address.
final class RateLimitTests: XCTestCase {
    func testTokenBucketRefusesPastItsRateAndRefills() throws {
        let limiter = RateLimiter(RateLimit(requestsPerSecond: 2, burst: 3))
        let a = try SocketAddress(ipAddress: "10.0.0.1", port: 1000), b = try SocketAddress(ipAddress: "10.0.0.2", port: 1000)
        let start = ContinuousClock.now
        for _ in 0..<3 { XCTAssertNil(limiter.admit(a, now: start)) }
        let wait = try XCTUnwrap(limiter.admit(a, now: start))
        XCTAssertEqual(wait / .seconds(1), 0.5, accuracy: 1e-9)
        XCTAssertNil(limiter.admit(b, now: start), "another address has its own bucket")
        XCTAssertNotNil(limiter.admit(a, now: start + .milliseconds(400)))
        XCTAssertNil(limiter.admit(a, now: start + .milliseconds(500)), "half a second refills one token at 2/s")
        // One IPv6 /64 is one client, whatever its lower 64 bits.
        let v6 = RateLimiter(RateLimit(requestsPerSecond: 1, burst: 1))
        XCTAssertNil(v6.admit(try SocketAddress(ipAddress: "2001:db8:1:2::1", port: 1), now: start))
        XCTAssertNotNil(v6.admit(try SocketAddress(ipAddress: "2001:db8:1:2:ffff::9", port: 1), now: start))
        XCTAssertNil(v6.admit(try SocketAddress(ipAddress: "2001:db8:1:3::1", port: 1), now: start))
    }

    func testAFullTableRefusesNewcomersUntilBucketsRefill() throws {
        let limiter = RateLimiter(RateLimit(requestsPerSecond: 1, burst: 1), maxClients: 2)
        let start = ContinuousClock.now
        let addresses = try (1...3).map { try SocketAddress(ipAddress: "10.0.0.\($0)", port: 1) }
        XCTAssertNil(limiter.admit(addresses[0], now: start))
        XCTAssertNil(limiter.admit(addresses[1], now: start))
        XCTAssertNotNil(limiter.admit(addresses[2], now: start), "the table is full of active clients")
        XCTAssertNil(limiter.admit(addresses[2], now: start + .seconds(2)), "idle buckets are dropped to make room")
    }

    func testRateLimitParsing() {
        XCTAssertEqual(RateLimit("10/s"), RateLimit(requestsPerSecond: 10, burst: 10))
        XCTAssertEqual(RateLimit("0.5/s"), RateLimit(requestsPerSecond: 0.5, burst: 1))
        XCTAssertEqual(RateLimit("120/min"), RateLimit(requestsPerSecond: 2, burst: 2))
        for bad in ["10", "0/s", "-1/s", "ten/s", "10/h", "nan/s", "inf/s", ""] { XCTAssertNil(RateLimit(bad), bad) }
    }

    /// Over real HTTP: past the rate, 429 with Retry-After; the health checks never count; a
    /// second later the client is served again.
    func testServerAnswers429PastTheRateAndRecovers() async throws {
        try await withServer(configure: { $0.rateLimit = RateLimit(requestsPerSecond: 3, burst: 3) }) { client, _ in
            for _ in 0..<3 { try await client.execute(uri: "/v1/models", method: .get) { XCTAssertEqual($0.status, .ok) } }
            try await client.execute(uri: "/v1/models", method: .get) { response in
                XCTAssertEqual(response.status, .tooManyRequests)
                XCTAssertEqual(response.headers[.retryAfter], "1")
                XCTAssertEqual((try jsonObject(response.body)["error"] as? [String: Any])?["code"] as? String, "rate_limited")
            }
            for _ in 0..<10 { try await client.execute(uri: "/health/ready", method: .get) { XCTAssertEqual($0.status, .ok) } }
            try await Task.sleep(for: .milliseconds(1100))
            try await client.execute(uri: "/v1/models", method: .get) { XCTAssertEqual($0.status, .ok) }
        }
    }
}

/// HTTPS with a certificate made here (swift-certificates, a P-256 key from swift-crypto), and
/// AsyncHTTPClient verifying it against that certificate as its only trust root.
final class TLSTests: XCTestCase {
    private var directory: URL!
    /// The certificate (PEM) the server answers with, and the server's TLS files.
    private var certificatePEM = ""
    private var tls: ServerTLS!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("litedetect-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let keyPEM: String
        (certificatePEM, keyPEM) = try selfSignedCertificate()
        tls = ServerTLS(
            certificateChainPath: directory.appendingPathComponent("cert.pem").path, privateKeyPath: directory.appendingPathComponent("key.pem").path)
        try certificatePEM.write(toFile: tls.certificateChainPath, atomically: true, encoding: .utf8)
        try keyPEM.write(toFile: tls.privateKeyPath, atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func testHTTPSServesHTTP2AndHTTP1ToAVerifyingClient() async throws {
        let image = try sampleImage("dog.jpg")
        let expected = try libraryLines(image, options: DetectionOptions(scoreThreshold: 0.5))

        let tls = tls!, certificatePEM = certificatePEM
        try await withServer(configure: {
            $0.tls = tls
            $0.apiKeys = try! APIKeys([APIKeyTests.rightKey])
        }) { testClient, _ in
            let port = try XCTUnwrap(testClient.port)
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)))
            tls.certificateVerification = .fullVerification
            for (version, expectedMajor) in [(HTTPClient.Configuration.HTTPVersion.automatic, 2), (.http1Only, 1)] {
                var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
                configuration.httpVersion = version
                let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
                do {
                    var request = HTTPClientRequest(url: "https://localhost:\(port)/v1/detect?score_threshold=0.5")
                    request.method = .POST
                    request.headers.add(name: "Authorization", value: "Bearer \(APIKeyTests.rightKey)")
                    request.body = .bytes(ByteBuffer(bytes: image))
                    let response = try await client.execute(request, timeout: .seconds(30))
                    XCTAssertEqual(response.status, .ok)
                    XCTAssertEqual(response.version.major, expectedMajor, "ALPN")
                    let body = try await response.body.collect(upTo: 1 << 20)
                    XCTAssertEqual(detectionLines(try jsonObject(body)), expected)
                    let refused = try await client.execute(HTTPClientRequest(url: "https://localhost:\(port)/v1/models"), timeout: .seconds(30))
                    XCTAssertEqual(refused.status, .unauthorized, "TLS does not replace the key")
                } catch {
                    try await client.shutdown()
                    throw error
                }
                try await client.shutdown()
            }
            // A client that trusts only the system's roots refuses the self-signed certificate.
            // (AsyncHTTPClient retries a failed handshake until its connect timeout: keep that short.)
            var strictConfiguration = HTTPClient.Configuration(tlsConfiguration: .makeClientConfiguration())
            strictConfiguration.timeout = .init(connect: .seconds(1))
            let strict = HTTPClient(eventLoopGroupProvider: .singleton, configuration: strictConfiguration)
            do {
                _ = try await strict.execute(HTTPClientRequest(url: "https://localhost:\(port)/health/live"), timeout: .seconds(30))
                XCTFail("an unverifiable certificate was accepted")
            } catch {
                XCTAssertTrue("\(error)".contains("CERTIFICATE_VERIFY_FAILED"), "\(error)")
            }
            try await strict.shutdown()
        }
    }

    /// A client that opens a connection and never finishes (or starts) its TLS handshake is
    /// closed after the idle timeout, as a stalled plain-HTTP client is.
    func testAStalledHandshakeIsClosed() async throws {
        let tls = tls!
        try await withServer(configure: {
            $0.tls = tls
            $0.idleTimeout = .seconds(1)
        }) { client, _ in
            let silent = try SlowClientTests.connect(port: try XCTUnwrap(client.port), timeout: 5)
            let halfHello = try SlowClientTests.connect(port: try XCTUnwrap(client.port), timeout: 5)
            defer {
                close(silent)
                close(halfHello)
            }
            // The first bytes of a TLS ClientHello record, then nothing.
            let record: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]
            _ = record.withUnsafeBytes { send(halfHello, $0.baseAddress, $0.count, 0) }
            let start = ContinuousClock.now
            for socket in [silent, halfHello] {
                var buffer = [UInt8](repeating: 0, count: 4096)
                var received = recv(socket, &buffer, buffer.count, 0)
                while received > 0 { received = recv(socket, &buffer, buffer.count, 0) }
                XCTAssertEqual(received, 0, "the server closes the stalled handshake (errno \(errno))")
            }
            XCTAssertLessThan(ContinuousClock.now - start, .seconds(4), "closed within the idle timeout, not held")
        }
    }

    func testUnusableTLSFilesFailAtStartWithTheirPath() throws {
        let server = DetectionServer(
            models: ServedModels([defaultDetector]),
            configuration: {
                var configuration = ServerConfiguration()
                configuration.tls = ServerTLS(certificateChainPath: "/nonexistent/cert.pem", privateKeyPath: "/nonexistent/key.pem")
                return configuration
            }())
        XCTAssertThrowsError(try server.makeApplication(logger: .init(label: "test"))) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/cert.pem"), "\(error)")
        }
    }

    /// A self-signed certificate for localhost, valid for an hour, and its key.
    private func selfSignedCertificate() throws -> (certificate: String, key: String) {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("localhost") }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-60), notValidAfter: now.addingTimeInterval(3600),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                SubjectAlternativeNames([.dnsName("localhost")])
            },
            issuerPrivateKey: .init(key))
        return (try certificate.serializeAsPEM().pemString, key.pemRepresentation)
    }
}
