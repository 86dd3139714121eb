/// The shape of one feature map (batch size 1) stored channels-last (NHWC).
///
/// LiteDetect keeps a single layout end to end: rows of pixels, each pixel a run of channels.
/// Depthwise convolutions vectorise over channels and 1×1 convolutions become a GEMM with
/// output channels as the wide dimension, which is why channels are innermost.
public struct FeatureMapShape: Sendable, Hashable, CustomStringConvertible {
    public var height: Int
    public var width: Int
    public var channels: Int

    public init(height: Int, width: Int, channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
    }

    public var pixelCount: Int { height * width }
    public var elementCount: Int { height * width * channels }
    public var description: String { "\(height)×\(width)×\(channels)" }
}

/// A read-write window onto a feature map in memory: `height × width` pixels, each pixel
/// `channels` consecutive floats, consecutive pixels `pixelStride` floats apart.
///
/// A `pixelStride` larger than `channels` lets one operation read or write a channel slice of a
/// wider map (the halves of a ShuffleNet V2 split, one part of a concat) without copying.
public struct FeatureMapView {
    public let base: UnsafeMutablePointer<Float>
    public let shape: FeatureMapShape
    public let pixelStride: Int

    public init(base: UnsafeMutablePointer<Float>, shape: FeatureMapShape, pixelStride: Int? = nil) {
        precondition(pixelStride ?? shape.channels >= shape.channels, "pixel stride must cover the channels")
        self.base = base
        self.shape = shape
        self.pixelStride = pixelStride ?? shape.channels
    }

    @inlinable public var height: Int { shape.height }
    @inlinable public var width: Int { shape.width }
    @inlinable public var channels: Int { shape.channels }
    @inlinable public var isContiguous: Bool { pixelStride == shape.channels }

    /// The first channel of pixel (y, x).
    @inlinable
    public func pixel(_ y: Int, _ x: Int) -> UnsafeMutablePointer<Float> {
        base + (y * shape.width + x) * pixelStride
    }

    /// A view of `count` channels starting at `offset`, sharing this view's memory.
    public func channels(_ offset: Int, count: Int) -> FeatureMapView {
        precondition(offset >= 0 && count >= 0 && offset + count <= shape.channels, "channel slice out of range")
        return FeatureMapView(
            base: base + offset,
            shape: FeatureMapShape(height: shape.height, width: shape.width, channels: count),
            pixelStride: pixelStride)
    }
}
