import LiteDetectKernels

/// A feature map produced while a network runs, by index into its network's value table.
public struct Value: Hashable, Sendable, CustomStringConvertible {
    public let id: Int
    init(_ id: Int) { self.id = id }
    public var description: String { "%\(id)" }
}
