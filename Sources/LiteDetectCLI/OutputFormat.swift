import ArgumentParser

/// What `detect` prints to standard output.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    /// Human-readable lines with a timing line per image.
    case text
    /// JSON Lines: one object per image.
    case json
    /// One row per detection, with a header.
    case csv
    /// One COCO results array (`image_id`, `category_id`, `bbox` [x, y, w, h], `score`) at the end.
    case coco
    /// Per image a `# path` line, then `class cx cy w h score`, normalised to the image size.
    case yolo
}
