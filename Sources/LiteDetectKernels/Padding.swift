/// Zero padding around a feature map, per side.
///
/// PyTorch pads symmetrically; TensorFlow's `SAME` pads the extra row/column at the
/// bottom/right when the total is odd, so the four sides are independent.
package struct Padding: Sendable, Hashable, CustomStringConvertible {
    package var top: Int
    package var left: Int
    package var bottom: Int
    package var right: Int

    package init(top: Int, left: Int, bottom: Int, right: Int) {
        self.top = top
        self.left = left
        self.bottom = bottom
        self.right = right
    }

    /// The same padding on every side.
    package static func symmetric(_ p: Int) -> Padding { Padding(top: p, left: p, bottom: p, right: p) }

    package static let zero = Padding.symmetric(0)

    /// TensorFlow `SAME` padding: output size `ceil(input / stride)`, the odd pixel at the bottom/right.
    package static func tensorFlowSame(
        inputHeight: Int, inputWidth: Int, kernelHeight: Int, kernelWidth: Int, stride: Int
    ) -> Padding {
        func split(_ input: Int, _ kernel: Int) -> (Int, Int) {
            let output = (input + stride - 1) / stride
            let total = max((output - 1) * stride + kernel - input, 0)
            return (total / 2, total - total / 2)
        }
        let (top, bottom) = split(inputHeight, kernelHeight)
        let (left, right) = split(inputWidth, kernelWidth)
        return Padding(top: top, left: left, bottom: bottom, right: right)
    }

    package var description: String {
        top == left && left == bottom && bottom == right ? "\(top)" : "(t\(top) l\(left) b\(bottom) r\(right))"
    }
}
