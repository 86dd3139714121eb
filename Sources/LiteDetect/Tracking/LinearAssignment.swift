/// Optimal one-to-one matching of rows to columns under a cost limit (the linear assignment
/// problem), as trackers use to pair tracks with detections.
///
/// Minimises the total cost of the matched pairs plus `costLimit / 2` for every row and every
/// column left unmatched — the formulation of `lap.lapjv(..., extend_cost=True, cost_limit=…)`
/// that ByteTrack and SORT-family trackers call. So a pair is only ever matched when its cost
/// is below `costLimit`, and among such pairs the total cost is as small as possible.
///
/// Solved exactly with the Hungarian method (shortest augmenting paths with potentials) on the
/// `(rows + columns)`-square extended matrix: O((rows + columns)³), fine for the tens of
/// objects a frame holds. Deterministic: ties go to the lowest index.
package enum LinearAssignment {
    /// The matched `(row, column)` pairs, by increasing row.
    ///
    /// - Parameters:
    ///   - costs: row-major `rows × columns` costs; `.infinity` forbids a pair.
    ///   - costLimit: pairs costing this or more are never matched (must be positive and finite).
    package static func solve(costs: [Double], rows: Int, columns: Int, costLimit: Double) -> [(row: Int, column: Int)] {
        precondition(costs.count == rows * columns, "costs has \(costs.count) entries for \(rows)×\(columns)")
        precondition(costLimit > 0 && costLimit.isFinite, "costLimit must be positive and finite")
        guard rows > 0 && columns > 0 else { return [] }
        // Extended square matrix: real rows then one "unmatched" stand-in per column; real columns
        // then one stand-in per row. Row i may take its own stand-in column (cost limit / 2),
        // stand-in rows take their own real column (limit / 2) or any stand-in column (0).
        let size = rows + columns
        let forbidden = Double.infinity
        func cost(_ row: Int, _ column: Int) -> Double {
            switch (row < rows, column < columns) {
            case (true, true):
                let value = costs[row * columns + column]
                return value < costLimit ? value : forbidden
            case (true, false): return column - columns == row ? costLimit / 2 : forbidden
            case (false, true): return row - rows == column ? costLimit / 2 : forbidden
            case (false, false): return 0
            }
        }
        let assignment = hungarian(size: size, cost: cost)
        return (0..<rows).compactMap { row in
            let column = assignment[row]
            return column < columns ? (row, column) : nil
        }
    }

    /// Minimum-cost perfect matching of a `size × size` matrix with finite costs on a perfect
    /// matching; returns the column of each row. Potentials `u`, `v` keep reduced costs
    /// non-negative; each row is added along a shortest augmenting path (Dijkstra-like scan).
    static func hungarian(size n: Int, cost: (Int, Int) -> Double) -> [Int] {
        // 1-based, with index 0 as the virtual start column of each augmenting search.
        var u = [Double](repeating: 0, count: n + 1)
        var v = [Double](repeating: 0, count: n + 1)
        var rowOfColumn = [Int](repeating: 0, count: n + 1)
        var previous = [Int](repeating: 0, count: n + 1)
        var minimum = [Double](repeating: 0, count: n + 1)
        var used = [Bool](repeating: false, count: n + 1)
        for row in 1...n {
            rowOfColumn[0] = row
            var column = 0
            for j in 0...n {
                minimum[j] = .infinity
                used[j] = false
            }
            repeat {
                used[column] = true
                let current = rowOfColumn[column]
                var delta = Double.infinity
                var next = 0
                for j in 1...n where !used[j] {
                    let reduced = cost(current - 1, j - 1) - u[current] - v[j]
                    if reduced < minimum[j] {
                        minimum[j] = reduced
                        previous[j] = column
                    }
                    if minimum[j] < delta {
                        delta = minimum[j]
                        next = j
                    }
                }
                precondition(delta.isFinite, "no perfect matching: the extended matrix always has one")
                for j in 0...n {
                    if used[j] {
                        u[rowOfColumn[j]] += delta
                        v[j] -= delta
                    } else {
                        minimum[j] -= delta
                    }
                }
                column = next
            } while rowOfColumn[column] != 0
            // Flip the path back to the start.
            repeat {
                let before = previous[column]
                rowOfColumn[column] = rowOfColumn[before]
                column = before
            } while column != 0
        }
        var columnOfRow = [Int](repeating: 0, count: n)
        for j in 1...n where rowOfColumn[j] != 0 { columnOfRow[rowOfColumn[j] - 1] = j - 1 }
        return columnOfRow
    }
}
