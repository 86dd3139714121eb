/// A preprocessing plan: turns `RGBImage`s of one size into network input tensors.
///
/// Built once for (source size, `PreprocessOptions`); it precomputes every bilinear tap, so
/// `run` does no division, no allocation and no branching per pixel, and can be reused for
/// every frame of a video. Value type, immutable, `Sendable`: share it across threads freely.
///
/// Output layout: NHWC float32 with N = 1, i.e. `targetHeight` rows × `targetWidth` columns ×
/// 3 channels, contiguous (`index = (y * targetWidth + x) * 3 + channel`).
///
/// Per output value: bilinear resize in Float without intermediate rounding (as torchvision and
/// TensorFlow resize float tensors), then the normalisation, then channel reordering.
/// Resizing and a per-channel affine normalisation commute (the bilinear weights sum to 1), so
/// normalise-then-resize pipelines give the same values up to float rounding.
package struct Preprocessor: Sendable {
    package let options: PreprocessOptions
    package let geometry: ResizeGeometry

    /// One output column: byte offsets (within a source row) of the two pixels to blend.
    struct ColumnTap: Sendable {
        var leftOffset: Int
        var rightOffset: Int
        var leftWeight: Float
        var rightWeight: Float
    }

    /// One output row: byte offsets (within the source pixels) of the two rows to blend.
    struct RowTap: Sendable {
        var topOffset: Int
        var bottomOffset: Int
        var topWeight: Float
        var bottomWeight: Float
    }

    private let columnTaps: [ColumnTap]
    private let rowTaps: [RowTap]
    /// Output channel k reads source channel `sourceChannel[k]` (0 = red).
    private let sourceChannel: (Int, Int, Int)
    /// Output channel k is `value * channelScale[k] + channelOffset[k]`.
    private let channelScale: (Float, Float, Float)
    private let channelOffset: (Float, Float, Float)
    /// Normalised value of letterbox padding, per output channel.
    private let padding: (Float, Float, Float)
    /// Row stride of the sources this plan accepts, in bytes.
    package let sourceBytesPerRow: Int

    /// Builds the plan for sources of `sourceWidth × sourceHeight` (rows `sourceBytesPerRow`
    /// apart; default: packed).
    package init(sourceWidth: Int, sourceHeight: Int, sourceBytesPerRow: Int? = nil, options: PreprocessOptions) throws(ImageError) {
        guard sourceWidth > 0, sourceHeight > 0 else {
            throw .invalidOption(detail: "source size \(sourceWidth)x\(sourceHeight) must be positive")
        }
        guard options.targetWidth > 0, options.targetHeight > 0 else {
            throw .invalidOption(detail: "target size \(options.targetWidth)x\(options.targetHeight) must be positive")
        }
        let rowBytes = sourceBytesPerRow ?? sourceWidth * RGBImage.bytesPerPixel
        guard rowBytes >= sourceWidth * RGBImage.bytesPerPixel else {
            throw .invalidOption(detail: "sourceBytesPerRow \(rowBytes) is less than width × 3 = \(sourceWidth * 3)")
        }
        let (scale, offset) = try Self.affineCoefficients(options.normalization)
        self.options = options
        self.sourceBytesPerRow = rowBytes
        self.geometry = ResizeGeometry(
            sourceWidth: sourceWidth, sourceHeight: sourceHeight,
            targetWidth: options.targetWidth, targetHeight: options.targetHeight, mode: options.mode)
        self.channelScale = (scale[0], scale[1], scale[2])
        self.channelOffset = (offset[0], offset[1], offset[2])
        let channels = options.channelOrder == .rgb ? [0, 1, 2] : [2, 1, 0]
        self.sourceChannel = (channels[0], channels[1], channels[2])

        switch options.mode {
        case .stretch, .letterbox(fill: .zero):
            padding = (0, 0, 0)
        case .letterbox(fill: .pixel(let red, let green, let blue)):
            let fill = [red, green, blue]
            padding = (
                fill[channels[0]] * scale[0] + offset[0],
                fill[channels[1]] * scale[1] + offset[1],
                fill[channels[2]] * scale[2] + offset[2]
            )
        }

        let pixel = RGBImage.bytesPerPixel
        let columns = BilinearAxis(inputSize: sourceWidth, outputSize: geometry.contentWidth, convention: options.convention)
        columnTaps = (0..<geometry.contentWidth).map { x in
            ColumnTap(
                leftOffset: columns.lower[x] * pixel, rightOffset: columns.upper[x] * pixel,
                leftWeight: columns.lowerWeight[x], rightWeight: columns.upperWeight[x])
        }
        let rows = BilinearAxis(inputSize: sourceHeight, outputSize: geometry.contentHeight, convention: options.convention)
        rowTaps = (0..<geometry.contentHeight).map { y in
            RowTap(
                topOffset: rows.lower[y] * rowBytes, bottomOffset: rows.upper[y] * rowBytes,
                topWeight: rows.lowerWeight[y], bottomWeight: rows.upperWeight[y])
        }
    }

    /// Floats `run` writes: `targetHeight * targetWidth * 3`.
    package var outputCount: Int { options.targetHeight * options.targetWidth * 3 }

    /// Per output channel `(scale, offset)` such that value = pixel · scale + offset.
    private static func affineCoefficients(_ normalization: InputNormalization) throws(ImageError) -> ([Float], [Float]) {
        switch normalization {
        case .affine(let scale, let offset):
            return ([scale, scale, scale], [offset, offset, offset])
        case .meanStd(let mean, let std):
            guard mean.count == 3, std.count == 3 else {
                throw .invalidOption(detail: "mean and std need 3 values each, got \(mean.count) and \(std.count)")
            }
            guard std.allSatisfy({ $0 != 0 && $0.isFinite }), mean.allSatisfy(\.isFinite) else {
                throw .invalidOption(detail: "std must be finite and non-zero, got \(std); mean \(mean)")
            }
            // (x/255 − m)/s = x · 1/(255 s) − m/s: one multiply-add per value instead of two divisions.
            return ((0..<3).map { 1 / (255 * std[$0]) }, (0..<3).map { -mean[$0] / std[$0] })
        }
    }

    /// Writes the network input for `image` into `output` (`outputCount` floats, NHWC).
    /// Allocates nothing.
    package func run(_ image: RGBImage, into output: UnsafeMutableBufferPointer<Float>) throws(ImageError) {
        guard image.width == geometry.sourceWidth, image.height == geometry.sourceHeight,
            image.bytesPerRow == sourceBytesPerRow
        else {
            throw .sizeMismatch(
                what: "image", expected: "\(geometry.sourceWidth)x\(geometry.sourceHeight) (\(sourceBytesPerRow) bytes per row)",
                actual: "\(image.width)x\(image.height) (\(image.bytesPerRow) bytes per row)")
        }
        guard output.count == outputCount, let out = output.baseAddress else {
            throw .sizeMismatch(what: "output buffer", expected: "\(outputCount) floats", actual: "\(output.count) floats")
        }
        fillPadding(out)
        image.pixels.withUnsafeBufferPointer { pixels in resizeContent(pixels.baseAddress!, out) }
    }

    /// Writes the network input for RGB8 pixels held elsewhere (a decoder's or camera's buffer),
    /// without copying them: this plan's source size, rows `sourceBytesPerRow` bytes apart from
    /// `pixels.baseAddress`. Same arithmetic as `run(_:into:)`, so the same output. Allocates nothing.
    package func run(pixels: UnsafeRawBufferPointer, into output: UnsafeMutableBufferPointer<Float>) throws(ImageError) {
        let needed = (geometry.sourceHeight - 1) * sourceBytesPerRow + geometry.sourceWidth * RGBImage.bytesPerPixel
        guard pixels.count >= needed, let base = pixels.baseAddress else {
            throw .sizeMismatch(
                what: "pixel buffer",
                expected: "at least \(needed) bytes (\(geometry.sourceWidth)x\(geometry.sourceHeight), \(sourceBytesPerRow) bytes per row)",
                actual: "\(pixels.count) bytes")
        }
        guard output.count == outputCount, let out = output.baseAddress else {
            throw .sizeMismatch(what: "output buffer", expected: "\(outputCount) floats", actual: "\(output.count) floats")
        }
        fillPadding(out)
        resizeContent(base.assumingMemoryBound(to: UInt8.self), out)
    }

    private func resizeContent(_ pixels: UnsafePointer<UInt8>, _ out: UnsafeMutablePointer<Float>) {
        columnTaps.withUnsafeBufferPointer { columns in
            rowTaps.withUnsafeBufferPointer { rows in
                resizeContent(pixels, columns, rows, out)
            }
        }
    }

    /// Convenience that allocates and returns the tensor (use `run(_:into:)` per frame).
    package func run(_ image: RGBImage) throws(ImageError) -> [Float] {
        var result = [Float](repeating: 0, count: outputCount)
        let outcome = result.withUnsafeMutableBufferPointer { buffer in
            Result { () throws(ImageError) in try run(image, into: buffer) }
        }
        try outcome.get()
        return result
    }

    private func fillPadding(_ out: UnsafeMutablePointer<Float>) {
        let (width, height) = (geometry.targetWidth, geometry.targetHeight)
        let contentXRange = geometry.contentX..<(geometry.contentX + geometry.contentWidth)
        let contentYRange = geometry.contentY..<(geometry.contentY + geometry.contentHeight)
        if contentXRange.count == width && contentYRange.count == height { return }
        for y in 0..<height {
            let insideRow = contentYRange.contains(y)
            for x in 0..<width where !insideRow || !contentXRange.contains(x) {
                let index = (y * width + x) * 3
                out[index] = padding.0
                out[index + 1] = padding.1
                out[index + 2] = padding.2
            }
        }
    }

    private func resizeContent(
        _ pixels: UnsafePointer<UInt8>, _ columns: UnsafeBufferPointer<ColumnTap>,
        _ rows: UnsafeBufferPointer<RowTap>, _ out: UnsafeMutablePointer<Float>
    ) {
        let (c0, c1, c2) = sourceChannel
        let (scale0, scale1, scale2) = channelScale
        let (offset0, offset1, offset2) = channelOffset
        let targetWidth = geometry.targetWidth
        for y in 0..<rows.count {
            let row = rows[y]
            let top = pixels + row.topOffset
            let bottom = pixels + row.bottomOffset
            let (wTop, wBottom) = (row.topWeight, row.bottomWeight)
            var target = out + ((geometry.contentY + y) * targetWidth + geometry.contentX) * 3
            for x in 0..<columns.count {
                let column = columns[x]
                let (left, right) = (column.leftOffset, column.rightOffset)
                let (wLeft, wRight) = (column.leftWeight, column.rightWeight)
                // Same association as PyTorch: wTop·(wLeft·a + wRight·b) + wBottom·(wLeft·c + wRight·d).
                @inline(__always) func sample(_ channel: Int) -> Float {
                    let upper = wLeft * Float(top[left + channel]) + wRight * Float(top[right + channel])
                    let lower = wLeft * Float(bottom[left + channel]) + wRight * Float(bottom[right + channel])
                    return wTop * upper + wBottom * lower
                }
                target[0] = sample(c0) * scale0 + offset0
                target[1] = sample(c1) * scale1 + offset1
                target[2] = sample(c2) * scale2 + offset2
                target += 3
            }
        }
    }
}
