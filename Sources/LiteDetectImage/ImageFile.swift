#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing image files.
///
/// Errors name the path and the reason (missing, a directory, unreadable, empty, …).
public enum ImageFile {
    /// Reads and decodes the JPEG or PNG file at `path` (format from the magic bytes, not the name).
    public static func load(_ path: String, options: ImageDecodingOptions = ImageDecodingOptions()) throws(ImageError) -> DecodedImage {
        let bytes = try readBytes(path, maxBytes: options.maxFileBytes)
        return try ImageDecoder.decode(bytes, source: path, options: options)
    }

    /// Encodes `image` and writes it to `path` atomically: the bytes go to a temporary file in the
    /// same directory, which is then renamed into place, so readers never see a half-written file.
    /// An existing file is replaced only when `overwrite` is true; otherwise `.fileExists` is thrown
    /// (checked atomically with the final link, not just beforehand). A failed write leaves
    /// no temporary file behind.
    public static func save(_ image: RGBImage, to path: String, as encoding: ImageEncoding, overwrite: Bool = false) throws(ImageError) {
        let bytes = try ImageEncoder.encode(image, as: encoding)
        try AtomicFileWriter.store(bytes, at: path, overwrite: overwrite)
    }

    /// The whole contents of the regular file at `path`, at most `maxBytes` of them.
    ///
    /// Only regular files are read: a FIFO would block until some writer appears and a device
    /// such as `/dev/zero` never ends, so both are refused before a byte is read. The size is
    /// checked before reading and again while reading, since a file can grow meanwhile.
    package static func readBytes(_ path: String, maxBytes: Int = ImageDecodingOptions().maxFileBytes) throws(ImageError) -> [UInt8] {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw .fileNotFound(path: path) }
            throw .unreadable(path: path, reason: systemMessage(code))
        }
        if (status.st_mode & S_IFMT) == S_IFDIR { throw .isDirectory(path: path) }
        try requireRegularFile(status, path: path)
        // O_NONBLOCK: should a FIFO replace the file between stat and open, open must not wait for a writer.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadable(path: path, reason: systemMessage(errno)) }
        defer { close(descriptor) }
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(path: path, reason: systemMessage(errno)) }
        try requireRegularFile(status, path: path)
        func tooLarge(_ size: Int) -> ImageError {
            .unreadable(path: path, reason: "the file is \(size) bytes, more than the limit of \(maxBytes) for an image")
        }
        if Int(status.st_size) > maxBytes { throw tooLarge(Int(status.st_size)) }

        var bytes = [UInt8]()
        bytes.reserveCapacity(Int(status.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: systemMessage(errno))
            }
            if bytes.count + count > maxBytes { throw tooLarge(bytes.count + count) }
            bytes.append(contentsOf: chunk[0..<count])
        }
        guard !bytes.isEmpty else { throw .empty(source: path) }
        return bytes
    }

    /// Refuses anything but a regular file, naming what it is.
    private static func requireRegularFile(_ status: stat, path: String) throws(ImageError) {
        let kind: String
        switch status.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: throw .isDirectory(path: path)
        case S_IFIFO: kind = "a FIFO (named pipe)"
        case S_IFCHR: kind = "a character device"
        case S_IFBLK: kind = "a block device"
        case S_IFSOCK: kind = "a socket"
        default: kind = "not a regular file"
        }
        throw .unreadable(path: path, reason: "is \(kind), expected a regular image file")
    }
}

/// The C library's text for an `errno` value.
func systemMessage(_ code: Int32) -> String {
    String(cString: strerror(code))
}
