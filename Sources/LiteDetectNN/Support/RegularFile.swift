import Foundation

/// The one check every reader of user-given files makes before reading: the path names a regular
/// file (a FIFO would block until a writer appears, `/dev/zero` never ends, a directory is a
/// mistake), and how large it is, so size limits apply before anything is read. Its reasons are
/// the words the readers' error messages use.
package enum RegularFile {
    package struct Problem: Error, Sendable {
        /// "no such file", "is a directory", "is a FIFO (named pipe), not a regular file", …
        package let reason: String
    }

    /// The size in bytes of the regular file at `path`, or why it is not one.
    package static func size(at path: String) -> Result<Int, Problem> {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .failure(Problem(reason: "no such file")) }
            return .failure(Problem(reason: String(cString: strerror(code))))
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG: return .success(Int(status.st_size))
        case S_IFDIR: return .failure(Problem(reason: "is a directory"))
        case S_IFIFO: return .failure(Problem(reason: "is a FIFO (named pipe), not a regular file"))
        default: return .failure(Problem(reason: "is a device or socket, not a regular file"))
        }
    }
}
