/// Caffe / ncnn `PriorBox` anchors as pytorch-ssd's `generate_ssd_priors(specs, image_size, clamp)`
/// builds them (`vision/utils/box_utils.py`), for MobileNet-SSD models converted from Caffe.
///
/// Each layer is a square `featureMapSize²` grid whose cells are `shrinkage` pixels apart, centered
/// at `(i + 0.5) · shrinkage / imageSize`. Every cell gets, in this order: a square of `minSize`,
/// a square of `sqrt(minSize · maxSize)` when the layer has a `maxSize`, then for each aspect ratio
/// `a` the `minSize` box stretched to `(w·√a, h/√a)` and its flip `(w/√a, h·√a)` (Caffe's
/// `flip: true`). Sizes are in input pixels. Caffe's own `PriorBox` without a `step` spaces cells
/// `imageSize / featureMapSize` apart (300/19 ≈ 15.79 px, not pytorch-ssd's rounded 16): give that
/// as `shrinkage`.
/// With `clamp` every value — centers and sizes — is clamped into [0, 1] (Caffe's `clip`).
/// Decode these with `CenterSizeBoxCoder.pytorchSSD` (variances 0.1 / 0.2).
package struct PriorBoxGenerator: Sendable, Hashable {
    /// One feature map level (pytorch-ssd `SSDSpec`).
    package struct Layer: Sendable, Hashable {
        package var featureMapSize: Int
        /// Input pixels per cell (the feature map's stride).
        package var shrinkage: Double
        package var minSize: Double
        /// The second square's size is `sqrt(minSize · maxSize)`; `nil`: no second square (Caffe's
        /// `PriorBox` without `max_size`).
        package var maxSize: Double?
        /// Ratios `a > 0`; each adds two boxes (`a` and `1/a`).
        package var aspectRatios: [Double]

        package init(featureMapSize: Int, shrinkage: Double, minSize: Double, maxSize: Double?, aspectRatios: [Double]) {
            self.featureMapSize = featureMapSize
            self.shrinkage = shrinkage
            self.minSize = minSize
            self.maxSize = maxSize
            self.aspectRatios = aspectRatios
        }
    }

    package let layers: [Layer]
    /// Side of the square network input, in pixels.
    package let imageSize: Double
    package let clamp: Bool

    package init(layers: [Layer], imageSize: Double, clamp: Bool = true) throws(PostprocessError) {
        guard !layers.isEmpty else {
            throw .invalidParameter(field: "layers", value: "[]", expected: "at least one layer")
        }
        guard imageSize > 0 else {
            throw .invalidParameter(field: "imageSize", value: "\(imageSize)", expected: "a positive pixel size")
        }
        for (index, layer) in layers.enumerated() {
            guard layer.featureMapSize > 0, layer.shrinkage > 0, layer.minSize > 0, layer.maxSize.map({ $0 > 0 }) ?? true else {
                throw .invalidParameter(
                    field: "layers[\(index)]", value: "\(layer)",
                    expected: "positive featureMapSize, shrinkage, minSize and maxSize")
            }
            for ratio in layer.aspectRatios where !(ratio > 0) {
                throw .invalidParameter(field: "layers[\(index)].aspectRatios", value: "\(ratio)", expected: "ratios > 0")
            }
        }
        self.init(checkedLayers: layers, imageSize: imageSize, clamp: clamp)
    }

    private init(checkedLayers layers: [Layer], imageSize: Double, clamp: Bool) {
        self.layers = layers
        self.imageSize = imageSize
        self.clamp = clamp
    }

    /// MobileNetV1-SSD (300 px, VOC) from pytorch-ssd's `mobilenetv1_ssd_config.py`: 3000 priors.
    package static func mobileNetV1SSD() -> PriorBoxGenerator {
        let grid = [(19, 16.0), (10, 32.0), (5, 64.0), (3, 100.0), (2, 150.0), (1, 300.0)]
        let sizes: [Double] = [60, 105, 150, 195, 240, 285, 330]
        let layers = grid.enumerated().map { index, cell in
            Layer(featureMapSize: cell.0, shrinkage: cell.1, minSize: sizes[index], maxSize: sizes[index + 1], aspectRatios: [2, 3])
        }
        return PriorBoxGenerator(checkedLayers: layers, imageSize: 300, clamp: true)
    }

    /// Boxes per cell, per layer: one or two squares, plus `2 · ratios.count`.
    package var anchorsPerLocation: [Int] { layers.map { ($0.maxSize == nil ? 1 : 2) + 2 * $0.aspectRatios.count } }

    /// All priors, layer by layer, row-major over cells, boxes innermost, as normalised center-size.
    /// Computed in double precision (as pytorch-ssd's Python floats), clamped, then rounded to float32.
    package func anchors() -> [CenterSizeBox] {
        var boxes: [CenterSizeBox] = []
        boxes.reserveCapacity(zip(layers, anchorsPerLocation).reduce(0) { $0 + $1.0.featureMapSize * $1.0.featureMapSize * $1.1 })
        func append(_ centerX: Double, _ centerY: Double, _ width: Double, _ height: Double) {
            let values = [centerX, centerY, width, height].map { clamp ? min(max($0, 0), 1) : $0 }
            boxes.append(
                CenterSizeBox(centerX: Float(values[0]), centerY: Float(values[1]), width: Float(values[2]), height: Float(values[3])))
        }
        for layer in layers {
            let cellsAcross = imageSize / layer.shrinkage
            let small = layer.minSize / imageSize
            let large = layer.maxSize.map { ($0 * layer.minSize).squareRoot() / imageSize }
            for row in 0..<layer.featureMapSize {
                let centerY = (Double(row) + 0.5) / cellsAcross
                for column in 0..<layer.featureMapSize {
                    let centerX = (Double(column) + 0.5) / cellsAcross
                    append(centerX, centerY, small, small)
                    if let large { append(centerX, centerY, large, large) }
                    for ratio in layer.aspectRatios {
                        let root = ratio.squareRoot()
                        append(centerX, centerY, small * root, small / root)
                        append(centerX, centerY, small / root, small * root)
                    }
                }
            }
        }
        return boxes
    }
}
