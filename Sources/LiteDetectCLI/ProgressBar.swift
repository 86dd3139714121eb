import Foundation

/// A one-line progress bar on standard error, redrawn in place; silent when disabled.
final class ProgressBar {
    private let total: Int
    private let enabled: Bool
    private var shown = false

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    func advance(to done: Int, item: String) {
        guard enabled else { return }
        let width = 30
        let filled = total == 0 ? width : done * width / total
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        let name = item.count > 40 ? "…" + item.suffix(39) : item
        Terminal.standardErrorRaw("\r\u{1B}[K[\(bar)] \(done)/\(total) \(name)")
        shown = true
    }

    /// Removes the bar so a normal line can be printed.
    func clear() {
        guard enabled && shown else { return }
        Terminal.standardErrorRaw("\r\u{1B}[K")
        shown = false
    }

    func finish() { clear() }
}

extension Terminal {
    static func standardErrorRaw(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
