/// A box as COCO files write it: `[x, y, width, height]` in pixels, `x, y` the top-left corner.
public struct COCOBox: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The corners `x1, y1, x2, y2` of a detection (as LiteDetect reports them) in COCO's form.
    /// The difference is taken in `Double`, so writing the box and reading it back is exact.
    public init(x1: Float, y1: Float, x2: Float, y2: Float) {
        self.init(x: Double(x1), y: Double(y1), width: Double(x2) - Double(x1), height: Double(y2) - Double(y1))
    }

    /// `width × height`: what pycocotools' `loadRes` stores as a detection's `area`.
    public var area: Double { width * height }

    /// Overlap of this detection with a ground-truth box, computed as pycocotools' `bbIou`
    /// (maskApi.c) does, operation for operation, so that values at a threshold compare the same:
    /// intersection over union, or over this detection's area alone when the ground truth is a
    /// crowd region. Boxes that only touch, or have no area, overlap 0.
    public func overlap(with groundTruth: COCOBox, groundTruthIsCrowd: Bool) -> Double {
        let intersectionWidth = min(width + x, groundTruth.width + groundTruth.x) - max(x, groundTruth.x)
        if intersectionWidth <= 0 { return 0 }
        let intersectionHeight = min(height + y, groundTruth.height + groundTruth.y) - max(y, groundTruth.y)
        if intersectionHeight <= 0 { return 0 }
        let intersection = intersectionWidth * intersectionHeight
        let union = groundTruthIsCrowd ? area : area + groundTruth.area - intersection
        return intersection / union
    }
}
