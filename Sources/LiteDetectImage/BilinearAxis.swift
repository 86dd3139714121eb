/// Precomputed bilinear taps for one axis: for each output index, the two source indices
/// to blend and their weights (`lowerWeight + upperWeight == 1`).
struct BilinearAxis: Sendable, Equatable {
    var lower: [Int]
    var upper: [Int]
    var lowerWeight: [Float]
    var upperWeight: [Float]

    init(inputSize: Int, outputSize: Int, convention: ResizeConvention) {
        precondition(inputSize > 0 && outputSize > 0)
        let scale = Float(inputSize) / Float(outputSize)
        lower = []
        upper = []
        lowerWeight = []
        upperWeight = []
        for index in 0..<outputSize {
            let coordinate = convention.sourceCoordinate(outputIndex: index, scale: scale)
            let first = min(Int(coordinate.rounded(.down)), inputSize - 1)
            let weight = min(max(coordinate - Float(first), 0), 1)
            lower.append(first)
            upper.append(min(first + 1, inputSize - 1))
            lowerWeight.append(1 - weight)
            upperWeight.append(weight)
        }
    }
}
