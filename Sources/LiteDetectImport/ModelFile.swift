import Foundation
import LiteDetectNN

/// Reading a source model's bytes: regular files only, with a size limit checked before reading
/// (a protobuf field can declare any length; the file's real size bounds every allocation).
enum ModelFile {
    /// Protobuf messages cannot exceed 2 GiB; nothing an importer reads is larger.
    static let maxBytes = 2 << 30

    static func read(_ path: String, maxBytes: Int = maxBytes) throws(ImportError) -> Data {
        let size: Int
        switch RegularFile.size(at: path) {
        case let .success(bytes): size = bytes
        case let .failure(problem): throw .unreadable(file: path, reason: problem.reason)
        }
        guard size <= maxBytes else { throw .unreadable(file: path, reason: "\(size) bytes is over the limit of \(maxBytes)") }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
    }

    /// The file's sha256 as lowercase hex, for provenance.
    static func sha256(_ data: Data) -> String { SHA256.hex(of: data) }
}
