/// The shape of one feature map (batch size 1) stored channels-last (NHWC).
///
/// LiteDetect keeps a single layout end to end: rows of pixels, each pixel a run of channels.
/// Depthwise convolutions vectorise over channels and 1×1 convolutions become a GEMM with
/// output channels as the wide dimension, which is why channels are innermost.
package struct FeatureMapShape: Sendable, Hashable, CustomStringConvertible {
    package var height: Int
    package var width: Int
    package var channels: Int

    package init(height: Int, width: Int, channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
    }

    package var pixelCount: Int { height * width }
    package var elementCount: Int { height * width * channels }
    package var description: String { "\(height)×\(width)×\(channels)" }
}

/// A read-write window onto a feature map in memory: `height × width` pixels, each pixel
/// `channels` consecutive floats, consecutive pixels `pixelStride` floats apart.
///
/// A `pixelStride` larger than `channels` lets one operation read or write a channel slice of a
/// wider map (the halves of a ShuffleNet V2 split, one part of a concat) without copying.
package struct FeatureMapView {
    package let base: UnsafeMutablePointer<Float>
    package let shape: FeatureMapShape
    package let pixelStride: Int

    package init(base: UnsafeMutablePointer<Float>, shape: FeatureMapShape, pixelStride: Int? = nil) {
        precondition(pixelStride ?? shape.channels >= shape.channels, "pixel stride must cover the channels")
        self.base = base
        self.shape = shape
        self.pixelStride = pixelStride ?? shape.channels
    }

    @inlinable package var height: Int { shape.height }
    @inlinable package var width: Int { shape.width }
    @inlinable package var channels: Int { shape.channels }
    @inlinable package var isContiguous: Bool { pixelStride == shape.channels }

    /// The first channel of pixel (y, x).
    @inlinable
    package func pixel(_ y: Int, _ x: Int) -> UnsafeMutablePointer<Float> {
        base + (y * shape.width + x) * pixelStride
    }

    /// A view of `count` channels starting at `offset`, sharing this view's memory.
    package func channels(_ offset: Int, count: Int) -> FeatureMapView {
        precondition(offset >= 0 && count >= 0 && offset + count <= shape.channels, "channel slice out of range")
        return FeatureMapView(
            base: base + offset,
            shape: FeatureMapShape(height: shape.height, width: shape.width, channels: count),
            pixelStride: pixelStride)
    }
}
