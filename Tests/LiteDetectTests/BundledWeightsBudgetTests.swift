import Foundation
import LiteDetect
import LiteDetectModels
import LiteDetectTestSupport
import XCTest

/// Every app that depends on LiteDetect carries `Configs/weights`: it must stay within the budget
/// the project set (120 MB, decimal), and every file there must belong to a bundled model.
final class BundledWeightsBudgetTests: XCTestCase {
    static let budget = 120_000_000

    func testBundledWeightsStayWithinTheBudget() throws {
        let folder = repositoryRoot.appendingPathComponent("Configs/weights")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".safetensors") }
        var total = 0
        for file in files {
            total += try XCTUnwrap(FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(file).path)[.size] as? Int)
        }
        XCTAssertLessThanOrEqual(total, Self.budget, "Configs/weights holds \(total) bytes")
        let referenced = Set(
            try ModelCatalog.bundled.names.compactMap { try ModelCatalog.bundled.config(named: $0).weightsPath }.map {
                URL(fileURLWithPath: $0).lastPathComponent
            })
        XCTAssertEqual(Set(files), referenced, "weights files and bundled configs should match one to one")
    }
}
