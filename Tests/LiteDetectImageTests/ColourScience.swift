import Foundation
import LiteDetectImage

/// The colour science the palette tests measure with. Each formula comes from the standard or
/// paper named on it, and each is checked against data published with it
/// (`ColourVisionTests`).
enum ColourScience {
    struct Lab: Equatable {
        var l: Double
        var a: Double
        var b: Double
    }

    /// An sRGB channel in 0...1, linearised per IEC 61966-2-1 (the sRGB standard).
    static func linear(_ channel: UInt8) -> Double {
        let value = Double(channel) / 255
        return value <= 0.04045 ? value / 12.92 : pow((value + 0.055) / 1.055, 2.4)
    }

    static func linearRGB(_ color: RGBColor) -> [Double] {
        [linear(color.red), linear(color.green), linear(color.blue)]
    }

    /// CIELAB (CIE 15:2004) of a linear sRGB colour. XYZ comes from the IEC 61966-2-1 matrix, and
    /// the white point is that matrix's image of RGB white (D65 to four decimals), so white maps
    /// to exactly L = 100, a = b = 0.
    static func lab(linearRGB rgb: [Double]) -> Lab {
        let (r, g, b) = (rgb[0], rgb[1], rgb[2])
        let x = 0.4124 * r + 0.3576 * g + 0.1805 * b
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b
        let z = 0.0193 * r + 0.1192 * g + 0.9505 * b
        let (xn, yn, zn) = (0.4124 + 0.3576 + 0.1805, 1.0, 0.0193 + 0.1192 + 0.9505)
        func f(_ t: Double) -> Double {
            let delta = 6.0 / 29
            return t > delta * delta * delta ? cbrt(t) : t / (3 * delta * delta) + 4.0 / 29
        }
        let (fx, fy, fz) = (f(x / xn), f(y / yn), f(z / zn))
        return Lab(l: 116 * fy - 16, a: 500 * (fx - fy), b: 200 * (fy - fz))
    }

    static func lab(_ color: RGBColor) -> Lab { lab(linearRGB: linearRGB(color)) }

    /// CIEDE2000 colour difference (CIE 142-2001), with kL = kC = kH = 1. The steps are equations
    /// 1–22 of Sharma, Wu & Dalal, "The CIEDE2000 Color-Difference Formula: Implementation Notes,
    /// Supplementary Test Data, and Mathematical Observations", Color Res. Appl. 30(1), 2005.
    static func ciede2000(_ first: Lab, _ second: Lab) -> Double {
        func degrees(_ radians: Double) -> Double { radians * 180 / .pi }
        func radians(_ degrees: Double) -> Double { degrees * .pi / 180 }
        let pow25To7: Double = pow(25.0, 7.0)
        // (2)-(6): a' and C', h' in degrees, 0 where a' = b' = 0.
        let cBar = (hypot(first.a, first.b) + hypot(second.a, second.b)) / 2
        let g = 0.5 * (1 - sqrt(pow(cBar, 7.0) / (pow(cBar, 7.0) + pow25To7)))
        let a1 = (1 + g) * first.a, a2 = (1 + g) * second.a
        let c1 = hypot(a1, first.b), c2 = hypot(a2, second.b)
        func hue(_ b: Double, _ a: Double) -> Double {
            if a == 0 && b == 0 { return 0 }
            let h = degrees(atan2(b, a))
            return h < 0 ? h + 360 : h
        }
        let h1 = hue(first.b, a1), h2 = hue(second.b, a2)
        // (8)-(10): differences.
        let deltaL = second.l - first.l
        let deltaC = c2 - c1
        var deltaH = 0.0
        if c1 * c2 != 0 {
            deltaH = h2 - h1
            if deltaH > 180 { deltaH -= 360 } else if deltaH < -180 { deltaH += 360 }
        }
        let deltaBigH = 2 * sqrt(c1 * c2) * sin(radians(deltaH / 2))
        // (12)-(22): weights and rotation.
        let lBar = (first.l + second.l) / 2
        let cBarPrime = (c1 + c2) / 2
        var hBar = h1 + h2
        if c1 * c2 != 0 {
            if abs(h1 - h2) <= 180 {
                hBar = (h1 + h2) / 2
            } else if h1 + h2 < 360 {
                hBar = (h1 + h2 + 360) / 2
            } else {
                hBar = (h1 + h2 - 360) / 2
            }
        }
        let t =
            1 - 0.17 * cos(radians(hBar - 30)) + 0.24 * cos(radians(2 * hBar))
            + 0.32 * cos(radians(3 * hBar + 6)) - 0.20 * cos(radians(4 * hBar - 63))
        let deltaTheta = 30 * exp(-pow((hBar - 275) / 25, 2.0))
        let rC = 2 * sqrt(pow(cBarPrime, 7.0) / (pow(cBarPrime, 7.0) + pow25To7))
        let sL = 1 + 0.015 * pow(lBar - 50, 2.0) / sqrt(20 + pow(lBar - 50, 2.0))
        let sC = 1 + 0.045 * cBarPrime
        let sH = 1 + 0.015 * cBarPrime * t
        let rT = -sin(radians(2 * deltaTheta)) * rC
        let (l, c, h) = (deltaL / sL, deltaC / sC, deltaBigH / sH)
        return sqrt(l * l + c * c + h * h + rT * c * h)
    }

    /// Dichromacy as simulated by Machado, Oliveira & Fernandes, "A Physiologically-based Model
    /// for Simulation of Color Vision Deficiency", IEEE TVCG 15(6), 2009, at severity 1.0. The
    /// matrices are the paper's supplementary table (www.inf.ufrgs.br/~oliveira), applied to
    /// linear RGB.
    enum Deficiency: String, CaseIterable {
        case protanopia, deuteranopia, tritanopia

        var matrix: [[Double]] {
            switch self {
            case .protanopia:
                return [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
            case .deuteranopia:
                return [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
            case .tritanopia:
                return [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
            }
        }

        /// The linear RGB that a viewer with this deficiency is simulated to see for `color`.
        /// With `clipped`, each channel is clamped to 0...1, as a display would show it.
        func simulate(_ color: RGBColor, clipped: Bool = true) -> [Double] {
            let rgb = ColourScience.linearRGB(color)
            return matrix.map { row in
                let value = row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2]
                return clipped ? min(max(value, 0), 1) : value
            }
        }
    }

    /// WCAG 2.x contrast ratio, (L1 + 0.05) / (L2 + 0.05) with L1 the lighter relative luminance.
    static func contrastRatio(_ first: RGBColor, _ second: RGBColor) -> Double {
        let (a, b) = (first.relativeLuminance, second.relativeLuminance)
        return (max(a, b) + 0.05) / (min(a, b) + 0.05)
    }
}
