import LiteDetectKernels

/// Shape sweeps shared by the kernel tests of both precisions.
enum ConvolutionSweeps {
    static func conv(
        _ h: Int, _ w: Int, _ cin: Int, _ cout: Int, kernel: (Int, Int), stride: Int = 1, padding: Padding,
        groups: Int = 1
    ) -> ConvolutionGeometry {
        ConvolutionGeometry(
            input: FeatureMapShape(height: h, width: w, channels: cin), outputChannels: cout,
            kernelHeight: kernel.0, kernelWidth: kernel.1, stride: stride, padding: padding, groups: groups)
    }

    private static let tfSame20 = Padding.tensorFlowSame(inputHeight: 20, inputWidth: 20, kernelHeight: 3, kernelWidth: 3, stride: 2)
    static let direct: [ConvolutionGeometry] = [
        // Stems: MobileNet / ShuffleNet 3×3/2 on RGB, TF SAME on an even map, SqueezeNet 1.0's 7×7/2.
        conv(19, 19, 3, 32, kernel: (3, 3), stride: 2, padding: .symmetric(1)),
        conv(19, 19, 3, 16, kernel: (3, 3), stride: 2, padding: .symmetric(1)),
        conv(20, 20, 3, 24, kernel: (3, 3), stride: 2, padding: tfSame20),
        conv(23, 21, 3, 96, kernel: (7, 7), stride: 2, padding: .zero),
        // Full 3×3 convolutions with many inputs (Fire expand, SSD heads), down to a 1×1 map.
        conv(7, 7, 17, 33, kernel: (3, 3), padding: .symmetric(1)),
        conv(3, 3, 33, 5, kernel: (3, 3), padding: .symmetric(1)),
        conv(1, 1, 16, 64, kernel: (3, 3), padding: .symmetric(1)),
        conv(2, 7, 5, 70, kernel: (3, 3), padding: .symmetric(1)),
        conv(19, 19, 8, 40, kernel: (3, 3), padding: .symmetric(1)),
        conv(7, 19, 9, 33, kernel: (3, 3), stride: 2, padding: Padding(top: 0, left: 2, bottom: 1, right: 0)),
        conv(5, 6, 4, 9, kernel: (3, 3), padding: .symmetric(3)),
        // Edge columns run down the column in tiles: runs of 8, 4, 2 and 1 rows, two edge
        // columns a side, stride 2.
        conv(23, 4, 9, 35, kernel: (3, 3), padding: .symmetric(2)),
        conv(20, 10, 16, 40, kernel: (3, 3), padding: .symmetric(1)),
        conv(21, 9, 8, 24, kernel: (3, 3), stride: 2, padding: .symmetric(1)),
        // Groups that are neither 1 nor depthwise, a depth multiplier, 1×1 with stride 2, non-square kernels.
        conv(7, 7, 4, 6, kernel: (3, 3), padding: .symmetric(1), groups: 2),
        conv(9, 9, 6, 9, kernel: (3, 3), stride: 2, padding: .symmetric(1), groups: 3),
        conv(7, 7, 5, 10, kernel: (3, 3), padding: .symmetric(1), groups: 5),
        conv(7, 7, 17, 33, kernel: (1, 1), stride: 2, padding: .zero),
        conv(5, 9, 7, 11, kernel: (1, 3), padding: Padding(top: 0, left: 1, bottom: 0, right: 1)),
        conv(9, 5, 7, 11, kernel: (3, 1), stride: 2, padding: Padding(top: 1, left: 0, bottom: 1, right: 0)),
        // Shapes the other kernels own: direct must agree on them too.
        conv(7, 7, 17, 33, kernel: (1, 1), padding: .zero),
        conv(7, 7, 17, 17, kernel: (3, 3), padding: .symmetric(1), groups: 17),
    ]
}
