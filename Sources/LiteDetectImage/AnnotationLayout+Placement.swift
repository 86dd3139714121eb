extension AnnotationLayout {
    /// Lays out all the annotations of one image together, so that labels do not cover each other.
    ///
    /// Labels are placed by score, highest first, so the most confident detection gets the best
    /// spot. Equal scores, and annotations without a score, keep their order in `annotations`.
    /// Each label tries the spots of `candidateLabels` in order: above, inside and below the box
    /// at its left and right edges, beside it, sliding along those rows, and one label height
    /// further out. The label takes the first spot that is free, which means it overlaps no label
    /// placed before it and leaves at least one font pixel to any label beside it. When none of
    /// these spots is free, it tries spots pressed against the labels in its way
    /// (`snappedLabels`). When no spot at all is free, it takes the one with the least overlap,
    /// the earliest one on a tie. So two labels overlap only when the later one found no free
    /// spot. Every spot lies inside the image.
    ///
    /// The result is in the order of `annotations` and depends only on the input. The cost is
    /// O(n²) in the number of annotations: each label checks at most 42 listed spots and
    /// 12 × 16 snapped ones against the labels placed before it.
    package static func layouts(
        for annotations: [BoxAnnotation], imageWidth: Int, imageHeight: Int, style: AnnotationStyle = AnnotationStyle()
    ) -> [AnnotationLayout] {
        var layouts = annotations.map { AnnotationLayout(unplaced: $0, imageWidth: imageWidth, imageHeight: imageHeight, style: style) }
        var placed: [PixelRect] = []
        placed.reserveCapacity(layouts.count)
        for index in placementOrder(annotations) {
            let (box, width, height) = (layouts[index].box, layouts[index].label.width, layouts[index].label.height)
            // Labels side by side keep one font pixel apart, so that two tags of one colour do not
            // read as one caption. Stacked labels may touch: lines of text stay separate anyway.
            let gap = layouts[index].textScale
            var best = PixelRect(x: 0, y: 0, width: 0, height: 0)
            var bestOverlap = Int.max
            func consider(_ candidates: [PixelRect]) {
                for candidate in candidates {
                    let padded = PixelRect(x: candidate.x - gap, y: candidate.y, width: candidate.width + 2 * gap, height: candidate.height)
                    var overlap = 0
                    for other in placed {
                        overlap += padded.intersectionArea(with: other)
                        if overlap >= bestOverlap { break }
                    }
                    if overlap < bestOverlap {
                        best = candidate
                        bestOverlap = overlap
                        if overlap == 0 { return }
                    }
                }
            }
            consider(candidateLabels(for: box, width: width, height: height, imageWidth: imageWidth, imageHeight: imageHeight))
            if bestOverlap > 0 {
                consider(
                    snappedLabels(
                        for: box, width: width, height: height, gap: gap, placed: placed, imageWidth: imageWidth, imageHeight: imageHeight))
            }
            layouts[index].moveLabel(to: best)
            placed.append(best)
        }
        return layouts
    }

    /// Indices of `annotations` by score, highest first. Annotations without a score (or with NaN)
    /// come last, and ties keep their order.
    static func placementOrder(_ annotations: [BoxAnnotation]) -> [Int] {
        func key(_ index: Int) -> Float {
            guard let score = annotations[index].score, !score.isNaN else { return -.infinity }
            return score
        }
        return annotations.indices.sorted { a, b in key(a) != key(b) ? key(a) > key(b) : a < b }
    }

    /// Spots for a `width` × `height` label of `box`, best first:
    ///
    /// 1. Along the box's left edge: above the box, inside under its top edge, below the box.
    /// 2. The same three along the right edge.
    /// 3. Inside the box above its bottom edge, at the left and then the right.
    /// 4. Beside the box at the top: left of it, then right of it.
    /// 5. Sliding between those: 7 evenly spaced positions along each of the four rows (above,
    ///    inside top, below, inside bottom). In every position the label still overlaps the box
    ///    horizontally by at least half of the narrower of the two.
    /// 6. One label height further out, above and below the box, at the left and the right edge.
    ///    These are a last resort, for crowds where the rows next to the box are full.
    ///
    /// A spot that sticks out of the image is moved inside it. Spots that had to move up or down
    /// are tried after all the others, so a box at the top edge gets its label inside, under its
    /// top edge, rather than squeezed over it. Spots moved sideways keep their place in the list:
    /// a label pushed left by the image's right edge still sits right above its box.
    static func candidateLabels(for box: PixelRect, width: Int, height: Int, imageWidth: Int, imageHeight: Int) -> [PixelRect] {
        let (left, right) = (box.x, box.maxX - width)
        let (above, insideTop, below, insideBottom) = (box.y - height, box.y, box.maxY, box.maxY - height)
        var positions = [
            (left, above), (left, insideTop), (left, below),
            (right, above), (right, insideTop), (right, below),
            (left, insideBottom), (right, insideBottom),
            (box.x - width, box.y), (box.maxX, box.y),
        ]
        let overlap = min(width, box.width) / 2
        let (low, high) = (box.x - width + overlap, box.maxX - overlap)
        for row in [above, insideTop, below, insideBottom] {
            for step in 1..<8 {
                positions.append((low + (high - low) * step / 8, row))
            }
        }
        positions += [(left, above - height), (left, below + height), (right, above - height), (right, below + height)]

        var level: [PixelRect] = [], movedVertically: [PixelRect] = []
        level.reserveCapacity(positions.count)
        for (x, y) in positions {
            let spot = PixelRect(
                x: max(0, min(x, imageWidth - width)), y: max(0, min(y, imageHeight - height)),
                width: width, height: height)
            if spot.y == y { level.append(spot) } else { movedVertically.append(spot) }
        }
        return level + movedVertically
    }
}

extension AnnotationLayout {
    /// Spots pressed against the labels already in the way, for when none of `candidateLabels`
    /// is free. The labels in the way are the first 16 placed labels within reach of the box:
    /// within one label width to either side and two label heights above or below. Against each
    /// of them, in placement order, the spots are:
    ///
    /// - directly under it and directly over it, aligned with the box's left edge and then its
    ///   right edge;
    /// - just right of it and just left of it (one `gap` away), on each of the four rows above,
    ///   inside the top of, below and inside the bottom of the box.
    ///
    /// Only spots within reach of the box are kept. Each is moved inside the image.
    static func snappedLabels(
        for box: PixelRect, width: Int, height: Int, gap: Int, placed: [PixelRect], imageWidth: Int, imageHeight: Int
    ) -> [PixelRect] {
        let reach = PixelRect(x: box.x - width, y: box.y - 2 * height, width: box.width + 2 * width, height: box.height + 4 * height)
        let (left, right) = (box.x, box.maxX - width)
        let rows = [box.y - height, box.y, box.maxY, box.maxY - height]
        var spots: [PixelRect] = []
        for other in placed.lazy.filter({ $0.intersectionArea(with: reach) > 0 }).prefix(16) {
            var positions = [(left, other.maxY), (left, other.y - height), (right, other.maxY), (right, other.y - height)]
            for row in rows {
                positions += [(other.maxX + gap, row), (other.x - gap - width, row)]
            }
            for (x, y) in positions {
                let spot = PixelRect(
                    x: max(0, min(x, imageWidth - width)), y: max(0, min(y, imageHeight - height)),
                    width: width, height: height)
                if spot.intersectionArea(with: reach) > 0 { spots.append(spot) }
            }
        }
        return spots
    }
}

extension PixelRect {
    /// The number of pixels in both rectangles.
    func intersectionArea(with other: PixelRect) -> Int {
        let width = min(maxX, other.maxX) - max(x, other.x)
        let height = min(maxY, other.maxY) - max(y, other.y)
        return width > 0 && height > 0 ? width * height : 0
    }
}
