import Foundation

/// The SSD / Faster R-CNN center-size box coding: a 4-number code moves an anchor's center by a
/// fraction of its size and scales its size by an exponential.
///
/// Decoding, with `(dx, dy, dw, dh) = code / scaleFactors` (read in `order`):
///
///     centerX = dx · anchor.width  + anchor.centerX      width  = exp(min(dw, maxLogScale)) · anchor.width
///     centerY = dy · anchor.height + anchor.centerY      height = exp(min(dh, maxLogScale)) · anchor.height
///
/// and the box is `center ∓ size / 2`. The formula is unit-free, so decoding normalised anchors
/// gives normalised boxes. torchvision decodes in pixels of the resized input instead
/// (anchors in pixels); both agree up to float32 rounding, which the tests bound.
///
/// Variance-style coders (pytorch-ssd, Caffe: `center · 0.1`, `size · 0.2`) are the same coder
/// with scale factors `1 / variance` (10, 5); they multiply where this divides, a last-bit difference.
package struct CenterSizeBoxCoder: Sendable, Hashable {
    /// Where each component sits in the 4 numbers a head emits per anchor.
    package enum CodeOrder: Sendable, Hashable {
        /// `(dx, dy, dw, dh)`: torchvision, pytorch-ssd, Caffe.
        case xywh
        /// `(ty, tx, th, tw)`: TensorFlow Object Detection API.
        case yxhw
    }

    /// Divisors of the code components, always named by axis whatever `order` is.
    package struct ScaleFactors: Sendable, Hashable {
        package var x: Float
        package var y: Float
        package var width: Float
        package var height: Float

        package init(x: Float, y: Float, width: Float, height: Float) {
            self.x = x
            self.y = y
            self.width = width
            self.height = height
        }
    }

    package var order: CodeOrder
    package var scaleFactors: ScaleFactors
    /// Upper clamp of the scaled log-size deltas before `exp`, or nil for none.
    package var maxLogScale: Float?

    package init(order: CodeOrder, scaleFactors: ScaleFactors, maxLogScale: Float? = nil) {
        self.order = order
        self.scaleFactors = scaleFactors
        self.maxLogScale = maxLogScale
    }

    /// torchvision `det_utils.BoxCoder(weights=(10, 10, 5, 5))` as used by `SSD`, with its
    /// `bbox_xform_clip = log(1000 / 16)` clamp on dw and dh.
    package static let torchvision = CenterSizeBoxCoder(
        order: .xywh, scaleFactors: ScaleFactors(x: 10, y: 10, width: 5, height: 5),
        maxLogScale: Float(log(1000.0 / 16.0)))

    /// TensorFlow `FasterRcnnBoxCoder(scale_factors=[10, 10, 5, 5])`: (ty, tx, th, tw), no clamp.
    package static let tensorFlow = CenterSizeBoxCoder(
        order: .yxhw, scaleFactors: ScaleFactors(x: 10, y: 10, width: 5, height: 5))

    /// pytorch-ssd `convert_locations_to_boxes` with center variance 0.1 and size variance 0.2.
    package static let pytorchSSD = CenterSizeBoxCoder(
        order: .xywh, scaleFactors: ScaleFactors(x: 10, y: 10, width: 5, height: 5))

    /// Decodes one code, given as the 4 numbers of one anchor in `order`.
    @inlinable
    package func decode(_ c0: Float, _ c1: Float, _ c2: Float, _ c3: Float, anchor: CenterSizeBox) -> Box {
        let (rawX, rawY, rawWidth, rawHeight) = order == .xywh ? (c0, c1, c2, c3) : (c1, c0, c3, c2)
        let dx = rawX / scaleFactors.x
        let dy = rawY / scaleFactors.y
        var dw = rawWidth / scaleFactors.width
        var dh = rawHeight / scaleFactors.height
        if let maxLogScale {
            dw = min(dw, maxLogScale)
            dh = min(dh, maxLogScale)
        }
        let centerX = dx * anchor.width + anchor.centerX
        let centerY = dy * anchor.height + anchor.centerY
        let halfWidth = 0.5 * (expf(dw) * anchor.width)
        let halfHeight = 0.5 * (expf(dh) * anchor.height)
        return Box(x1: centerX - halfWidth, y1: centerY - halfHeight, x2: centerX + halfWidth, y2: centerY + halfHeight)
    }

    /// The code (in `order`) that `decode` maps `anchor` onto `box` with — training targets, as
    /// torchvision's `encode_single` / TensorFlow's `_encode` compute them (no clamp applies).
    /// `box` must be proper (positive width and height) for the logarithms to be finite.
    package func encode(_ box: Box, anchor: CenterSizeBox) -> (Float, Float, Float, Float) {
        let target = CenterSizeBox(box)
        let dx = scaleFactors.x * (target.centerX - anchor.centerX) / anchor.width
        let dy = scaleFactors.y * (target.centerY - anchor.centerY) / anchor.height
        let dw = scaleFactors.width * logf(target.width / anchor.width)
        let dh = scaleFactors.height * logf(target.height / anchor.height)
        return order == .xywh ? (dx, dy, dw, dh) : (dy, dx, dh, dw)
    }
}
