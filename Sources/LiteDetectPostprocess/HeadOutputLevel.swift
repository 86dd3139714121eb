/// One detection level's head outputs where the network left them: `anchorCount` rows of box
/// codes (4 floats each) and of class logits (`logitColumns` each), anchor-major and contiguous.
///
/// `DetectionPostprocessor` reads the levels in order (their anchors follow one another in the
/// anchor list), so a caller need not copy them into one buffer first.
package struct HeadOutputLevel {
    package var boxRegressions: UnsafePointer<Float>
    package var classLogits: UnsafePointer<Float>
    package var anchorCount: Int

    package init(boxRegressions: UnsafePointer<Float>, classLogits: UnsafePointer<Float>, anchorCount: Int) {
        self.boxRegressions = boxRegressions
        self.classLogits = classLogits
        self.anchorCount = anchorCount
    }
}
