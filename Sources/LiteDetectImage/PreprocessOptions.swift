/// The order of the three colour channels in the network input.
package enum ChannelOrder: String, Sendable, CaseIterable {
    /// Red, green, blue (torchvision, TensorFlow models).
    case rgb
    /// Blue, green, red (Caffe and OpenCV-trained models).
    case bgr
}

/// How pixel values (0...255) become network input values.
package enum InputNormalization: Sendable, Equatable {
    /// `(x / 255 − mean[c]) / std[c]`, torchvision's `Normalize` after `ToTensor`. `mean` and
    /// `std` have 3 entries each, in the order of the *output* channels (see `ChannelOrder`).
    case meanStd(mean: [Float], std: [Float])
    /// `x · scale + offset` for every channel, e.g. `scale: 2/255, offset: -1` for inputs in [-1, 1]
    /// (TF Object Detection API MobileNets) or `scale: 1, offset: 0` for raw 0...255 values.
    case affine(scale: Float, offset: Float)

    /// ImageNet statistics used by torchvision's pretrained backbones (RGB order).
    package static let imageNet = InputNormalization.meanStd(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
    /// `x / 255`: inputs in [0, 1].
    package static let unitRange = InputNormalization.affine(scale: 1.0 / 255.0, offset: 0)
    /// `x · 2/255 − 1`: inputs in [-1, 1].
    package static let signedUnitRange = InputNormalization.affine(scale: 2.0 / 255.0, offset: -1)
}

/// The value letterbox padding takes.
package enum LetterboxFill: Sendable, Equatable {
    /// A pixel colour in 0...255 per channel (R, G, B), normalised like image pixels,
    /// e.g. `.pixel(red: 114, green: 114, blue: 114)` for the YOLO-style gray border.
    case pixel(red: Float, green: Float, blue: Float)
    /// Zero in the normalised output (the mean colour under `.meanStd`).
    case zero
}

/// How the source image is fitted into the target size.
package enum ResizeMode: Sendable, Equatable {
    /// Scale each axis independently to fill the target (aspect ratio not kept).
    case stretch
    /// Scale both axes by `min(targetWidth/sourceWidth, targetHeight/sourceHeight)` (the content
    /// size is rounded to whole pixels), centre the result and pad the rest with `fill`.
    /// `ResizeGeometry` gives the scale and offsets that map boxes back to the source.
    case letterbox(fill: LetterboxFill)
}

/// Everything that decides how an image becomes a network input tensor.
package struct PreprocessOptions: Sendable, Equatable {
    /// Network input width (columns).
    package var targetWidth: Int
    /// Network input height (rows).
    package var targetHeight: Int
    package var convention: ResizeConvention
    package var mode: ResizeMode
    package var normalization: InputNormalization
    package var channelOrder: ChannelOrder

    package init(
        targetWidth: Int, targetHeight: Int, convention: ResizeConvention = .halfPixel, mode: ResizeMode = .stretch,
        normalization: InputNormalization = .unitRange, channelOrder: ChannelOrder = .rgb
    ) {
        self.targetWidth = targetWidth
        self.targetHeight = targetHeight
        self.convention = convention
        self.mode = mode
        self.normalization = normalization
        self.channelOrder = channelOrder
    }
}
