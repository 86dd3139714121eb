#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffered reads from a file descriptor (a file, a pipe, standard input): header lines from a
/// small buffer, frame payloads straight into the caller's memory. Never seeks, so pipes work.
final class FileDescriptorInput {
    let descriptor: Int32
    let name: String
    private let closesDescriptor: Bool
    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var reachedEnd = false

    init(descriptor: Int32, name: String, closesDescriptor: Bool, bufferSize: Int = 1 << 16) {
        self.descriptor = descriptor
        self.name = name
        self.closesDescriptor = closesDescriptor
        buffer = .allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit {
        buffer.deallocate()
        if closesDescriptor { close(descriptor) }
    }

    /// The next line without its `\n`, valid until the next call; `nil` at the end of the input
    /// before any byte. Throws when the line is longer than `maxLength` or the input ends inside it.
    func readLine(maxLength: Int, tooLong: () -> VideoError, unterminated: (Int) -> VideoError) throws(VideoError) -> UnsafeRawBufferPointer? {
        precondition(maxLength < buffer.count, "line limit must fit the buffer")
        // Bytes after `start` known to hold no newline (an offset, since `refill` moves the data).
        var scanned = 0
        while true {
            if let newline = ((start + scanned)..<end).first(where: { buffer[$0] == UInt8(ascii: "\n") }) {
                let line = UnsafeRawBufferPointer(rebasing: buffer[start..<newline])
                start = newline + 1
                return line
            }
            guard end - start <= maxLength else { throw tooLong() }
            scanned = end - start
            if reachedEnd {
                if start == end { return nil }
                throw unterminated(end - start)
            }
            try refill()
        }
    }

    /// Fills `destination` completely unless the input ends first; returns the bytes read.
    func read(into destination: UnsafeMutableRawBufferPointer) throws(VideoError) -> Int {
        let buffered = min(end - start, destination.count)
        if buffered > 0 {
            destination.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: buffered)
            start += buffered
        }
        var filled = buffered
        while filled < destination.count && !reachedEnd {
            let count = try readSome(into: destination.baseAddress! + filled, count: destination.count - filled)
            if count == 0 { reachedEnd = true }
            filled += count
        }
        return filled
    }

    /// True when no byte is left (reads ahead if needed).
    func atEnd() throws(VideoError) -> Bool {
        if start < end { return false }
        if !reachedEnd { try refill() }
        return start == end
    }

    /// Moves unread bytes to the front and reads more after them.
    private func refill() throws(VideoError) {
        if start > 0 {
            let pending = end - start
            if pending > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: pending) }
            (start, end) = (0, pending)
        }
        let count = try readSome(into: buffer.baseAddress! + end, count: buffer.count - end)
        if count == 0 { reachedEnd = true }
        end += count
    }

    private func readSome(into destination: UnsafeMutableRawPointer, count: Int) throws(VideoError) -> Int {
        while true {
            let result = systemRead(descriptor, destination, count)
            if result >= 0 { return result }
            if errno == EINTR { continue }
            throw .readFailed(source: name, reason: String(cString: strerror(errno)))
        }
    }
}

/// `read(2)`, named apart from `FileDescriptorInput.read(into:)`.
private func systemRead(_ descriptor: Int32, _ destination: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, destination, count)
}
