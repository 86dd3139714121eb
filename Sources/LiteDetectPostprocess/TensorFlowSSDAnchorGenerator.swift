/// SSD anchors exactly as the TensorFlow Object Detection API builds them from an
/// `ssd_anchor_generator` config: `create_ssd_anchors` feeding a `MultipleGridAnchorGenerator`
/// (`object_detection/anchor_generators/multiple_grid_anchor_generator.py`, `grid_anchor_generator.tile_anchors`).
///
/// Layer `k` with scale `s_k` gets one box per (scale, aspect ratio) spec, in this order: each
/// configured ratio at `s_k`, then (unless `interpolatedScaleAspectRatio` is 0) one box of that
/// ratio at `sqrt(s_k · s_{k+1})` (`s_{k+1} = 1` for the top layer). With
/// `reduceBoxesInLowestLayer` layer 0 instead gets the fixed specs `(0.1, 1.0), (s_0, 2.0), (s_0, 0.5)`.
/// A spec `(s, a)` is `height = s / √a · baseHeight`, `width = s · √a · baseWidth`, where the base
/// size is first scaled by `min(imageHeight, imageWidth) / side` so square bases stay square on a
/// non-square input. Cell `(i, j)` is centered at `offset + (i, j) · stride`; by default the stride
/// is `1 / gridSize` and the offset half a stride, else both come from pixels over the image size.
///
/// TensorFlow works in y-x order (`[ymin, xmin, ymax, xmax]`) in float32; this returns the same
/// boxes as normalised center-size (x, y, width, height), computed in float32 in the same order.
/// The anchors are not clipped (the first ones of the 300×300 config start outside [0, 1]).
package struct TensorFlowSSDAnchorGenerator: Sendable, Hashable {
    /// One anchor shape: `scale` (fraction of the base size) and `aspectRatio` (width / height).
    package struct BoxSpec: Sendable, Hashable {
        package var scale: Double
        package var aspectRatio: Double

        package init(scale: Double, aspectRatio: Double) {
            self.scale = scale
            self.aspectRatio = aspectRatio
        }
    }

    /// A (y, x) pair in input pixels, the order TensorFlow's `anchor_strides` / `anchor_offsets` use.
    package struct PixelPair: Sendable, Hashable {
        package var y: Double
        package var x: Double

        package init(y: Double, x: Double) {
            self.y = y
            self.x = x
        }
    }

    /// Per layer, the box specs of one cell, in head order.
    package let boxSpecs: [[BoxSpec]]
    /// Base anchor (height, width) before the min-side normalisation; `(1, 1)` by default.
    package let baseAnchorHeight: Double
    package let baseAnchorWidth: Double
    /// Per layer, the distance between cell centers in pixels, or nil for `1 / gridSize`.
    package let anchorStrides: [PixelPair]?
    /// Per layer, the center of cell (0, 0) in pixels, or nil for half a stride.
    package let anchorOffsets: [PixelPair]?

    /// Mirrors `create_ssd_anchors`' arguments and defaults.
    ///
    /// - Parameters:
    ///   - numLayers: number of feature maps (≥ 2 when `scales` is nil).
    ///   - minScale, maxScale: linear scale range over the layers when `scales` is nil.
    ///   - scales: explicit per-layer scales (`numLayers` of them).
    ///   - aspectRatios: the ratios placed at every cell, in order (the SSDLite config uses the
    ///     literal 0.3333, not 1/3 — pass exactly what the config says).
    ///   - interpolatedScaleAspectRatio: ratio of the extra interpolated-scale box; 0 omits it.
    ///   - baseAnchorSize: `(height, width)`, default `(1, 1)`.
    ///   - anchorStrides, anchorOffsets: per-layer pixels, or nil for the defaults.
    ///   - reduceBoxesInLowestLayer: use the fixed three boxes in layer 0.
    package init(
        numLayers: Int = 6, minScale: Double = 0.2, maxScale: Double = 0.95, scales: [Double]? = nil,
        aspectRatios: [Double] = [1.0, 2.0, 3.0, 1.0 / 2, 1.0 / 3], interpolatedScaleAspectRatio: Double = 1.0,
        baseAnchorSize: (height: Double, width: Double) = (1.0, 1.0),
        anchorStrides: [PixelPair]? = nil, anchorOffsets: [PixelPair]? = nil,
        reduceBoxesInLowestLayer: Bool = true
    ) throws(PostprocessError) {
        guard numLayers > 0 else {
            throw .invalidParameter(field: "numLayers", value: "\(numLayers)", expected: "at least 1")
        }
        var layerScales: [Double]
        if let scales, !scales.isEmpty {
            guard scales.count == numLayers else {
                throw .lengthMismatch(field: "scales", count: scales.count, otherField: "numLayers", otherCount: numLayers)
            }
            layerScales = scales
        } else {
            guard numLayers > 1 else {
                throw .invalidParameter(
                    field: "numLayers", value: "1", expected: "at least 2 when scales are interpolated from min/max")
            }
            layerScales = (0..<numLayers).map { minScale + (maxScale - minScale) * Double($0) / Double(numLayers - 1) }
        }
        layerScales.append(1.0)  // only ever used as the top layer's "next" scale
        for (index, scale) in layerScales.enumerated() where !(scale > 0) {
            throw .invalidParameter(field: "scales[\(index)]", value: "\(scale)", expected: "scales > 0")
        }
        for ratio in aspectRatios where !(ratio > 0) {
            throw .invalidParameter(field: "aspectRatios", value: "\(ratio)", expected: "ratios > 0")
        }
        guard interpolatedScaleAspectRatio >= 0 else {
            throw .invalidParameter(
                field: "interpolatedScaleAspectRatio", value: "\(interpolatedScaleAspectRatio)", expected: "0 (off) or > 0")
        }
        guard baseAnchorSize.height > 0, baseAnchorSize.width > 0 else {
            throw .invalidParameter(
                field: "baseAnchorSize", value: "\(baseAnchorSize)", expected: "positive height and width")
        }
        for (field, pairs) in [("anchorStrides", anchorStrides), ("anchorOffsets", anchorOffsets)] {
            if let pairs, pairs.count != numLayers {
                throw .lengthMismatch(field: field, count: pairs.count, otherField: "numLayers", otherCount: numLayers)
            }
        }
        if let anchorStrides, anchorStrides.contains(where: { !($0.y > 0 && $0.x > 0) }) {
            throw .invalidParameter(field: "anchorStrides", value: "\(anchorStrides)", expected: "positive pixel strides")
        }

        var specs: [[BoxSpec]] = []
        for layer in 0..<numLayers {
            let scale = layerScales[layer]
            if layer == 0 && reduceBoxesInLowestLayer {
                specs.append([
                    BoxSpec(scale: 0.1, aspectRatio: 1.0), BoxSpec(scale: scale, aspectRatio: 2.0),
                    BoxSpec(scale: scale, aspectRatio: 0.5),
                ])
                continue
            }
            var layerSpecs = aspectRatios.map { BoxSpec(scale: scale, aspectRatio: $0) }
            if interpolatedScaleAspectRatio > 0 {
                let interpolated = (scale * layerScales[layer + 1]).squareRoot()
                layerSpecs.append(BoxSpec(scale: interpolated, aspectRatio: interpolatedScaleAspectRatio))
            }
            specs.append(layerSpecs)
        }
        self.boxSpecs = specs
        self.baseAnchorHeight = baseAnchorSize.height
        self.baseAnchorWidth = baseAnchorSize.width
        self.anchorStrides = anchorStrides
        self.anchorOffsets = anchorOffsets
    }

    /// Boxes per cell, per layer.
    package var anchorsPerLocation: [Int] { boxSpecs.map(\.count) }

    /// All anchors for one input size, layer by layer, row-major over cells, boxes innermost
    /// (TensorFlow: "box_spec index varying the fastest, followed by width index, then height index").
    ///
    /// - Parameters:
    ///   - featureMaps: grid of each layer, finest first (SSDLite-MobileNetV2 300: 19, 10, 5, 3, 2, 1).
    ///   - imageWidth, imageHeight: the preprocessed network input in pixels, as `SSDMetaArch` passes it.
    /// - Returns: normalised center-size boxes (1917 for the 300×300 SSDLite config).
    package func anchors(
        featureMaps: [GridSize], imageWidth: Int, imageHeight: Int
    ) throws(PostprocessError)
        -> [CenterSizeBox]
    {
        try validateGrids(featureMaps, levelCount: boxSpecs.count, levelField: "boxSpecs")
        try validateImageSize(width: imageWidth, height: imageHeight)
        // Everything below is float32, in tile_anchors' operation order.
        let height = Float(imageHeight)
        let width = Float(imageWidth)
        let minSide = min(height, width)
        let baseHeight = minSide / height * Float(baseAnchorHeight)
        let baseWidth = minSide / width * Float(baseAnchorWidth)

        var boxes: [CenterSizeBox] = []
        boxes.reserveCapacity(zip(featureMaps, anchorsPerLocation).reduce(0) { $0 + $1.0.cellCount * $1.1 })
        for (layer, grid) in featureMaps.enumerated() {
            let strideY: Float
            let strideX: Float
            if let anchorStrides {
                strideY = Float(anchorStrides[layer].y) / height
                strideX = Float(anchorStrides[layer].x) / width
            } else {
                strideY = 1 / Float(grid.height)
                strideX = 1 / Float(grid.width)
            }
            let offsetY: Float
            let offsetX: Float
            if let anchorOffsets {
                offsetY = Float(anchorOffsets[layer].y) / height
                offsetX = Float(anchorOffsets[layer].x) / width
            } else {
                offsetY = 0.5 * strideY
                offsetX = 0.5 * strideX
            }
            let sizes = boxSpecs[layer].map { spec -> (width: Float, height: Float) in
                let root = Float(spec.aspectRatio).squareRoot()
                let scale = Float(spec.scale)
                return (scale * root * baseWidth, scale / root * baseHeight)
            }
            for row in 0..<grid.height {
                let centerY = Float(row) * strideY + offsetY
                for column in 0..<grid.width {
                    let centerX = Float(column) * strideX + offsetX
                    for size in sizes {
                        boxes.append(CenterSizeBox(centerX: centerX, centerY: centerY, width: size.width, height: size.height))
                    }
                }
            }
        }
        return boxes
    }
}
