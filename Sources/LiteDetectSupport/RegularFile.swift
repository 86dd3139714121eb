#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way LiteDetect reads a whole file a user named: images, model configs, weights,
/// source models for import.
///
/// Only regular files are read: a FIFO would block until some writer appears, `/dev/zero` never
/// ends, a directory is a mistake. The checks are made on the opened descriptor (`fstat`), not
/// only on the path, so a file swapped for a FIFO between a check and the read cannot block
/// (TOCTOU); the open itself does not wait for a FIFO's writer (`O_NONBLOCK`). The size limit
/// applies before anything is read and again while reading, since a file can grow meanwhile.
package enum RegularFile {
    /// Why a file was not read. `reason` is the wording the readers' error messages use.
    package struct Problem: Error, Sendable, Equatable {
        package enum Kind: Sendable, Equatable {
            case notFound, directory, notRegular, tooLarge, unreadable
        }

        package let kind: Kind
        /// "no such file", "is a directory", "is a FIFO (named pipe), not a regular file", …
        package let reason: String
        /// For `.tooLarge`: the size found (at least; the file may be growing).
        package var size: Int? = nil
    }

    /// The whole contents of the regular file at `path`, at most `maxBytes` of them, in the
    /// container the caller works with (`[UInt8]`, Foundation's `Data`), filled in place rather
    /// than copied into it afterwards: a weights file is read once. An empty file gives an empty
    /// container: whether that is an error is the caller's to say.
    package static func contents<Bytes: RangeReplaceableCollection<UInt8>>(
        of path: String, maxBytes: Int, as _: Bytes.Type = [UInt8].self
    ) throws(Problem) -> Bytes {
        let descriptor = try openForReading(path)
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw Problem(kind: .unreadable, reason: systemMessage(errno)) }
        func tooLarge(_ size: Int) -> Problem {
            Problem(kind: .tooLarge, reason: "the file is \(size) bytes, more than the limit of \(maxBytes)", size: size)
        }
        let size = Int(status.st_size)
        if size > maxBytes { throw tooLarge(size) }

        var bytes = Bytes()
        bytes.reserveCapacity(size)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw Problem(kind: .unreadable, reason: systemMessage(errno))
            }
            if bytes.count + count > maxBytes { throw tooLarge(bytes.count + count) }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    /// A read-only descriptor (close-on-exec) on the regular file at `path`, for readers that
    /// stream a file rather than load it whole (video). The caller closes it.
    package static func openForReading(_ path: String) throws(Problem) -> Int32 {
        // Checked on the path first, so that nothing but a regular file is even opened (opening
        // some devices has effects), then again on the descriptor, which is what is read.
        var status = stat()
        guard stat(path, &status) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw Problem(kind: .notFound, reason: "no such file") }
            throw Problem(kind: .unreadable, reason: systemMessage(code))
        }
        try requireRegular(status)
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw Problem(kind: .notFound, reason: "no such file") }
            if code == EISDIR { throw Problem(kind: .directory, reason: "is a directory") }
            throw Problem(kind: .unreadable, reason: systemMessage(code))
        }
        do throws(Problem) {
            guard fstat(descriptor, &status) == 0 else { throw Problem(kind: .unreadable, reason: systemMessage(errno)) }
            try requireRegular(status)
        } catch {
            close(descriptor)
            throw error
        }
        return descriptor
    }

    /// Refuses anything but a regular file, naming what it is.
    private static func requireRegular(_ status: stat) throws(Problem) {
        switch status.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: throw Problem(kind: .directory, reason: "is a directory")
        case S_IFIFO: throw Problem(kind: .notRegular, reason: "is a FIFO (named pipe), not a regular file")
        case S_IFCHR: throw Problem(kind: .notRegular, reason: "is a character device, not a regular file")
        case S_IFBLK: throw Problem(kind: .notRegular, reason: "is a block device, not a regular file")
        case S_IFSOCK: throw Problem(kind: .notRegular, reason: "is a socket, not a regular file")
        default: throw Problem(kind: .notRegular, reason: "is not a regular file")
        }
    }
}
