import LiteDetectImage

// Drawing results on a picture, as `detect` draws its annotated images and videos: one box per
// object in a colour-blind-safe colour, captioned above (or inside) the box; line width and text
// size follow the picture's size.

extension RGBImage {
    /// Draws each detection, coloured by its class and captioned with its label and score.
    public mutating func drawDetections(_ detections: [LabeledDetection]) {
        draw(detections.map { annotation($0.box, colourKey: $0.classID, caption: $0.label, score: $0.score) })
    }

    /// Draws each track, coloured by its id (so a track keeps its colour across frames) and
    /// captioned `#id label` with its score.
    public mutating func drawTracks(_ tracks: [TrackedObject]) {
        draw(tracks.map { annotation($0.box, colourKey: $0.id, caption: "#\($0.id) \($0.label)", score: $0.score) })
    }

    private func annotation(_ box: Box, colourKey: Int, caption: String, score: Float) -> BoxAnnotation {
        BoxAnnotation(
            xMin: Double(box.x1), yMin: Double(box.y1), xMax: Double(box.x2), yMax: Double(box.y2),
            classID: colourKey, label: caption, score: score)
    }
}
