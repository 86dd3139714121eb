/// How a box outline is drawn. Dashes, dots and gaps are measured in line widths, so the pattern
/// looks the same on a thumbnail and on a 4K frame.
package enum LineStyle: Sendable, Hashable, CaseIterable {
    case solid
    /// Dashes 3 line widths long, with gaps of 2.
    case dashed
    /// Square dots one line width long, with gaps one line width plus one pixel, so that even
    /// 1-pixel lines do not blur into grey.
    case dotted

    /// Lengths in pixels of one dash and one gap for a line `lineWidth` pixels thick, or nil for
    /// a solid line.
    package func pattern(lineWidth: Int) -> (on: Int, off: Int)? {
        let width = max(1, lineWidth)
        switch self {
        case .solid: return nil
        case .dashed: return (3 * width, 2 * width)
        case .dotted: return (width, width + 1)
        }
    }
}
