/// The spatial size of one head output (feature map): `height` rows by `width` columns of cells.
///
/// Anchors are laid out row-major over these cells (row 0 first, columns left to right), with the
/// anchors of one cell adjacent — the order in which SSD heads flatten their outputs.
package struct GridSize: Sendable, Hashable {
    package var height: Int
    package var width: Int

    package init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    /// A square `side × side` grid.
    package init(square side: Int) {
        self.init(height: side, width: side)
    }

    package var cellCount: Int { height * width }
}

/// Checks the shared preconditions of every anchor generator's `anchors(...)` call.
func validateGrids(_ grids: [GridSize], levelCount: Int, levelField: String) throws(PostprocessError) {
    guard grids.count == levelCount else {
        throw .lengthMismatch(field: "featureMaps", count: grids.count, otherField: levelField, otherCount: levelCount)
    }
    for (level, grid) in grids.enumerated() where grid.height <= 0 || grid.width <= 0 {
        throw .invalidParameter(
            field: "featureMaps[\(level)]", value: "\(grid.height)x\(grid.width)", expected: "positive height and width")
    }
}

/// Checks an input image size handed to an anchor generator.
func validateImageSize(width: Int, height: Int) throws(PostprocessError) {
    guard width > 0, height > 0 else {
        throw .invalidParameter(field: "imageSize", value: "\(width)x\(height)", expected: "positive width and height")
    }
}
