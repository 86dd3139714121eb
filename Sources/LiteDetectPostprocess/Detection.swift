/// One detected object.
package struct Detection: Sendable, Hashable {
    /// The output class id (see `PostprocessConfiguration.ClassIDMapping`; by default the
    /// logit column, i.e. 1-based with 0 the background, as torchvision labels and TensorFlow
    /// label maps number classes).
    package var classID: Int
    /// The class score after score conversion (and soft-NMS decay, if used).
    package var score: Float
    /// The box in original-image pixels.
    package var box: Box
    /// The anchor (head output row) the box was decoded from.
    package var anchorIndex: Int

    package init(classID: Int, score: Float, box: Box, anchorIndex: Int) {
        self.classID = classID
        self.score = score
        self.box = box
        self.anchorIndex = anchorIndex
    }
}
