/// Colours for class ids: neighbouring ids get clearly different colours.
///
/// The default table is Sasha Trubetskoy's "List of 20 Simple, Distinct Colors" (2017), in
/// his order of decreasing distinctness, so the first few classes are the easiest to tell apart.
public struct ClassPalette: Sendable, Equatable {
    public var colors: [RGBColor]

    /// A palette cycling through `colors` (must not be empty).
    public init(colors: [RGBColor]) {
        precondition(!colors.isEmpty, "a palette needs at least one colour")
        self.colors = colors
    }

    public static let distinct20 = ClassPalette(colors: [
        0xE6194B, 0x3CB44B, 0xFFE119, 0x4363D8, 0xF58231, 0x911EB4, 0x42D4F4, 0xF032E6, 0xBFEF45, 0xFABED4,
        0x469990, 0xDCBEFF, 0x9A6324, 0xFFFAC8, 0x800000, 0xAAFFC3, 0x808000, 0xFFD8B1, 0x000075, 0xA9A9A9,
    ].map { RGBColor(hex: $0) })

    /// The colour of class `id` (negative ids count like their absolute value).
    public func color(forClass id: Int) -> RGBColor {
        colors[Int(id.magnitude % UInt(colors.count))]
    }
}
