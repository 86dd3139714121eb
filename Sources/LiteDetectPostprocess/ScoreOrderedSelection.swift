/// One group's progress through its sorted candidates in `selectGroupsInScoreOrder`.
struct GroupRun {
    /// Where the group's sorted run starts (in `candidateKeys` or `bestKeys`).
    var start = 0
    /// Candidates in the run (after the `candidatesPerClass` cut).
    var length = 0
    /// The next candidate's position in the run.
    var cursor = 0
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
        let total = candidateCounts.reduce(0, +)
        if total > bestKeys.count, let pooled = selectFromBestKeys(minimumIoU: minimumIoU, configuration: configuration) {
            return pooled
        }
        for group in 0..<groupRuns.count {
            // Sorted in place, so every group's run stays put while the others are sorted.
            let start = group * anchorCount
            let keys = UnsafeMutableBufferPointer(rebasing: candidateKeys[start..<(start + candidateCounts[group])])
            let length = sortRun(keys, limit: configuration.candidatesPerClass)
            groupRuns[group] = GroupRun(start: start, length: length)
        }
        return mergeRuns(of: candidateKeys.baseAddress!, minimumIoU: minimumIoU, configuration: configuration).pooled
    }

    /// Step 3 on the best keys only: the candidates whose score lies above a level chosen from a
    /// histogram of all scores, so that ~8 · `maxDetections` of them are sorted instead of all.
    /// They are the first candidates of the global order, so the merge over them decides as the
    /// merge over everything — as long as it finds its `maxDetections` among them. `nil` when it
    /// does not (or no level fits `bestKeys`): then the caller starts over with every key.
    private func selectFromBestKeys(minimumIoU: Float, configuration: PostprocessConfiguration) -> Int? {
        // The keys' top 16 bits: the score's sign, exponent and 7 mantissa bits (~0.8 % steps).
        scoreHistogram.update(repeating: 0)
        for group in 0..<groupRuns.count {
            let start = group * anchorCount
            for key in candidateKeys[start..<(start + candidateCounts[group])] {
                scoreHistogram[Int(truncatingIfNeeded: key >> 48)] &+= 1
            }
        }
        // The last bucket that keeps the prefix within `bestKeys`, stopping at the 8 · maxDetections wanted.
        let wanted = min(8 * configuration.maxDetections, bestKeys.count)
        var taken = 0
        var cutoffBucket = 0
        while cutoffBucket < scoreHistogram.count {
            let next = taken + Int(scoreHistogram[cutoffBucket])
            if next > bestKeys.count { break }
            taken = next
            cutoffBucket += 1
            if taken >= wanted { break }
        }
        guard taken > 0 else { return nil }
        let cutoff = UInt64(cutoffBucket) << 48
        var filled = 0
        for group in 0..<groupRuns.count {
            let start = group * anchorCount
            let runStart = filled
            for key in candidateKeys[start..<(start + candidateCounts[group])] where key < cutoff {
                bestKeys[filled] = key
                filled += 1
            }
            let length = sortRun(UnsafeMutableBufferPointer(rebasing: bestKeys[runStart..<filled]), limit: configuration.candidatesPerClass)
            groupRuns[group] = GroupRun(start: runStart, length: length)
        }
        let merged = mergeRuns(of: bestKeys.baseAddress!, minimumIoU: minimumIoU, configuration: configuration)
        return merged.emittable == configuration.maxDetections ? merged.pooled : nil
    }

    /// Sorts `keys` (one group's, in anchor order) into selection order where they lie; returns
    /// how many of them the run keeps (at most `limit`).
    private func sortRun(_ keys: UnsafeMutableBufferPointer<UInt64>, limit: Int?) -> Int {
        let sorted = CandidateKeySort.sort(keys, scratch: sortScratch, histograms: sortHistograms)
        let length = min(sorted.count, limit ?? sorted.count)
        if sorted.baseAddress != keys.baseAddress {
            _ = UnsafeMutableBufferPointer(rebasing: keys[0..<length]).update(fromContentsOf: sorted[0..<length])
        }
        return length
    }

    /// The interleaved suppression over the groups' sorted runs (`groupRuns`, keys at `keys`),
    /// from an empty pool: pops the groups' next candidates in global order until step 4 has
    /// `maxDetections` detections or every run is spent.
    private func mergeRuns(
        of keys: UnsafeMutablePointer<UInt64>, minimumIoU: Float, configuration: PostprocessConfiguration
    ) -> (pooled: Int, emittable: Int) {
        let boxesPerGroup = SelectedBoxColumns.storageSize(capacity: selectionsPerGroup)
        let dropEmpty = configuration.clipping == .afterSuppressionDroppingEmpty
        var heads = CandidateHeap(storage: groupHeads, count: 0)
        for group in 0..<groupRuns.count where groupRuns[group].length > 0 {
            heads.push(ScoredCandidate(score: CandidateKey.score(of: keys[groupRuns[group].start]), key: Int32(group)))
        }
        var pooled = 0
        var emittable = 0
        // Equal scores pop by lower group (the heap's key), and within a group by lower anchor.
        while emittable < configuration.maxDetections, let head = heads.popFirst() {
            let group = Int(head.key)
            var run = groupRuns[group]
            let anchor = CandidateKey.anchor(of: keys[run.start + run.cursor])
            let box = decodedBoxes[Int(anchor)]
            var columns = SelectedBoxColumns(
                storage: UnsafeMutableBufferPointer(
                    rebasing: selectedBoxes[(group * boxesPerGroup)..<((group + 1) * boxesPerGroup)]),
                capacity: selectionsPerGroup, count: run.selected)
            if !columns.anyOverlap(with: box, atLeast: minimumIoU) {
                columns.append(box)
                run.selected += 1
                let classIndex = configuration.classAgnostic ? bestClasses[Int(anchor)] : Int32(group)
                appendToPool(ScoredCandidate(score: head.score, key: anchor), classIndex: classIndex, pooled: &pooled)
                // Step 4 skips what clamping empties; those do not count towards its limit.
                if !dropEmpty || box.clamped(to: 0...1).area > 0 { emittable += 1 }
            }
            run.cursor += 1
            groupRuns[group] = run
            if run.cursor < run.length && run.selected < selectionsPerGroup {
                heads.push(ScoredCandidate(score: CandidateKey.score(of: keys[run.start + run.cursor]), key: Int32(group)))
            }
        }
        return (pooled, emittable)
    }
}
