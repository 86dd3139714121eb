/// Everything that turns one frame's raw SSD head outputs into detections, fixed per model.
///
/// The per-frame pipeline (`DetectionPostprocessor.process`) is:
/// 1. decode every anchor's box with `boxCoder` (normalised coordinates); with `clipping`
///    `.beforeSuppression` or `.beforeSuppressionDroppingEmpty` clamp it into [0, 1];
/// 2. convert logits to scores (`scoreConversion`), dropping the background column if any;
/// 3. per class (or once, over each anchor's best class, when `classAgnostic`): keep candidates
///    with `score > scoreThreshold` (and, with `.beforeSuppressionDroppingEmpty`, a clamped box of
///    non-zero area), optionally only the best `candidatesPerClass`, then run
///    `suppression`, stopping after `maxDetectionsPerClass` selections;
/// 4. merge all selections by descending score (equal scores: lower class, then earlier
///    selection), with `clipping == .afterSuppressionDroppingEmpty` clamp each box into [0, 1]
///    and skip it if nothing of it is left, and keep the first `maxDetections`.
///
/// `torchvisionSSD` and `tensorFlowSSD` reproduce the two reference pipelines.
package struct PostprocessConfiguration: Sendable, Hashable {
    /// When boxes are clamped into the normalised network input [0, 1].
    package enum BoxClipping: Sendable, Hashable {
        /// Never (boxes may extend outside the image).
        case none
        /// Right after decoding, before NMS; boxes entirely outside collapse onto the border and
        /// are kept (torchvision `clip_boxes_to_image`).
        case beforeSuppression
        /// Right after decoding, before NMS, and boxes left with zero area are no candidates
        /// (TensorFlow Object Detection API graphs of 2018: `ClipToWindow` before each class's NMS).
        case beforeSuppressionDroppingEmpty
        /// After NMS; boxes left with zero area are dropped before `maxDetections` is applied
        /// (TensorFlow `multiclass_non_max_suppression` with a clip window).
        case afterSuppressionDroppingEmpty
    }

    /// How a foreground class index `c` (0-based, background column excluded) becomes `Detection.classID`.
    package enum ClassIDMapping: Sendable, Hashable {
        /// `c + offset`; `offset(1)` gives the logit column with a background column.
        case offset(Int)
        /// `table[c]`; must have one entry per foreground class.
        case table([Int])
    }

    package var boxCoder: CenterSizeBoxCoder
    package var scoreConversion: ScoreConversion
    /// Numbers per anchor in the class-logit output, background column included if present.
    package var logitColumns: Int
    /// Whether column 0 is a background class (used by the conversion, then dropped).
    package var hasBackgroundColumn: Bool
    /// Candidates must score strictly above this.
    package var scoreThreshold: Float
    /// Per class, only the best this many candidates enter NMS (torchvision `topk_candidates`); nil: all.
    package var candidatesPerClass: Int?
    package var suppression: SuppressionMethod
    /// One NMS over every anchor's best class (TensorFlow `use_class_agnostic_nms`,
    /// `max_classes_per_detection = 1`) instead of one per class. Its selections are then capped by
    /// `maxDetections`, not `maxDetectionsPerClass`.
    package var classAgnostic: Bool
    /// Per class, NMS stops after this many selections (TensorFlow `max_size_per_class`); nil: no cap.
    package var maxDetectionsPerClass: Int?
    /// At most this many detections per frame (torchvision `detections_per_img`,
    /// TensorFlow `max_total_size`).
    package var maxDetections: Int
    package var clipping: BoxClipping
    package var classIDs: ClassIDMapping

    package init(
        boxCoder: CenterSizeBoxCoder, scoreConversion: ScoreConversion, logitColumns: Int, hasBackgroundColumn: Bool,
        scoreThreshold: Float, candidatesPerClass: Int?, suppression: SuppressionMethod, classAgnostic: Bool = false,
        maxDetectionsPerClass: Int?, maxDetections: Int, clipping: BoxClipping, classIDs: ClassIDMapping = .offset(1)
    ) {
        self.boxCoder = boxCoder
        self.scoreConversion = scoreConversion
        self.logitColumns = logitColumns
        self.hasBackgroundColumn = hasBackgroundColumn
        self.scoreThreshold = scoreThreshold
        self.candidatesPerClass = candidatesPerClass
        self.suppression = suppression
        self.classAgnostic = classAgnostic
        self.maxDetectionsPerClass = maxDetectionsPerClass
        self.maxDetections = maxDetections
        self.clipping = clipping
        self.classIDs = classIDs
    }

    /// Number of foreground classes: `logitColumns` minus the background column.
    package var classCount: Int { logitColumns - (hasBackgroundColumn ? 1 : 0) }

    /// torchvision `SSD.postprocess_detections` (`torchvision/models/detection/ssd.py`): softmax
    /// with background column 0, `BoxCoder((10, 10, 5, 5))`, boxes clipped to the input, per class
    /// `score > scoreThreshold` and top-`candidatesPerClass`, `batched_nms` (hard, per class), then
    /// the best `maxDetections`. Class ids are torchvision labels (the logit column).
    ///
    /// torchvision decodes with pixel anchors of the resized input, clips to that input and then
    /// rescales to the original image; this decodes normalised boxes, clips to [0, 1] and maps them
    /// with the transform. The two differ by float32 rounding only (≤ 1.5e-4 px on the reference
    /// fixture; the tests require ≤ 1e-3 px). Where torchvision's final sort is unstable, equal
    /// scores come out here by class, then by anchor.
    ///
    /// Defaults are `SSD`'s; `ssdlite320_mobilenet_v3_large` uses
    /// `scoreThreshold: 0.001, iouThreshold: 0.55, candidatesPerClass: 300, maxDetections: 300`.
    package static func torchvisionSSD(
        logitColumns: Int = 91, scoreThreshold: Float = 0.01, iouThreshold: Double = 0.45,
        candidatesPerClass: Int = 400, maxDetections: Int = 200
    ) -> PostprocessConfiguration {
        PostprocessConfiguration(
            boxCoder: .torchvision, scoreConversion: .softmax, logitColumns: logitColumns, hasBackgroundColumn: true,
            scoreThreshold: scoreThreshold, candidatesPerClass: candidatesPerClass,
            suppression: .hard(iouThreshold: iouThreshold), maxDetectionsPerClass: nil, maxDetections: maxDetections,
            clipping: .beforeSuppression, classIDs: .offset(1))
    }

    /// TensorFlow Object Detection API `SSDMetaArch.postprocess` with
    /// `batch_multiclass_non_max_suppression` (`object_detection/core/post_processing.py`): sigmoid
    /// scores with the background column dropped, `FasterRcnnBoxCoder([10, 10, 5, 5])`, per class
    /// `score > scoreThreshold` and NMS up to `maxDetectionsPerClass` (IoU compared in float32, as
    /// TensorFlow does), merge by score, clip to [0, 1] dropping empty boxes, keep `maxDetections`.
    /// Class ids are `class + 1` (TensorFlow's `label_id_offset`).
    ///
    /// Defaults are `ssdlite_mobilenet_v2_coco.config`'s.
    package static func tensorFlowSSD(
        logitColumns: Int = 91, scoreThreshold: Float = 1e-8, iouThreshold: Float = 0.6,
        maxDetectionsPerClass: Int = 100, maxDetections: Int = 100, classAgnostic: Bool = false
    ) -> PostprocessConfiguration {
        PostprocessConfiguration(
            boxCoder: .tensorFlow, scoreConversion: .sigmoid, logitColumns: logitColumns, hasBackgroundColumn: true,
            scoreThreshold: scoreThreshold, candidatesPerClass: nil,
            suppression: .hard(iouThreshold: Double(iouThreshold)), classAgnostic: classAgnostic,
            maxDetectionsPerClass: maxDetectionsPerClass, maxDetections: maxDetections,
            clipping: .afterSuppressionDroppingEmpty, classIDs: .offset(1))
    }

    /// Checks every field; called by `DetectionPostprocessor.init`.
    func validate() throws(PostprocessError) {
        guard logitColumns > (hasBackgroundColumn ? 1 : 0) else {
            throw .invalidParameter(
                field: "logitColumns", value: "\(logitColumns)",
                expected: hasBackgroundColumn ? "at least 2 (background + one class)" : "at least 1")
        }
        guard !scoreThreshold.isNaN else {
            throw .invalidParameter(field: "scoreThreshold", value: "NaN", expected: "a number")
        }
        if let candidatesPerClass, candidatesPerClass <= 0 {
            throw .invalidParameter(field: "candidatesPerClass", value: "\(candidatesPerClass)", expected: "nil or > 0")
        }
        if let maxDetectionsPerClass, maxDetectionsPerClass <= 0 {
            throw .invalidParameter(field: "maxDetectionsPerClass", value: "\(maxDetectionsPerClass)", expected: "nil or > 0")
        }
        guard maxDetections > 0 else {
            throw .invalidParameter(field: "maxDetections", value: "\(maxDetections)", expected: "> 0")
        }
        try suppression.validate(field: "suppression")
        if case let .table(table) = classIDs, table.count != classCount {
            throw .lengthMismatch(field: "classIDs table", count: table.count, otherField: "foreground classes", otherCount: classCount)
        }
        let scales = boxCoder.scaleFactors
        guard [scales.x, scales.y, scales.width, scales.height].allSatisfy({ $0 != 0 && $0.isFinite }) else {
            throw .invalidParameter(field: "boxCoder.scaleFactors", value: "\(scales)", expected: "finite, non-zero factors")
        }
    }

    func classID(forClass index: Int) -> Int {
        switch classIDs {
        case let .offset(offset): return index + offset
        case let .table(table): return table[index]
        }
    }
}
