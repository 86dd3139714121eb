// The first of many boxes that overlaps one box by at least a given intersection over union,
// written once against the vector vocabulary (vector_<isa>.h): one lane per box, the boxes
// stored column by column.
//
// Each lane computes exactly, operation for operation, what LiteDetectPostprocess's
// Box.intersectionOverUnion-based suppression computes (std::max / std::min as (a < b) ? b : a,
// intersection = max(right - left, 0) · max(bottom - top, 0), IoU = intersection / ((area_a +
// area_b) - intersection)), so every comparison decides as the scalar code does.

/// The query box, broadcast to every lane.
typedef struct {
    ldk_vf x1, y1, x2, y2, area, minimum_iou;
} LDK_NAME(broadcast_box);

/// Bit i set where boxes[start + i] overlaps by at least the minimum; the first `lanes` lanes
/// only (`partial` is a constant after inlining: lanes < LDK_LANES, read with masked loads).
LDK_INLINE unsigned LDK_NAME(overlap_mask)(const int partial, const ldk_box_columns *boxes, ptrdiff_t start,
                                           ptrdiff_t lanes, const LDK_NAME(broadcast_box) * box) {
    const ldk_vf x1 = partial ? vf_load_first(boxes->x1 + start, lanes) : vf_load(boxes->x1 + start);
    const ldk_vf y1 = partial ? vf_load_first(boxes->y1 + start, lanes) : vf_load(boxes->y1 + start);
    const ldk_vf x2 = partial ? vf_load_first(boxes->x2 + start, lanes) : vf_load(boxes->x2 + start);
    const ldk_vf y2 = partial ? vf_load_first(boxes->y2 + start, lanes) : vf_load(boxes->y2 + start);
    const ldk_vf area = partial ? vf_load_first(boxes->area + start, lanes) : vf_load(boxes->area + start);
    // vf_max(a, b) is (a > b) ? a : b, so (x < y) ? y : x is vf_max(y, x); likewise for min.
    const ldk_vf width = vf_max(vf_zero(), vf_sub(vf_min(box->x2, x2), vf_max(box->x1, x1)));
    const ldk_vf height = vf_max(vf_zero(), vf_sub(vf_min(box->y2, y2), vf_max(box->y1, y1)));
    const ldk_vf intersection = vf_mul(width, height);
    const ldk_vf iou = vf_div(intersection, vf_sub(vf_add(box->area, area), intersection));
    const unsigned hits = vf_mask_at_least(iou, box->minimum_iou);
    return partial ? hits & ((1u << lanes) - 1) : hits;
}

LDK_TARGET ptrdiff_t LDK_NAME(first_box_overlap)(ldk_box_columns boxes, ldk_box box, float minimum_iou) {
    const LDK_NAME(broadcast_box) query = {
        vf_set1(box.x1),
        vf_set1(box.y1),
        vf_set1(box.x2),
        vf_set1(box.y2),
        vf_set1((box.x2 - box.x1) * (box.y2 - box.y1)),
        vf_set1(minimum_iou),
    };
    ptrdiff_t i = 0;
    // Two vectors per branch: the comparison waits on a division, so two independent ones overlap.
    for (; i + 2 * LDK_LANES <= boxes.count; i += 2 * LDK_LANES) {
        const unsigned hits = LDK_NAME(overlap_mask)(0, &boxes, i, LDK_LANES, &query) |
                              LDK_NAME(overlap_mask)(0, &boxes, i + LDK_LANES, LDK_LANES, &query) << LDK_LANES;
        if (hits) return i + __builtin_ctz(hits);
    }
    for (; i < boxes.count; i += LDK_LANES) {
        const ptrdiff_t lanes = boxes.count - i;
        const unsigned hits = lanes >= LDK_LANES ? LDK_NAME(overlap_mask)(0, &boxes, i, LDK_LANES, &query)
                                                 : LDK_NAME(overlap_mask)(1, &boxes, i, lanes, &query);
        if (hits) return i + __builtin_ctz(hits);
    }
    return boxes.count;
}
