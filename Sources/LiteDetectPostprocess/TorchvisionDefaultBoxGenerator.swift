/// SSD default boxes exactly as torchvision's `DefaultBoxGenerator`
/// (`torchvision/models/detection/anchor_utils.py`), used by `ssd300_vgg16` and
/// `ssdlite320_mobilenet_v3_large`.
///
/// For level `k` with scale `s_k` (and the next scale `s_{k+1}`), every cell gets, in this order:
/// `(s_k, s_k)`, `(s'_k, s'_k)` with `s'_k = sqrt(s_k · s_{k+1})`, then for each aspect ratio `a`
/// the pair `(s_k·√a, s_k/√a)` followed by its transpose — `2 + 2·ratios[k].count` boxes per cell,
/// as (width, height) fractions of the input. When `clip` is set those widths and heights (not the
/// centers) are clamped into [0, 1]. Cell centers are `(i + 0.5) / f_k` with `f_k` the grid size,
/// or `imageSide / steps[k]` when `steps` is given.
///
/// torchvision returns the boxes in pixel xyxy of the resized input; this returns the same boxes as
/// normalised center-size (`pixels = normalised × input size`).
package struct TorchvisionDefaultBoxGenerator: Sendable, Hashable {
    /// Per level, the aspect ratios beyond 1 (each also used transposed).
    package let aspectRatios: [[Double]]
    /// `levels + 1` scales; the last one only feeds `s'_k` of the top level.
    package let scales: [Double]
    /// Per level, the pixel step between cell centers, or nil to use the grid size.
    package let steps: [Int]?
    /// Whether box widths and heights are clamped into [0, 1].
    package let clip: Bool

    /// - Parameters:
    ///   - aspectRatios: per level, ratios `a > 0` (torchvision: `[[2, 3]] * 6` for SSDLite).
    ///   - minRatio, maxRatio: used only when `scales` is nil: `s_k` is spaced linearly from
    ///     `minRatio` to `maxRatio` over the levels and 1.0 is appended (one level: `[min, max]`).
    ///   - scales: explicit `levels + 1` scales (torchvision SSD300: `[0.07, 0.15, …, 1.05]`).
    ///   - steps: explicit pixel steps, one per level.
    package init(
        aspectRatios: [[Double]], minRatio: Double = 0.15, maxRatio: Double = 0.9,
        scales: [Double]? = nil, steps: [Int]? = nil, clip: Bool = true
    ) throws(PostprocessError) {
        let levels = aspectRatios.count
        guard levels > 0 else {
            throw .invalidParameter(field: "aspectRatios", value: "[]", expected: "one list per feature map level")
        }
        for (level, ratios) in aspectRatios.enumerated() {
            for ratio in ratios where !(ratio > 0) {
                throw .invalidParameter(field: "aspectRatios[\(level)]", value: "\(ratio)", expected: "ratios > 0")
            }
        }
        if let steps {
            guard steps.count == levels else {
                throw .lengthMismatch(field: "steps", count: steps.count, otherField: "aspectRatios", otherCount: levels)
            }
            for (level, step) in steps.enumerated() where step <= 0 {
                throw .invalidParameter(field: "steps[\(level)]", value: "\(step)", expected: "a positive pixel step")
            }
        }
        let resolvedScales: [Double]
        if let scales {
            guard scales.count == levels + 1 else {
                throw .lengthMismatch(
                    field: "scales", count: scales.count, otherField: "aspectRatios + 1", otherCount: levels + 1)
            }
            resolvedScales = scales
        } else if levels > 1 {
            let range = maxRatio - minRatio
            resolvedScales = (0..<levels).map { minRatio + range * Double($0) / (Double(levels) - 1.0) } + [1.0]
        } else {
            resolvedScales = [minRatio, maxRatio]
        }
        for (index, scale) in resolvedScales.enumerated() where !(scale > 0) {
            throw .invalidParameter(field: "scales[\(index)]", value: "\(scale)", expected: "scales > 0")
        }
        self.aspectRatios = aspectRatios
        self.scales = resolvedScales
        self.steps = steps
        self.clip = clip
    }

    /// Boxes per cell, per level: `2 + 2 · ratios.count`.
    package var anchorsPerLocation: [Int] { aspectRatios.map { 2 + 2 * $0.count } }

    /// The (width, height) pairs of one cell of `level`, in head order, as torchvision stores
    /// them: computed in double precision, then rounded to float32, then clamped when `clip`.
    func widthHeightPairs(level: Int) -> [(width: Float, height: Float)] {
        let scale = scales[level]
        let interpolated = (scales[level] * scales[level + 1]).squareRoot()
        var pairs: [(width: Double, height: Double)] = [(scale, scale), (interpolated, interpolated)]
        for ratio in aspectRatios[level] {
            let root = ratio.squareRoot()
            pairs.append((scale * root, scale / root))
            pairs.append((scale / root, scale * root))
        }
        return pairs.map { pair in
            let width = Float(pair.width)
            let height = Float(pair.height)
            return clip ? (min(max(width, 0), 1), min(max(height, 0), 1)) : (width, height)
        }
    }

    /// All anchors for one input size, level by level, row-major over cells, boxes innermost.
    ///
    /// - Parameters:
    ///   - featureMaps: the grid of each level, finest first (SSDLite320: 20, 10, 5, 3, 2, 1).
    ///   - imageWidth, imageHeight: the network input in pixels (used only with `steps`).
    /// - Returns: normalised center-size boxes; `count == Σ cells_k · anchorsPerLocation[k]`.
    package func anchors(
        featureMaps: [GridSize], imageWidth: Int, imageHeight: Int
    ) throws(PostprocessError)
        -> [CenterSizeBox]
    {
        try validateGrids(featureMaps, levelCount: aspectRatios.count, levelField: "aspectRatios")
        try validateImageSize(width: imageWidth, height: imageHeight)
        var boxes: [CenterSizeBox] = []
        boxes.reserveCapacity(zip(featureMaps, anchorsPerLocation).reduce(0) { $0 + $1.0.cellCount * $1.1 })
        for (level, grid) in featureMaps.enumerated() {
            // torchvision: shifts = (arange(f) + 0.5) / f_k in float32, f_k a float when steps are set.
            let cellsAcross: Float
            let cellsDown: Float
            if let steps {
                cellsAcross = Float(Double(imageWidth) / Double(steps[level]))
                cellsDown = Float(Double(imageHeight) / Double(steps[level]))
            } else {
                cellsAcross = Float(grid.width)
                cellsDown = Float(grid.height)
            }
            let pairs = widthHeightPairs(level: level)
            for row in 0..<grid.height {
                let centerY = (Float(row) + 0.5) / cellsDown
                for column in 0..<grid.width {
                    let centerX = (Float(column) + 0.5) / cellsAcross
                    for pair in pairs {
                        boxes.append(CenterSizeBox(centerX: centerX, centerY: centerY, width: pair.width, height: pair.height))
                    }
                }
            }
        }
        return boxes
    }
}
