import LiteDetectSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that it appears complete or not at all.
///
/// The bytes go to a uniquely named temporary file (`O_CREAT | O_EXCL`) in the target's
/// directory, are flushed with `fsync`, and the temporary is then moved into place:
/// with `rename` when replacing is allowed, or with `link` (which fails with `EEXIST`
/// rather than replace) followed by removing the temporary name when it is not, so two
/// writers can never both believe they created the file (where the file system has
/// hard links; elsewhere the check and the rename are two steps).
enum AtomicFileWriter {
    static func store(_ bytes: [UInt8], at path: String, overwrite: Bool) throws(ImageError) {
        var status = stat()
        if stat(path, &status) == 0 {
            if (status.st_mode & S_IFMT) == S_IFDIR { throw .isDirectory(path: path) }
            if !overwrite { throw .fileExists(path: path) }
        }
        let temporary = try createTemporary(near: path)
        // Closed exactly once: closing a descriptor twice could close one another thread just opened.
        var isOpen = true
        do throws(ImageError) {
            try writeAll(bytes, to: temporary.descriptor, path: path)
            guard fsync(temporary.descriptor) == 0 else { throw .writeFailed(path: path, reason: systemMessage(errno)) }
            isOpen = false
            guard close(temporary.descriptor) == 0 else { throw .writeFailed(path: path, reason: systemMessage(errno)) }
            try moveIntoPlace(temporary.path, path, overwrite: overwrite)
        } catch {
            if isOpen { close(temporary.descriptor) }
            unlink(temporary.path)
            throw error
        }
    }

    private static func createTemporary(near path: String) throws(ImageError) -> (path: String, descriptor: Int32) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        for _ in 0..<16 {
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let candidate = directory + "." + name + ".tmp-" + suffix
            let descriptor = open(candidate, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            if descriptor >= 0 { return (candidate, descriptor) }
            if errno != EEXIST { throw .writeFailed(path: path, reason: systemMessage(errno)) }
        }
        throw .writeFailed(path: path, reason: "could not create a unique temporary file beside it")
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(ImageError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .writeFailed(path: path, reason: systemMessage(errno))
            }
            offset += written
        }
    }

    private static func moveIntoPlace(_ temporary: String, _ path: String, overwrite: Bool) throws(ImageError) {
        if overwrite {
            guard rename(temporary, path) == 0 else { throw .writeFailed(path: path, reason: systemMessage(errno)) }
            return
        }
        if link(temporary, path) == 0 {
            unlink(temporary)
            return
        }
        let code = errno
        if code == EEXIST { throw .fileExists(path: path) }
        // Some file systems (FAT, some network mounts) have no hard links: fall back to
        // check-then-rename, which leaves a small window for a racing writer.
        guard code == EPERM || code == ENOTSUP || code == EOPNOTSUPP else {
            throw .writeFailed(path: path, reason: systemMessage(code))
        }
        var status = stat()
        if stat(path, &status) == 0 { throw .fileExists(path: path) }
        guard rename(temporary, path) == 0 else { throw .writeFailed(path: path, reason: systemMessage(errno)) }
    }
}
