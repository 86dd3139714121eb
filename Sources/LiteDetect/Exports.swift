// `import LiteDetect` gives a user these types from the layers below, and nothing else of them:
// the layers' other declarations are `package` (for the CLI, the importer and the tests).

@_exported import enum LiteDetectBackbones.BackboneName
@_exported import struct LiteDetectImage.DecodedImage
@_exported import enum LiteDetectImage.ExifOrientation
@_exported import enum LiteDetectImage.ImageDecoder
@_exported import struct LiteDetectImage.ImageDecodingOptions
@_exported import enum LiteDetectImage.ImageEncoder
@_exported import enum LiteDetectImage.ImageEncoding
@_exported import enum LiteDetectImage.ImageError
@_exported import enum LiteDetectImage.ImageFile
@_exported import enum LiteDetectImage.ImageFormat
@_exported import enum LiteDetectImage.PixelFormat
// Camera buffers and video frames.
@_exported import struct LiteDetectImage.PixelFrame
@_exported import struct LiteDetectImage.PixelPlane
@_exported import struct LiteDetectImage.RGBColor
// Image files and decoded pictures.
@_exported import struct LiteDetectImage.RGBImage
@_exported import enum LiteDetectImage.VideoError
@_exported import struct LiteDetectImage.VideoFrame
@_exported import struct LiteDetectImage.VideoRatio
@_exported import enum LiteDetectImage.Y4MColorSpace
@_exported import enum LiteDetectImage.Y4MInterlacing
@_exported import typealias LiteDetectImage.Y4MRatio
@_exported import class LiteDetectImage.Y4MReader
@_exported import struct LiteDetectImage.Y4MStreamHeader
@_exported import class LiteDetectImage.Y4MWriter
@_exported import enum LiteDetectKernels.KernelPrecision
// Boxes, backbones and number formats a detector reports or is asked for.
@_exported import struct LiteDetectPostprocess.Box
