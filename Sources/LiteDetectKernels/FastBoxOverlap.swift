internal import CLiteDetectKernels

/// Boxes stored column by column tested against one box by intersection over union, 4, 8 or 16
/// boxes per step through the C kernel (`box_overlap_body.h`).
///
/// The IoU is computed in float32 exactly as torchvision's and TensorFlow's NMS kernels compute
/// it: `intersection / ((area(box) + area[i]) - intersection)`, with the intersection's sides
/// clamped at 0 and `max(a, b)` written `(a < b) ? b : a`. So a comparison against it decides as
/// their scalar code does. Allocates nothing.
package enum FastBoxOverlap {
    /// The index of the first of `count` boxes (`x1[i], y1[i], x2[i], y2[i]`, with
    /// `area[i] = (x2[i] - x1[i]) · (y2[i] - y1[i])`) whose IoU with the box `(boxX1, boxY1)`–`(boxX2, boxY2)`
    /// is at least `minimumIoU` (which should be > 0: a NaN IoU never counts), or `count` if none.
    package static func firstOverlap(
        x1: UnsafePointer<Float>, y1: UnsafePointer<Float>, x2: UnsafePointer<Float>, y2: UnsafePointer<Float>,
        area: UnsafePointer<Float>, count: Int,
        boxX1: Float, boxY1: Float, boxX2: Float, boxY2: Float, minimumIoU: Float,
        instructionSet: KernelInstructionSet = .selected
    ) -> Int {
        ldk_first_box_overlap(
            instructionSet.cValue, ldk_box_columns(x1: x1, y1: y1, x2: x2, y2: y2, area: area, count: count),
            ldk_box(x1: boxX1, y1: boxY1, x2: boxX2, y2: boxY2), minimumIoU)
    }
}
