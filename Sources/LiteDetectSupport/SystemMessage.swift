#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The C library's text for an `errno` value ("Permission denied"), for error messages.
package func systemMessage(_ code: Int32) -> String {
    String(cString: strerror(code))
}
