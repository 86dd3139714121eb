/// One group's progress through its sorted candidates in `selectGroupsInScoreOrder`.
struct GroupRun {
    /// The next candidate's position in the group's sorted run.
    var cursor = 0
    /// Candidates in the run (after the `candidatesPerClass` cut).
    var length = 0
    /// Candidates selected so far.
    var selected = 0
}

extension PostprocessBuffers {
    /// Step 3 for hard NMS: every group's suppression interleaved in one global selection order
    /// (score descending, then group, then anchor), stopping as soon as step 4 has
    /// `maxDetections` detections to emit. Returns how many selections were pooled.
    ///
    /// Why this selects what running the groups one after another and merging would: a hard-NMS
    /// decision depends only on the group's own earlier candidates, which come earlier in the
    /// global order too. Pooled in that order, the selections sit in the pool in step 4's merge
    /// order (score, then pool position: group-major, then selection order), and step 4 emits the
    /// first `maxDetections` of them it keeps. Nothing after those can change the output, so the
    /// rest of every group's run is never tested — at a score threshold of 0.01 with 90 classes,
    /// nearly all of the IoU tests.
    func selectGroupsInScoreOrder(minimumIoU: Float, configuration: PostprocessConfiguration) -> Int {
        guard selectionsPerGroup > 0 else { return 0 }
        let boxesPerGroup = SelectedBoxColumns.storageSize(capacity: selectionsPerGroup)
        let dropEmpty = configuration.clipping == .afterSuppressionDroppingEmpty
        var heads = CandidateHeap(storage: groupHeads, count: 0)
        for group in 0..<groupRuns.count {
            // Sorted in place, so every group's run stays put while the others are sorted.
            let run = sortedRun(ofGroup: group, limit: configuration.candidatesPerClass)
            let start = group * anchorCount
            if run.baseAddress != candidateKeys.baseAddress! + start {
                _ = UnsafeMutableBufferPointer(rebasing: candidateKeys[start..<(start + run.count)]).update(fromContentsOf: run)
            }
            groupRuns[group] = GroupRun(cursor: 0, length: run.count, selected: 0)
            if run.count > 0 { heads.push(ScoredCandidate(score: CandidateKey.score(of: run[0]), key: Int32(group))) }
        }
        var pooled = 0
        var emittable = 0
        // Equal scores pop by lower group (the heap's key), and within a group by lower anchor.
        while emittable < configuration.maxDetections, let head = heads.popFirst() {
            let group = Int(head.key)
            var progress = groupRuns[group]
            let anchor = CandidateKey.anchor(of: candidateKeys[group * anchorCount + progress.cursor])
            let box = decodedBoxes[Int(anchor)]
            var columns = SelectedBoxColumns(
                storage: UnsafeMutableBufferPointer(
                    rebasing: selectedBoxes[(group * boxesPerGroup)..<((group + 1) * boxesPerGroup)]),
                capacity: selectionsPerGroup, count: progress.selected)
            if !columns.anyOverlap(with: box, atLeast: minimumIoU) {
                columns.append(box)
                progress.selected += 1
                let classIndex = configuration.classAgnostic ? bestClasses[Int(anchor)] : Int32(group)
                appendToPool(ScoredCandidate(score: head.score, key: anchor), classIndex: classIndex, pooled: &pooled)
                // Step 4 skips what clamping empties; those do not count towards its limit.
                if !dropEmpty || box.clamped(to: 0...1).area > 0 { emittable += 1 }
            }
            progress.cursor += 1
            groupRuns[group] = progress
            if progress.cursor < progress.length && progress.selected < selectionsPerGroup {
                let next = candidateKeys[group * anchorCount + progress.cursor]
                heads.push(ScoredCandidate(score: CandidateKey.score(of: next), key: Int32(group)))
            }
        }
        return pooled
    }
}
