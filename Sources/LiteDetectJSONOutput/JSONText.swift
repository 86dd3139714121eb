/// Minimal JSON text building with keys kept in the order written (the documented schema order).
package enum JSONText {
    package static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Shortest round-tripping decimal; non-finite values (never produced) become null.
    package static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    package static func number(_ value: Float) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded() && abs(value) < 1e7 { return String(Int64(value)) }
        return "\(value)"
    }

    /// A duration in milliseconds to the microsecond: clocks are not finer, and `12.294136000000002` helps nobody.
    package static func milliseconds(_ value: Double) -> String {
        number((value * 1000).rounded() / 1000)
    }

    package static func milliseconds(_ value: Duration) -> String { milliseconds(value / .milliseconds(1)) }

    package static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(string($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    package static func array(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }
}
