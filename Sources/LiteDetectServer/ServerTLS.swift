import LiteDetectSupport
import NIOSSL

/// The certificate chain and private key `detect serve` answers HTTPS with (PEM files).
package struct ServerTLS: Sendable {
    package var certificateChainPath: String
    package var privateKeyPath: String

    package init(certificateChainPath: String, privateKeyPath: String) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
    }

    /// Why the files could not be used.
    package struct Problem: Error, Sendable, CustomStringConvertible {
        package let description: String
    }

    /// A server TLS configuration (TLS 1.2 or later, NIO's default ciphers) from the two files,
    /// read as regular files of at most 1 MiB, so that a wrong path fails at start with its name.
    package func configuration() throws(Problem) -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(read(certificateChainPath, "certificate"))
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(description: "the TLS certificate \(certificateChainPath) holds no PEM certificate NIO can read")
        }
        guard !chain.isEmpty else { throw Problem(description: "the TLS certificate \(certificateChainPath) holds no PEM certificate") }
        do {
            key = try NIOSSLPrivateKey(bytes: read(privateKeyPath, "private key"), format: .pem)
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(description: "the TLS private key \(privateKeyPath) holds no unencrypted PEM private key NIO can read")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    private func read(_ path: String, _ what: String) throws -> [UInt8] {
        do {
            return try RegularFile.contents(of: path, maxBytes: 1 << 20)
        } catch {
            throw Problem(description: "cannot read the TLS \(what) \(path): \(error.reason)")
        }
    }
}
