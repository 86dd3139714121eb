import LiteDetectImportFormats

extension CaffeSSDImporter {
    /// The layer types of a Caffe SSD deploy net the importer reads; any other is refused by name.
    static let mappedLayerTypes = [
        "Input", "Convolution", "ReLU", "Permute", "Flatten", "Concat", "Reshape", "Softmax", "PriorBox", "DetectionOutput",
    ]

    /// Refuses the first layer of a type the importer does not map, naming it, and reads every
    /// convolution's parameters (so that an unmapped one is named wherever it is in the net).
    static func checkLayers(_ net: CaffeNet) throws(ImportError) {
        for (index, layer) in net.layers.enumerated() where !mappedLayerTypes.contains(layer.type) {
            let problem: String
            switch layer.type {
            case "BatchNorm", "Scale":
                problem =
                    "BatchNorm that is not merged into the convolutions; only deploy nets with BatchNorm merged into each "
                    + "convolution's bias (no BatchNorm or Scale layers) are mapped: merge them first (e.g. chuanqi305's merge_bn.py)"
            case "":
                problem = "a layer without a type"
            default:
                problem = "layer type '\(layer.type)' is not mapped (mapped: \(mappedLayerTypes.joined(separator: ", ")))"
            }
            throw .unsupported(file: net.file, location: net.location(index), problem: problem)
        }
        for (index, layer) in net.layers.enumerated() where layer.type == "Convolution" {
            _ = try CaffeConvolution(layer: index, in: net)
        }
    }

    /// One SSD feature level: the map the predictors and the `PriorBox` read, and the two predictors.
    struct Level {
        /// The layer whose top is the feature map (a convolution's `ReLU`, or the convolution).
        var feature: Int
        var boxes: CaffeConvolution
        var classes: CaffeConvolution
        var priorBox: Int
    }

    /// A Caffe SSD as the importer reads it, from `DetectionOutput` back to the input.
    struct Structure {
        /// The chain of convolutions from the input to the last level's feature map, in order.
        var trunk: [CaffeConvolution]
        /// Levels in the order of the `Concat` layers (checked equal to the order of their
        /// feature maps along the trunk).
        var levels: [Level]
        /// For each level, the position in `trunk` of the convolution whose output it reads.
        var featurePositions: [Int]
        var detectionOutput: Int
        /// Class columns per prior, from the `Reshape` before the softmax.
        var classColumns: Int
    }

    /// Reads the SSD layout: `DetectionOutput`'s three bottoms traced back through
    /// `Concat` ← `Flatten` ← `Permute` ← predictor convolution (boxes and classes; the classes
    /// through `Reshape` → `Softmax` → `Flatten` after their `Concat`) and `Concat` ← `PriorBox`; each
    /// level's two predictors and `PriorBox` must read the same feature map, and the feature maps
    /// must lie, in level order, on one chain of convolutions (each with an optional `ReLU`) from
    /// the input. Every parameter of every layer on the way is checked; every layer of the net
    /// must be one of these.
    static func readStructure(_ net: CaffeNet) throws(ImportError) -> Structure {
        let file = net.file
        var accounted: Set<Int> = []
        if let input = net.inputLayer { accounted.insert(input) }

        let outputs = net.layers.indices.filter { net.layers[$0].type == "DetectionOutput" }
        guard outputs.count == 1, let output = outputs.first else {
            throw .unsupported(file: file, location: "DetectionOutput", problem: "\(outputs.count) DetectionOutput layers; one is mapped")
        }
        let outputBottoms = try net.bottoms(of: output, count: 3)
        guard net.readers[output].isEmpty else {
            throw .unsupported(file: file, location: net.location(output), problem: "its output is read by \(net.location(net.readers[output][0]))")
        }
        accounted.insert(output)

        /// The layer behind `producer`, which must have `type` and be read by `reader` alone.
        func step(_ producer: CaffeNet.Producer, _ type: String, readBy reader: Int) throws(ImportError) -> Int {
            let index = try net.layer(producer, expected: "a \(type) layer", readBy: reader)
            guard net.layers[index].type == type else {
                throw .unsupported(
                    file: file, location: net.location(index),
                    problem: "is read by \(net.location(reader)) where a Caffe SSD has a \(type) layer")
            }
            guard net.readers[index] == [reader] else {
                throw .unsupported(
                    file: file, location: net.location(index),
                    problem: "is read by \(net.readers[index].map(net.location).joined(separator: ", ")); only \(net.location(reader)) may read it")
            }
            accounted.insert(index)
            return index
        }
        func concatAxis(_ index: Int) -> Int {
            let p = net.layers[index].concatParam
            return p.hasAxis ? Int(p.axis) : p.hasConcatDim ? Int(p.concatDim) : 1
        }
        /// `Concat` ← per level `Flatten(axis 1)` ← `Permute(0, 2, 3, 1)` ← `Convolution`: NCHW
        /// predictions made NHWC and flattened, as LiteDetect's heads lay them out.
        func predictors(_ concat: Int, _ what: String) throws(ImportError) -> [CaffeConvolution] {
            guard concatAxis(concat) == 1 else {
                throw .unsupported(
                    file: file, location: net.location(concat),
                    problem: "concatenates \(what) along axis \(concatAxis(concat)); Caffe SSD uses axis 1")
            }
            var result: [CaffeConvolution] = []
            for producer in net.bottoms[concat] {
                let flatten = try step(producer, "Flatten", readBy: concat)
                let f = net.layers[flatten].flattenParam
                guard f.axis == 1, f.endAxis == -1 else {
                    throw .unsupported(
                        file: file, location: net.location(flatten),
                        problem: "axis \(f.axis), end_axis \(f.endAxis); Caffe SSD flattens from axis 1 to the end")
                }
                let permute = try step(net.bottoms(of: flatten, count: 1)[0], "Permute", readBy: flatten)
                let order = net.layers[permute].permuteParam.order.map(Int.init)
                guard order == [0, 2, 3, 1] else {
                    throw .unsupported(
                        file: file, location: net.location(permute),
                        problem: "order \(order); Caffe SSD's predictors are permuted 0, 2, 3, 1 (NCHW → NHWC)")
                }
                let convolution = try step(net.bottoms(of: permute, count: 1)[0], "Convolution", readBy: permute)
                result.append(try CaffeConvolution(layer: convolution, in: net))
            }
            return result
        }

        // Boxes: DetectionOutput ← Concat ← (Flatten ← Permute ← Convolution) per level.
        let boxesConcat = try step(outputBottoms[0], "Concat", readBy: output)
        let boxes = try predictors(boxesConcat, "box predictions")

        // Classes: DetectionOutput ← Flatten ← Softmax(axis 2) ← Reshape(0, −1, C) ← Concat ← … per level.
        let classesFlatten = try step(outputBottoms[1], "Flatten", readBy: output)
        let f = net.layers[classesFlatten].flattenParam
        guard f.axis == 1, f.endAxis == -1 else {
            throw .unsupported(
                file: file, location: net.location(classesFlatten),
                problem: "axis \(f.axis), end_axis \(f.endAxis); Caffe SSD flattens from axis 1 to the end")
        }
        let softmax = try step(net.bottoms(of: classesFlatten, count: 1)[0], "Softmax", readBy: classesFlatten)
        let softmaxAxis = net.layers[softmax].softmaxParam.axis
        guard softmaxAxis == 2 || softmaxAxis == -1 else {
            throw .unsupported(
                file: file, location: net.location(softmax),
                problem: "axis \(softmaxAxis); Caffe SSD takes the softmax over each prior's classes (axis 2)")
        }
        let reshape = try step(net.bottoms(of: softmax, count: 1)[0], "Reshape", readBy: softmax)
        let r = net.layers[reshape].reshapeParam
        let dims = r.shape.dim.map { Int(clamping: $0) }
        guard dims.count == 3, dims[0] == 0, dims[1] == -1, dims[2] >= 2, r.axis == 0, r.numAxes == -1 else {
            throw .unsupported(
                file: file, location: net.location(reshape),
                problem: "shape \(dims), axis \(r.axis), num_axes \(r.numAxes); Caffe SSD reshapes to [0, -1, classes]")
        }
        let classesConcat = try step(net.bottoms(of: reshape, count: 1)[0], "Concat", readBy: reshape)
        let classes = try predictors(classesConcat, "class predictions")

        // Priors: DetectionOutput ← Concat(axis 2) ← PriorBox(feature, image) per level.
        let priorsConcat = try step(outputBottoms[2], "Concat", readBy: output)
        guard concatAxis(priorsConcat) == 2 else {
            throw .unsupported(
                file: file, location: net.location(priorsConcat),
                problem: "concatenates priors along axis \(concatAxis(priorsConcat)); Caffe SSD uses axis 2")
        }
        var priorBoxes: [Int] = []
        for producer in net.bottoms[priorsConcat] {
            priorBoxes.append(try step(producer, "PriorBox", readBy: priorsConcat))
        }

        guard !boxes.isEmpty, boxes.count == classes.count, boxes.count == priorBoxes.count else {
            throw .invalidModel(
                file: file, location: net.location(output),
                problem:
                    "\(boxes.count) box predictors, \(classes.count) class predictors and \(priorBoxes.count) PriorBox layers; one of each per level")
        }

        // Each level: both predictors and the PriorBox read the same feature map; the PriorBox's
        // second bottom is the image.
        var levels: [Level] = []
        for level in boxes.indices {
            let priorBox = priorBoxes[level]
            let priorBottoms = try net.bottoms(of: priorBox, count: 2)
            guard priorBottoms[1] == .input else {
                throw .unsupported(
                    file: file, location: net.location(priorBox), problem: "its second bottom is not the network input '\(net.inputName)'")
            }
            guard case let .layer(feature) = priorBottoms[0], boxes[level].input == priorBottoms[0], classes[level].input == priorBottoms[0] else {
                throw .invalidModel(
                    file: file, location: "level \(level)",
                    problem: "\(net.location(boxes[level].index)), \(net.location(classes[level].index)) and \(net.location(priorBox)) "
                        + "(the level's place in each Concat) do not read the same feature map")
            }
            levels.append(Level(feature: feature, boxes: boxes[level], classes: classes[level], priorBox: priorBox))
        }

        // The trunk: convolutions (each with an optional ReLU) from the input to the last feature map.
        var trunk: [CaffeConvolution] = []
        var current = CaffeNet.Producer.layer(levels[levels.count - 1].feature)
        while case let .layer(index) = current {
            var convolution = index
            if net.layers[index].type == "ReLU" {
                convolution = try net.layer(net.bottoms(of: index, count: 1)[0], expected: "a Convolution", readBy: index)
            }
            guard net.layers[convolution].type == "Convolution" else {
                throw .unsupported(
                    file: file, location: net.location(convolution),
                    problem: "lies between the input and the feature maps, where only Convolution and ReLU layers are mapped (MobileNetV1-SSD)")
            }
            let conv = try CaffeConvolution(layer: convolution, in: net)
            guard conv.output == index, trunk.count < net.layers.count else {
                throw .invalidModel(file: file, location: net.location(index), problem: "the convolution chain to the input is broken here")
            }
            trunk.insert(conv, at: 0)
            current = conv.input
        }

        // Feature maps in level order along the trunk, and nothing else reading the trunk.
        var positions: [Int] = []
        var expectedReaders = [Set<Int>](repeating: [], count: trunk.count)
        for position in trunk.indices.dropLast() { expectedReaders[position] = [trunk[position + 1].index] }
        for (level, item) in levels.enumerated() {
            guard let position = trunk.firstIndex(where: { $0.output == item.feature }) else {
                throw .unsupported(
                    file: file, location: net.location(item.feature),
                    problem: "the feature map of level \(level) is not on the chain of convolutions from the input to the last level's map")
            }
            if let previous = positions.last, position <= previous {
                throw .unsupported(
                    file: file, location: "\(net.location(boxesConcat)), \(net.location(classesConcat)), \(net.location(priorsConcat))",
                    problem:
                        "level \(level) (\(net.location(item.feature))) comes before level \(level - 1) in the network; the levels must be in the order of their feature maps"
                )
            }
            positions.append(position)
            expectedReaders[position].formUnion([item.boxes.index, item.classes.index, item.priorBox])
        }
        for (position, conv) in trunk.enumerated() {
            accounted.insert(conv.index)
            if let relu = conv.relu { accounted.insert(relu) }
            let readers = Set(net.readers[conv.output])
            guard readers == expectedReaders[position] else {
                let extra = readers.subtracting(expectedReaders[position]).sorted().map(net.location)
                throw .unsupported(
                    file: file, location: net.location(conv.output),
                    problem: "its output is also read by \(extra.joined(separator: ", ")), which the importer does not map")
            }
        }

        // Every layer is part of the SSD just read.
        if let stray = net.layers.indices.first(where: { !accounted.contains($0) }) {
            throw .unsupported(
                file: file, location: net.location(stray),
                problem: "is not part of the SSD the importer maps (input → convolutions → predictors → DetectionOutput)")
        }
        return Structure(trunk: trunk, levels: levels, featurePositions: positions, detectionOutput: output, classColumns: dims[2])
    }
}
