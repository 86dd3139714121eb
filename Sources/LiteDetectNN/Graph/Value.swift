import LiteDetectKernels

/// A feature map produced while a network runs, by index into its network's value table.
package struct Value: Hashable, Sendable, CustomStringConvertible {
    package let id: Int
    init(_ id: Int) { self.id = id }
    package var description: String { "%\(id)" }
}
