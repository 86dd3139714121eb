/// Colours and box-outline styles for class ids. It is built so that classes whose ids are close
/// stay distinct for people with protanopia, deuteranopia or tritanopia, not only for people with
/// normal colour vision. In COCO and VOC, classes with close ids are often seen together
/// (vehicles, animals, kitchenware).
///
/// No published colour-blind-safe set comes close to COCO's 80 classes. Okabe & Ito have 8
/// colours, Paul Tol's qualitative schemes have 7 (bright, vibrant) or 9 (muted, light), and the
/// IBM Design Library set has 5. Larger "distinct" tables lose the property: in Sasha
/// Trubetskoy's 20 colours, this palette's previous default, yellow and lime fall to 1.3 ΔE00
/// apart under protanopia, about one just-noticeable difference. So each class gets two cues,
/// and its caption names the class as well:
///
/// - **Hue**: one of Okabe & Ito's 8 Color Universal Design colours. They are designed to stay
///   distinct under protan, deutan and tritan vision. Simulated with Machado, Oliveira &
///   Fernandes (2009) at severity 1.0, any two of them differ by at least 10.9 ΔE00 (CIEDE2000)
///   under each deficiency. Of all 5040 cyclic orders of the 8, the one used here keeps
///   neighbours furthest apart: at least 18.1, the last and the first included. Class ids
///   0, 1, 2… get blue, vermillion, bluish green, yellow, reddish purple, black, sky blue,
///   orange, then blue again. COCO's person, id 1, is vermillion.
/// - **Outline style**: each time the hues start over, the outline changes: solid, then dashed,
///   then dotted (`lineStyles`). Telling them apart needs no colour vision. The same colour with
///   the same outline comes back only every 24 ids.
///
/// The caption is drawn in black or white, whichever contrasts more with the tag
/// (`RGBColor.contrastingTextColor`). Whatever the fill, the better of the two reaches a WCAG 2.x
/// contrast ratio of at least √21 ≈ 4.58:1, so the text always passes AA (4.5:1). The two ratios
/// multiply to 21, so they cannot both be below √21. WCAG's luminance models normal vision only.
/// Applied to the simulated colours, all captions stay at 4.5:1 or more except black on
/// vermillion under protanopia, which drops to 4.3:1 (white there would be 3.4:1 for deutan
/// viewers). That is the one entry to reconsider if the published colours are ever adjusted.
///
/// Sources:
/// - M. Okabe and K. Ito, "Color Universal Design (CUD): How to make figures and presentations
///   that are friendly to colorblind people", J*Fly, 2008 (jfly.uni-koeln.de/color).
/// - P. Tol, "Colour Schemes", SRON/EPS/TN/09-002, issue 3.2, 2021.
/// - G. M. Machado, M. M. Oliveira and L. A. F. Fernandes, "A Physiologically-based Model for
///   Simulation of Color Vision Deficiency", IEEE TVCG 15(6), 2009.
/// - G. Sharma, W. Wu and E. N. Dalal, "The CIEDE2000 Color-Difference Formula: Implementation
///   Notes, Supplementary Test Data, and Mathematical Observations", Color Res. Appl. 30(1), 2005.
/// - W3C, Web Content Accessibility Guidelines 2.1, "contrast ratio" and "relative luminance".
///
/// The figures above are checked in `Tests/LiteDetectImageTests/ColourVisionTests.swift`.
package struct ClassPalette: Sendable, Equatable {
    package var colors: [RGBColor]
    /// Outline styles. Successive rounds of `colors` use them in turn.
    package var lineStyles: [LineStyle]

    /// A palette that cycles through `colors`. After each full round it moves on to the next
    /// outline in `lineStyles`. Neither list may be empty.
    package init(colors: [RGBColor], lineStyles: [LineStyle] = [.solid]) {
        precondition(!colors.isEmpty, "a palette needs at least one colour")
        precondition(!lineStyles.isEmpty, "a palette needs at least one line style")
        self.colors = colors
        self.lineStyles = lineStyles
    }

    /// The default: Okabe & Ito's 8 colours combined with solid, dashed and dotted outlines.
    package static let okabeIto = ClassPalette(
        colors: [
            0x0072B2,  // blue
            0xD55E00,  // vermillion
            0x009E73,  // bluish green
            0xF0E442,  // yellow
            0xCC79A7,  // reddish purple
            0x000000,  // black
            0x56B4E9,  // sky blue
            0xE69F00,  // orange
        ].map { RGBColor(hex: $0) },
        lineStyles: [.solid, .dashed, .dotted])

    /// The colour of class `id`. A negative id is treated as its absolute value.
    package func color(forClass id: Int) -> RGBColor {
        colors[Int(id.magnitude % UInt(colors.count))]
    }

    /// The box outline style of class `id`. It changes each time `colors` starts over.
    package func lineStyle(forClass id: Int) -> LineStyle {
        let round = id.magnitude / UInt(colors.count)
        return lineStyles[Int(round % UInt(lineStyles.count))]
    }
}
