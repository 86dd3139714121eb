import Foundation
import LiteDetectNN
import LiteDetectSupport

/// Reading a source model's bytes: regular files only, with a size limit checked before reading
/// (a protobuf field can declare any length; the file's real size bounds every allocation).
enum ModelFile {
    /// Protobuf messages cannot exceed 2 GiB; nothing an importer reads is larger.
    static let maxBytes = 2 << 30

    static func read(_ path: String, maxBytes: Int = maxBytes) throws(ImportError) -> Data {
        do { return try RegularFile.contents(of: path, maxBytes: maxBytes, as: Data.self) } catch {
            throw .unreadable(file: path, reason: error.reason)
        }
    }

    /// The file's sha256 as lowercase hex, for provenance.
    static func sha256(_ data: Data) -> String { SHA256.hex(of: data) }
}
