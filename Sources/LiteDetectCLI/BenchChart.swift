import Foundation
import LiteDetect
import LiteDetectImage
import LiteDetectKernels

/// Draws `bench` results as a scatter chart, forward latency against multiply-accumulates, with
/// LiteDetect's own drawing code: the seed's point that FLOPs are not speed, made visible.
enum BenchChart {
    static let width = 1100, height = 660
    static let left = 90, right = 40, top = 70, bottom = 80

    static func render(_ results: [BenchResult]) -> RGBImage {
        var image = RGBImage(width: width, height: height, fill: RGBColor(red: 255, green: 255, blue: 255))
        let ink = RGBColor(red: 40, green: 40, blue: 40), grid = RGBColor(red: 225, green: 225, blue: 225)
        let plot = PixelRect(x: left, y: top, width: width - left - right, height: height - top - bottom)
        let maxMACs = max(1, results.map { Double($0.multiplyAccumulates) / 1e6 }.max() ?? 1) * 1.1
        let maxMs = max(0.1, results.map(\.forward.median).max() ?? 1) * 1.15
        func px(_ macs: Double) -> Int { plot.x + Int(macs / maxMACs * Double(plot.width)) }
        func py(_ ms: Double) -> Int { plot.maxY - Int(ms / maxMs * Double(plot.height)) }

        let threads = Set(results.map(\.threads)).sorted().map(String.init).joined(separator: "/")
        let sizes = Set(results.map(\.inputSize)).sorted().map(String.init).joined(separator: "/")
        image.draw(text: "Forward latency vs multiply-accumulates", x: left, y: 14, scale: 3, color: ink)
        image.draw(
            text: "SSDLite, \(sizes) px input, \(threads) thread(s), median forward pass, \(KernelInstructionSet.selected) kernels",
            x: left, y: 46, scale: 2, color: ink)

        for tick in niceTicks(upTo: maxMACs) {
            image.fill(PixelRect(x: px(tick), y: plot.y, width: 1, height: plot.height), color: grid)
            let label = String(format: "%.0f", tick)
            image.draw(text: label, x: px(tick) - BitmapFont.width(of: label), y: plot.maxY + 8, scale: 2, color: ink)
        }
        for tick in niceTicks(upTo: maxMs) {
            image.fill(PixelRect(x: plot.x, y: py(tick), width: plot.width, height: 1), color: grid)
            let label = tick < 10 ? String(format: "%.1f", tick) : String(format: "%.0f", tick)
            image.draw(text: label, x: plot.x - 10 - 2 * BitmapFont.width(of: label), y: py(tick) - 8, scale: 2, color: ink)
        }
        image.fill(PixelRect(x: plot.x, y: plot.y, width: 2, height: plot.height), color: ink)
        image.fill(PixelRect(x: plot.x, y: plot.maxY, width: plot.width, height: 2), color: ink)
        image.draw(
            text: "million multiply-accumulates", x: plot.x + plot.width / 2 - BitmapFont.width(of: "million multiply-accumulates"), y: height - 34,
            scale: 2, color: ink)
        image.draw(text: "ms", x: 20, y: plot.y - 30, scale: 2, color: ink)

        var placedLabels: [PixelRect] = []
        for (index, result) in results.enumerated() {
            let color = ClassPalette.okabeIto.color(forClass: index)
            let x = px(Double(result.multiplyAccumulates) / 1e6), y = py(result.forward.median)
            image.fill(PixelRect(x: x - 6, y: y - 6, width: 13, height: 13), color: color)
            image.stroke(PixelRect(x: x - 7, y: y - 7, width: 15, height: 15), lineWidth: 1, color: ink)
            var label = result.backbone.components(separatedBy: " ").first ?? result.backbone
            if Set(results.map(\.inputSize)).count > 1 { label += " \(result.inputSize)" }
            if Set(results.map(\.threads)).count > 1 { label += " \(result.threads)T" }
            // First of these spots (right, left, then shifted down/up) that overlaps no earlier label.
            let labelWidth = 2 * BitmapFont.width(of: label), labelHeight = 2 * BitmapFont.glyphHeight
            let candidates = [
                (x + 12, y - 9), (x - 12 - labelWidth, y - 9), (x + 12, y + 9), (x + 12, y - 27),
                (x - 12 - labelWidth, y + 9), (x - 12 - labelWidth, y - 27),
            ]
            let rects = candidates.map { PixelRect(x: $0.0, y: $0.1, width: labelWidth, height: labelHeight) }
            let free =
                rects.first { rect in
                    rect.x >= plot.x && rect.maxX <= width && !placedLabels.contains { overlaps($0, rect) }
                } ?? rects[0]
            placedLabels.append(free)
            image.draw(text: label, x: free.x, y: free.y, scale: 2, color: ink)
        }
        return image
    }

    static func overlaps(_ a: PixelRect, _ b: PixelRect) -> Bool {
        a.x < b.maxX && b.x < a.maxX && a.y < b.maxY && b.y < a.maxY
    }

    /// Round tick values (1, 2 or 5 × 10^k steps), about five of them.
    static func niceTicks(upTo maximum: Double) -> [Double] {
        let raw = maximum / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        return stride(from: step, through: maximum, by: step).map { $0 }
    }
}
