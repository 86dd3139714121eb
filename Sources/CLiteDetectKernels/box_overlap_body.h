// The first of many boxes that overlaps one box by at least a given intersection over union,
// written once against the vector vocabulary (vector_<isa>.h): one lane per box, the boxes
// stored column by column.
//
// Each lane computes exactly, operation for operation, what LiteDetectPostprocess's
// Box.intersectionOverUnion-based suppression computes (std::max / std::min as (a < b) ? b : a,
// intersection = max(right - left, 0) · max(bottom - top, 0), IoU = intersection / ((area_a +
// area_b) - intersection)), so every comparison decides as the scalar code does.

LDK_TARGET ptrdiff_t LDK_NAME(first_box_overlap)(ldk_box_columns boxes, ldk_box box, float minimum_iou) {
    const ldk_vf box_x1 = vf_set1(box.x1), box_y1 = vf_set1(box.y1);
    const ldk_vf box_x2 = vf_set1(box.x2), box_y2 = vf_set1(box.y2);
    const ldk_vf box_area = vf_set1((box.x2 - box.x1) * (box.y2 - box.y1));
    const ldk_vf minimum = vf_set1(minimum_iou), zero = vf_zero();
    for (ptrdiff_t i = 0; i < boxes.count; i += LDK_LANES) {
        const ptrdiff_t lanes = boxes.count - i < LDK_LANES ? boxes.count - i : LDK_LANES;
        const int partial = lanes < LDK_LANES;
        const ldk_vf x1 = partial ? vf_load_first(boxes.x1 + i, lanes) : vf_load(boxes.x1 + i);
        const ldk_vf y1 = partial ? vf_load_first(boxes.y1 + i, lanes) : vf_load(boxes.y1 + i);
        const ldk_vf x2 = partial ? vf_load_first(boxes.x2 + i, lanes) : vf_load(boxes.x2 + i);
        const ldk_vf y2 = partial ? vf_load_first(boxes.y2 + i, lanes) : vf_load(boxes.y2 + i);
        const ldk_vf area = partial ? vf_load_first(boxes.area + i, lanes) : vf_load(boxes.area + i);
        // vf_max(a, b) is (a > b) ? a : b, so (x < y) ? y : x is vf_max(y, x); likewise for min.
        const ldk_vf width = vf_max(zero, vf_sub(vf_min(box_x2, x2), vf_max(box_x1, x1)));
        const ldk_vf height = vf_max(zero, vf_sub(vf_min(box_y2, y2), vf_max(box_y1, y1)));
        const ldk_vf intersection = vf_mul(width, height);
        const ldk_vf iou = vf_div(intersection, vf_sub(vf_add(box_area, area), intersection));
        const int lane = vf_first_lane_at_least(iou, minimum, lanes);
        if (lane < LDK_LANES) return i + lane;
    }
    return boxes.count;
}
