extension DetectorSession {
    /// Detects objects in `image` into `result`, reusing its storage: once a session has seen a
    /// frame of this size and row stride with these options, the call allocates nothing.
    ///
    /// `frame` is copied into `result.frame`. Results are identical to `detect(_:options:)`.
    public func detect(
        _ image: RGBImage, options: DetectionOptions = DetectionOptions(), metadata frame: FrameMetadata? = nil, into result: inout DetectionResult
    ) throws {
        try run(.image(image), options: options, metadata: frame, conversion: .zero, into: &result)
    }

    /// Detects objects in a raw frame into `result`, reusing its storage: once a session has seen
    /// a frame of this format, size and row stride with these options, the call allocates nothing.
    ///
    /// An `.rgb8` frame is read where it lies, without a copy. Other formats are converted into a
    /// session-owned RGB buffer (see `PixelFrame.convert(into:)`; YUV by `BT601`), made once per
    /// frame size. Either way the pixels then follow exactly the `RGBImage` path: a frame gives
    /// bit-for-bit the result of `detect(_:options:)` on an image of the same RGB pixels. The
    /// conversion time counts as preprocessing in `result.timing`.
    public func detect(
        _ pixels: PixelFrame, options: DetectionOptions = DetectionOptions(), metadata frame: FrameMetadata? = nil, into result: inout DetectionResult
    ) throws {
        if pixels.format == .rgb8 {
            let plane = pixels.plane(0)
            let borrowed = RGBSource.borrowed(plane.bytes, width: pixels.width, height: pixels.height, bytesPerRow: plane.bytesPerRow)
            try run(borrowed, options: options, metadata: frame, conversion: .zero, into: &result)
            return
        }
        let clock = ContinuousClock()
        let start = clock.now
        if convertedFrame?.width != pixels.width || convertedFrame?.height != pixels.height {
            convertedFrame = RGBImage(width: pixels.width, height: pixels.height)
        }
        try pixels.convert(into: &convertedFrame!)
        let conversion = clock.now - start
        try run(.image(convertedFrame!), options: options, metadata: frame, conversion: conversion, into: &result)
    }

    /// Detects objects in a raw frame; boxes come back in its pixels. Allocates the result;
    /// use `detect(_:options:metadata:into:)` in a frame loop.
    public func detect(
        _ pixels: PixelFrame, options: DetectionOptions = DetectionOptions(), metadata frame: FrameMetadata? = nil
    ) throws -> DetectionResult {
        var result = DetectionResult()
        try detect(pixels, options: options, metadata: frame, into: &result)
        return result
    }
}
