/// A box's motion model: constant velocity in centre x, centre y, width and height, each an
/// independent Kalman filter over (position, velocity) — ByteTrack's filter, whose 8-state
/// matrices are block-diagonal in exactly these four pairs, here on width instead of aspect
/// ratio. Noise scales with the box (horizontal terms with its width, vertical with its height),
/// with ByteTrack's weights: position 1/20, velocity 1/160 of the size per frame.
struct ConstantVelocityBoxFilter: Sendable, Hashable {
    /// One coordinate: estimate, velocity per frame, and their 2×2 covariance.
    struct Axis: Sendable, Hashable {
        var position: Double
        var velocity: Double
        var positionVariance: Double
        var covariance: Double
        var velocityVariance: Double

        init(measured: Double, scale: Double) {
            position = measured
            velocity = 0
            // ByteTrack's initial uncertainty: 2σ_p for the position, 10σ_v for the unknown velocity.
            positionVariance = square(2 * Self.positionWeight * scale)
            covariance = 0
            velocityVariance = square(10 * Self.velocityWeight * scale)
        }

        static let positionWeight = 1.0 / 20
        static let velocityWeight = 1.0 / 160

        /// x ← x + v; P ← F P Fᵀ + Q.
        mutating func predict(scale: Double) {
            position += velocity
            positionVariance += 2 * covariance + velocityVariance + square(Self.positionWeight * scale)
            covariance += velocityVariance
            velocityVariance += square(Self.velocityWeight * scale)
        }

        /// Standard Kalman update with a position measurement of variance (σ_p · scale)².
        mutating func update(measured: Double, scale: Double) {
            let innovation = positionVariance + square(Self.positionWeight * scale)
            let positionGain = positionVariance / innovation
            let velocityGain = covariance / innovation
            let residual = measured - position
            position += positionGain * residual
            velocity += velocityGain * residual
            velocityVariance -= velocityGain * covariance
            covariance *= 1 - positionGain
            positionVariance *= 1 - positionGain
        }
    }

    var centerX: Axis
    var centerY: Axis
    var width: Axis
    var height: Axis

    init(_ box: Box) {
        let (x, y, w, h) = Self.centerSize(box)
        centerX = Axis(measured: x, scale: w)
        centerY = Axis(measured: y, scale: h)
        width = Axis(measured: w, scale: w)
        height = Axis(measured: h, scale: h)
    }

    /// The current estimate as corners (sizes kept positive).
    var box: Box {
        let w = max(width.position, 1e-3), h = max(height.position, 1e-3)
        return Box(
            x1: Float(centerX.position - w / 2), y1: Float(centerY.position - h / 2),
            x2: Float(centerX.position + w / 2), y2: Float(centerY.position + h / 2))
    }

    /// Advances one frame.
    mutating func predict() {
        let (w, h) = (max(width.position, 1e-3), max(height.position, 1e-3))
        centerX.predict(scale: w)
        centerY.predict(scale: h)
        width.predict(scale: w)
        height.predict(scale: h)
    }

    /// Corrects with a measured box.
    mutating func update(_ measured: Box) {
        let (x, y, w, h) = Self.centerSize(measured)
        let (scaleX, scaleY) = (max(width.position, 1e-3), max(height.position, 1e-3))
        centerX.update(measured: x, scale: scaleX)
        centerY.update(measured: y, scale: scaleY)
        width.update(measured: w, scale: scaleX)
        height.update(measured: h, scale: scaleY)
    }

    private static func centerSize(_ box: Box) -> (Double, Double, Double, Double) {
        let (x1, y1, x2, y2) = (Double(box.x1), Double(box.y1), Double(box.x2), Double(box.y2))
        return ((x1 + x2) / 2, (y1 + y2) / 2, max(x2 - x1, 1e-3), max(y2 - y1, 1e-3))
    }
}

private func square(_ x: Double) -> Double { x * x }
