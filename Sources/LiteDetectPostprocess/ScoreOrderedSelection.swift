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
    ///
    /// `cutoff` is how gathering filed the candidates. When its bar rose (some candidates were
    /// left out) and the best it filed do not give `maxDetections`, this returns `nil`: the
    /// caller then files every candidate and calls again.
    func selectGroupsInScoreOrder(minimumIoU: Float, configuration: PostprocessConfiguration, cutoff: RunningCutoff) -> Int? {
        defer { cutoff.clear(scoreHistogram) }
        guard selectionsPerGroup > 0 else { return 0 }
        if cutoff.isRunning && (!cutoff.isComplete || cutoff.counted > bestKeys.count) {
            let best = bestPrefix(of: cutoff)
            if best.count > 0, let pooled = selectFromBestKeys(below: best.bucket, minimumIoU: minimumIoU, configuration: configuration) {
                return pooled
            }
        }
        // Every filed key above the bar (all of them when nothing was left out), sorted where it
        // lies: also where the best keys do not fit `bestKeys` (many equal scores).
        let cutoffKey = UInt64(cutoff.bucket) << 48
        for group in 0..<groupRuns.count {
            // Sorted in place, so every group's run stays put while the others are sorted.
            let start = group * anchorCount
            let keys = UnsafeMutableBufferPointer(rebasing: candidateKeys[start..<(start + candidateCounts[group])])
            let length = sortRun(keys, limit: configuration.candidatesPerClass, below: cutoffKey)
            groupRuns[group] = GroupRun(start: start, length: length)
        }
        let merged = mergeRuns(of: candidateKeys.baseAddress!, minimumIoU: minimumIoU, configuration: configuration)
        return cutoff.isComplete || merged.emittable == configuration.maxDetections ? merged.pooled : nil
    }

    /// The first buckets of the filing's histogram that hold at least the `wanted` keys of
    /// `cutoff` (fewer if `bestKeys` or the bar stops it first): keys in buckets below `bucket`,
    /// `count` of them.
    private func bestPrefix(of cutoff: RunningCutoff) -> (bucket: Int, count: Int) {
        var taken = 0
        var bucket = cutoff.firstBucket
        while bucket < cutoff.bucket {
            let next = taken + Int(scoreHistogram[bucket])
            if next > bestKeys.count { break }
            taken = next
            bucket += 1
            if taken >= cutoff.wanted { break }
        }
        return (bucket, taken)
    }

    /// Step 3 on the best keys only: the candidates in buckets below `cutoffBucket` (a prefix of
    /// the global order, complete in every group, that fits `bestKeys`), sorted instead of all.
    /// The merge over them decides as the merge over everything — as long as it finds its
    /// `maxDetections` among them; `nil` when it does not.
    private func selectFromBestKeys(below cutoffBucket: Int, minimumIoU: Float, configuration: PostprocessConfiguration) -> Int? {
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
    /// how many of them the run keeps (at most `limit`, and only keys below `cutoff`).
    private func sortRun(_ keys: UnsafeMutableBufferPointer<UInt64>, limit: Int?, below cutoff: UInt64 = .max) -> Int {
        let sorted = CandidateKeySort.sort(keys, scratch: sortScratch, histograms: sortHistograms)
        // Keys filed before the bar rose past them come last; binary search for the first.
        var (low, high) = (0, sorted.count)
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < cutoff { low = middle + 1 } else { high = middle }
        }
        let length = min(low, limit ?? low)
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
