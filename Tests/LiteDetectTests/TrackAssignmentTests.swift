import LiteDetect
import XCTest

/// `LinearAssignment` against exhaustive search of every partial matching.
final class TrackAssignmentTests: XCTestCase {
    /// The objective `solve` minimises: matched costs plus half the limit per unmatched row and column.
    private func objective(_ pairs: [(row: Int, column: Int)], _ costs: [Double], rows: Int, columns: Int, limit: Double) -> Double {
        let matched = pairs.reduce(0) { $0 + costs[$1.row * columns + $1.column] }
        return matched + Double(rows + columns - 2 * pairs.count) * limit / 2
    }

    /// The best objective over all partial matchings using only pairs cheaper than `limit`.
    private func bruteForce(_ costs: [Double], rows: Int, columns: Int, limit: Double) -> Double {
        func search(_ row: Int, _ used: Set<Int>, _ pairs: [(row: Int, column: Int)]) -> Double {
            if row == rows { return objective(pairs, costs, rows: rows, columns: columns, limit: limit) }
            var best = search(row + 1, used, pairs)
            for column in 0..<columns where !used.contains(column) && costs[row * columns + column] < limit {
                best = min(best, search(row + 1, used.union([column]), pairs + [(row, column)]))
            }
            return best
        }
        return search(0, [], [])
    }

    func testMatchesExhaustiveSearchOnRandomMatrices() {
        var state: UInt64 = 12345
        func random() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        for trial in 0..<300 {
            let rows = 1 + trial % 5, columns = 1 + (trial / 5) % 5
            let costs = (0..<(rows * columns)).map { _ in random() < 0.15 ? Double.infinity : random() }
            let limit = 0.3 + 0.7 * random()
            let pairs = LinearAssignment.solve(costs: costs, rows: rows, columns: columns, costLimit: limit)
            XCTAssertEqual(Set(pairs.map(\.row)).count, pairs.count, "a row matched twice")
            XCTAssertEqual(Set(pairs.map(\.column)).count, pairs.count, "a column matched twice")
            XCTAssertTrue(pairs.allSatisfy { costs[$0.row * columns + $0.column] < limit }, "a pair at or over the limit")
            let expected = bruteForce(costs, rows: rows, columns: columns, limit: limit)
            XCTAssertEqual(objective(pairs, costs, rows: rows, columns: columns, limit: limit), expected, accuracy: 1e-12, "trial \(trial)")
        }
    }

    func testPrefersTwoGoodPairsToOneExcellentPair() {
        // Row 0 fits column 0 best, but then row 1 (which only fits column 0) is left out.
        let costs = [0.05, 0.3, 0.2, .infinity]
        let pairs = LinearAssignment.solve(costs: costs, rows: 2, columns: 2, costLimit: 0.8)
        XCTAssertEqual(pairs.map { [$0.row, $0.column] }, [[0, 1], [1, 0]])
    }

    func testEmptySidesMatchNothing() {
        XCTAssertTrue(LinearAssignment.solve(costs: [], rows: 0, columns: 3, costLimit: 1).isEmpty)
        XCTAssertTrue(LinearAssignment.solve(costs: [0.9, 0.95], rows: 1, columns: 2, costLimit: 0.8).isEmpty)
    }
}
