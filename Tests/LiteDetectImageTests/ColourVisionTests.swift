import LiteDetectImage
import XCTest

/// The default palette's colours stay apart for colour-blind viewers, and every caption is
/// readable on its tag. Each measure is first checked against data published by someone else.
final class ColourVisionTests: XCTestCase {
    typealias Lab = ColourScience.Lab

    /// All 34 pairs of Table 1 in Sharma, Wu & Dalal (2005), which were published to catch the
    /// usual CIEDE2000 mistakes (hue means across 0°/360°, achromatic colours, the rotation term).
    func testCIEDE2000MatchesSharmaWuDalalTestData() {
        let pairs: [(Lab, Lab, Double)] = [
            ((50.0000, 2.6772, -79.7751), (50.0000, 0.0000, -82.7485), 2.0425),
            ((50.0000, 3.1571, -77.2803), (50.0000, 0.0000, -82.7485), 2.8615),
            ((50.0000, 2.8361, -74.0200), (50.0000, 0.0000, -82.7485), 3.4412),
            ((50.0000, -1.3802, -84.2814), (50.0000, 0.0000, -82.7485), 1.0000),
            ((50.0000, -1.1848, -84.8006), (50.0000, 0.0000, -82.7485), 1.0000),
            ((50.0000, -0.9009, -85.5211), (50.0000, 0.0000, -82.7485), 1.0000),
            ((50.0000, 0.0000, 0.0000), (50.0000, -1.0000, 2.0000), 2.3669),
            ((50.0000, -1.0000, 2.0000), (50.0000, 0.0000, 0.0000), 2.3669),
            ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0009), 7.1792),
            ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0010), 7.1792),
            ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0011), 7.2195),
            ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0012), 7.2195),
            ((50.0000, -0.0010, 2.4900), (50.0000, 0.0009, -2.4900), 4.8045),
            ((50.0000, -0.0010, 2.4900), (50.0000, 0.0010, -2.4900), 4.8045),
            ((50.0000, -0.0010, 2.4900), (50.0000, 0.0011, -2.4900), 4.7461),
            ((50.0000, 2.5000, 0.0000), (50.0000, 0.0000, -2.5000), 4.3065),
            ((50.0000, 2.5000, 0.0000), (73.0000, 25.0000, -18.0000), 27.1492),
            ((50.0000, 2.5000, 0.0000), (61.0000, -5.0000, 29.0000), 22.8977),
            ((50.0000, 2.5000, 0.0000), (56.0000, -27.0000, -3.0000), 31.9030),
            ((50.0000, 2.5000, 0.0000), (58.0000, 24.0000, 15.0000), 19.4535),
            ((50.0000, 2.5000, 0.0000), (50.0000, 3.1736, 0.5854), 1.0000),
            ((50.0000, 2.5000, 0.0000), (50.0000, 3.2972, 0.0000), 1.0000),
            ((50.0000, 2.5000, 0.0000), (50.0000, 1.8634, 0.5757), 1.0000),
            ((50.0000, 2.5000, 0.0000), (50.0000, 3.2592, 0.3350), 1.0000),
            ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
            ((63.0109, -31.0961, -5.8663), (62.8187, -29.7946, -4.0864), 1.2630),
            ((61.2901, 3.7196, -5.3901), (61.4292, 2.2480, -4.9620), 1.8731),
            ((35.0831, -44.1164, 3.7933), (35.0232, -40.0716, 1.5901), 1.8645),
            ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
            ((36.4612, 47.8580, 18.3852), (36.2715, 50.5065, 21.2231), 1.4146),
            ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441),
            ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
            ((6.7747, -0.2908, -2.4247), (5.8714, -0.0985, -2.2286), 0.6377),
            ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
        ].map { (Lab(l: $0.0, a: $0.1, b: $0.2), Lab(l: $1.0, a: $1.1, b: $1.2), $2) }
        for (index, (first, second, expected)) in pairs.enumerated() {
            // The table gives 4 decimals.
            XCTAssertEqual(ColourScience.ciede2000(first, second), expected, accuracy: 5e-5, "pair \(index + 1)")
            XCTAssertEqual(ColourScience.ciede2000(second, first), expected, accuracy: 5e-5, "pair \(index + 1) reversed")
        }
    }

    /// sRGB to CIELAB and the Machado simulation agree with an independent implementation,
    /// colorspacious 1.1.2 (N. J. Smith), using `cspace_convert(rgb, "sRGB255", "CIELab")` and,
    /// for the simulations, `{"name": "sRGB1+CVD", "cvd_type": …, "severity": 100}`. The
    /// tolerance, 0.02, covers the small difference between the two libraries' white points
    /// (measured up to 0.011 in b for saturated colours). The simulated colours chosen stay inside the sRGB gamut, so clipping
    /// plays no part.
    func testLabAndSimulationAgreeWithColorspacious() {
        let plain: [(UInt32, Lab)] = [
            (0xFF0000, Lab(l: 53.2314, a: 80.1144, b: 67.2200)),
            (0x00FF00, Lab(l: 87.7356, a: -86.1840, b: 83.1830)),
            (0x0000FF, Lab(l: 32.3027, a: 79.1923, b: -107.8633)),
            (0x808080, Lab(l: 53.5840, a: 0.0045, b: -0.0072)),
        ]
        for (hex, expected) in plain {
            assertLab(ColourScience.lab(RGBColor(hex: hex)), expected, "\(RGBColor(hex: hex))")
        }
        let simulated: [(ColourScience.Deficiency, UInt32, Lab)] = [
            (.protanopia, 0x0072B2, Lab(l: 49.2167, a: 6.8776, b: -37.6458)),
            (.deuteranopia, 0xE69F00, Lab(l: 72.9495, a: -6.6758, b: 72.9251)),
            (.deuteranopia, 0x56B4E9, Lab(l: 67.6804, a: 7.0717, b: -37.4589)),
            (.tritanopia, 0xCC79A7, Lab(l: 61.2902, a: 38.6459, b: 6.7815)),
        ]
        for (deficiency, hex, expected) in simulated {
            let rgb = deficiency.simulate(RGBColor(hex: hex), clipped: false)
            XCTAssertTrue(rgb.allSatisfy { (0...1).contains($0) })
            assertLab(ColourScience.lab(linearRGB: rgb), expected, "\(RGBColor(hex: hex)) under \(deficiency)")
        }
    }

    /// Any two of the default palette's colours stay at least 10 ΔE00 apart, for normal vision
    /// and under each simulated dichromacy, whether or not the simulated colours are clipped to
    /// the sRGB gamut. That covers consecutive entries, the last and the first included. The
    /// order chosen keeps neighbours further apart still, at least 18 (measured: 18.16). The
    /// test pins that figure so that a reordering cannot silently undo it.
    ///
    /// Why 10: ΔE00 was fitted to small differences, and about 1 is a just-noticeable difference.
    /// Class colours have to be told apart at a glance on thin lines, not merely noticed side by
    /// side. 10 is the largest round bound that the published Okabe & Ito set meets under all three
    /// simulations (its closest pair, orange and reddish purple under tritanopia, is 10.9). The
    /// test therefore fails if an entry is replaced by a colour that collapses onto another one
    /// for some viewers. The negative control below shows that the measure catches such a pair.
    func testPaletteColoursStayApartUnderSimulatedColourBlindness() {
        let colors = ClassPalette.okabeIto.colors
        XCTAssertEqual(colors.count, 8)
        let threshold = 10.0
        for clipped in [true, false] {
            for deficiency in [nil] + ColourScience.Deficiency.allCases.map(Optional.some) {
                let labs = colors.map { color in
                    ColourScience.lab(linearRGB: deficiency?.simulate(color, clipped: clipped) ?? ColourScience.linearRGB(color))
                }
                let vision = deficiency?.rawValue ?? "normal vision"
                for i in colors.indices {
                    for j in colors.indices where j > i {
                        let difference = ColourScience.ciede2000(labs[i], labs[j])
                        XCTAssertGreaterThanOrEqual(difference, threshold, "\(colors[i]) vs \(colors[j]), \(vision), clipped: \(clipped)")
                    }
                    let next = (i + 1) % colors.count
                    XCTAssertGreaterThanOrEqual(
                        ColourScience.ciede2000(labs[i], labs[next]), 18, "neighbours \(colors[i]), \(colors[next]), \(vision)")
                }
            }
        }
        // Negative control: yellow and lime from the previous default (Trubetskoy's 20 colours)
        // are far apart for normal vision but nearly identical under protanopia.
        let (yellow, lime) = (RGBColor(hex: 0xFFE119), RGBColor(hex: 0xBFEF45))
        XCTAssertGreaterThan(ColourScience.ciede2000(ColourScience.lab(yellow), ColourScience.lab(lime)), threshold)
        let protan = ColourScience.Deficiency.protanopia
        XCTAssertLessThan(
            ColourScience.ciede2000(ColourScience.lab(linearRGB: protan.simulate(yellow)), ColourScience.lab(linearRGB: protan.simulate(lime))), 2)
    }

    /// WCAG 2.x relative luminance and contrast ratio against well-known values: black on white
    /// is 21:1, #767676 on white is the lightest grey that passes AA (4.54:1), and #777777 fails
    /// it (4.48:1). WCAG's formula uses 0.03928 as its linear-segment threshold where sRGB uses
    /// 0.04045. No 8-bit channel lies between the two (10/255 < 0.03928 < 0.04045 < 11/255), so
    /// they give the same result here.
    func testContrastRatioMatchesWCAG() {
        XCTAssertEqual(ColourScience.contrastRatio(.black, .white), 21, accuracy: 1e-9)
        XCTAssertEqual(ColourScience.contrastRatio(RGBColor(hex: 0x767676), .white), 4.54, accuracy: 0.005)
        XCTAssertEqual(ColourScience.contrastRatio(RGBColor(hex: 0x777777), .white), 4.48, accuracy: 0.005)
        XCTAssertLessThan(10.0 / 255, 0.03928)
        XCTAssertGreaterThan(11.0 / 255, 0.04045)
    }

    /// The caption colour (black or white, whichever contrasts more) reaches WCAG AA (4.5:1) on
    /// every palette colour. It does so on any colour at all: the two ratios multiply to 21, so
    /// the better one is at least √21 ≈ 4.58. This is checked on a 16-level RGB grid that
    /// includes the greys around the crossover luminance (about 0.18).
    func testCaptionContrastsWithEveryTagColour() {
        for color in ClassPalette.okabeIto.colors {
            let text = color.contrastingTextColor
            let other: RGBColor = text == .black ? .white : .black
            XCTAssertGreaterThanOrEqual(ColourScience.contrastRatio(color, text), 4.5, "\(color) with \(text)")
            XCTAssertGreaterThanOrEqual(ColourScience.contrastRatio(color, text), ColourScience.contrastRatio(color, other), "\(color)")
        }
        var worst = Double.infinity
        let levels = (0..<16).map { UInt8($0 * 17) } + (110...125).map(UInt8.init)
        for r in levels {
            for g in levels {
                for b in levels {
                    let color = RGBColor(red: r, green: g, blue: b)
                    worst = min(worst, ColourScience.contrastRatio(color, color.contrastingTextColor))
                }
            }
        }
        XCTAssertGreaterThanOrEqual(worst, 21.0.squareRoot() - 1e-9)
        XCTAssertLessThan(worst, 4.6)  // the grid does reach the crossover
    }

    private func assertLab(_ actual: Lab, _ expected: Lab, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.l, expected.l, accuracy: 0.02, "L of \(message)", file: file, line: line)
        XCTAssertEqual(actual.a, expected.a, accuracy: 0.02, "a of \(message)", file: file, line: line)
        XCTAssertEqual(actual.b, expected.b, accuracy: 0.02, "b of \(message)", file: file, line: line)
    }
}
