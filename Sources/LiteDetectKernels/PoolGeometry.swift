/// Window size, stride and padding of a max or average pool.
package struct PoolGeometry: Sendable, Hashable, CustomStringConvertible {
    package var input: FeatureMapShape
    package var kernel: Int
    package var stride: Int
    package var padding: Padding
    /// PyTorch `ceil_mode`: round the output size up, so a last partial window still counts
    /// (SqueezeNet relies on it). Windows that would start in the bottom/right padding are dropped.
    package var ceilMode: Bool

    package init(input: FeatureMapShape, kernel: Int, stride: Int, padding: Padding = .zero, ceilMode: Bool = false) {
        self.input = input
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.ceilMode = ceilMode
    }

    private func outputSize(_ size: Int, _ before: Int, _ after: Int) -> Int {
        let span = size + before + after - kernel
        var count = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
        // PyTorch: the last window must start inside the input or the leading padding.
        if ceilMode && (count - 1) * stride >= size + before { count -= 1 }
        return count
    }

    package var output: FeatureMapShape {
        FeatureMapShape(
            height: outputSize(input.height, padding.top, padding.bottom),
            width: outputSize(input.width, padding.left, padding.right),
            channels: input.channels)
    }

    package var problem: String? {
        if kernel < 1 || stride < 1 { return "pool kernel and stride must be ≥ 1" }
        // PyTorch's rule: padding up to half the window, so every window holds an input pixel.
        if [padding.top, padding.bottom, padding.left, padding.right].contains(where: { $0 < 0 || $0 > kernel / 2 }) {
            return "pool padding \(padding) is more than half the \(kernel)×\(kernel) window"
        }
        if input.height + padding.top + padding.bottom < kernel || input.width + padding.left + padding.right < kernel {
            return "input \(input) is smaller than the \(kernel)×\(kernel) pool window"
        }
        return nil
    }

    package var description: String { "pool \(kernel)×\(kernel)/\(stride) pad \(padding)\(ceilMode ? " ceil" : ""): \(input) → \(output)" }
}
