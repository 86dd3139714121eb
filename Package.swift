// swift-tools-version:6.0
import Foundation
import PackageDescription

let package = Package(
    name: "LiteDetect",
    products: [
        // MARK: Public API
        .library(name: "LiteDetect", targets: ["LiteDetect"]),
        .library(name: "LiteDetectModels", targets: ["LiteDetectModels"]),
        .library(name: "LiteDetectEvaluation", targets: ["LiteDetectEvaluation"]),
        .library(name: "LiteDetectVideo", targets: ["LiteDetectVideo"]),
        // MARK: Executables
        .executable(name: "detect", targets: ["LiteDetectCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.0"),
        // `FilePath` overloads of the public file APIs (`String(validating:)` needs 1.8).
        .package(url: "https://github.com/apple/swift-system", from: "1.8.0"),
        // `detect serve`: Hummingbird 2 on SwiftNIO, graceful shutdown, logging, Prometheus metrics.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        // `detect serve --tls-cert/--tls-key` (HTTPS through NIO's BoringSSL) and its API keys (HMAC).
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        // Tests only: a self-signed certificate for the HTTPS tests, and a client that verifies it.
        .package(url: "https://github.com/apple/swift-certificates", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.24.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        // `swift package generate-documentation --target LiteDetect` (the DocC catalog in Sources/LiteDetect).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        // MARK: Implementation layers (bottom up: each knows only the ones above it)

        /// What every layer that reads user files shares: `RegularFile` (the one whole-file reader).
        .target(name: "LiteDetectSupport"),
        /// Tensors views and compute kernels: knows nothing of networks or detection.
        .target(name: "LiteDetectKernels", dependencies: ["CLiteDetectKernels"]),
        /// The vectorised convolution loops in C (AVX-512, AVX2, portable), chosen at run time.
        .target(name: "CLiteDetectKernels"),
        /// Graph builder, layers, weights (safetensors) and the planned, allocation-free executor.
        .target(name: "LiteDetectNN", dependencies: ["LiteDetectKernels", "LiteDetectSupport"]),
        /// The seven lightweight backbone families as block tables over shared blocks.
        .target(name: "LiteDetectBackbones", dependencies: ["LiteDetectNN"]),
        /// Box coding, anchors and NMS: knows nothing of networks (uses only the kernels' generic
        /// vector math: softmax, box overlap).
        .target(name: "LiteDetectPostprocess", dependencies: ["LiteDetectKernels"]),
        /// libjpeg(-turbo) and libpng from the system, found through pkg-config; SwiftPM names the
        /// package to install when they are missing.
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"]), .brew(["jpeg-turbo"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        /// C shim over libjpeg(-turbo) and libpng that turns their exit()/longjmp errors into return codes.
        .target(name: "CLiteDetectImageIO", dependencies: ["CJPEG", "CPNG"]),
        /// Decoded images, encoding, resizing, normalisation and drawing.
        .target(name: "LiteDetectImage", dependencies: ["CLiteDetectImageIO", "LiteDetectSupport"]),
        /// The public library: detectors, sessions, model configs, tracking, and the few types of the
        /// layers below a user needs (`Exports.swift`); the rest of the layers is `package`.
        .target(
            name: "LiteDetect",
            dependencies: [
                "LiteDetectKernels", "LiteDetectNN", "LiteDetectBackbones",
                "LiteDetectPostprocess", "LiteDetectImage", "LiteDetectSupport",
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        /// The model configs and weights that ship with LiteDetect (`Configs/`), as package resources,
        /// and `ModelCatalog.bundled`: optional, so that an app with its own model does not carry them.
        .target(
            name: "LiteDetectModels",
            dependencies: ["LiteDetect"],
            path: "Configs",
            exclude: ["README.md", "weights/README.md"],
            sources: ["BundledModels.swift"],
            resources: [.copy("models"), .copy("weights")]
        ),
        /// FFmpeg's libavformat, libavcodec, libswscale and libavutil from the system.
        .systemLibrary(
            name: "CFFmpeg", pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"]), .brew(["ffmpeg"])]),
        /// C shim over FFmpeg: reads a video file's frames and writes annotated video, on descriptors
        /// the caller opened (no FFmpeg protocols), with audio copied.
        .target(
            name: "CLiteDetectVideoIO", dependencies: ["CFFmpeg"],
            // The shim includes FFmpeg's headers directly (not the CFFmpeg module), so it names the libraries itself.
            linkerSettings: [.linkedLibrary("avformat"), .linkedLibrary("avcodec"), .linkedLibrary("swscale"), .linkedLibrary("avutil")]),
        /// Video files (MP4, MKV, AVI…) in and out: `VideoFileReader`, `VideoFileFrames`, `VideoFileWriter`.
        /// Optional, so that an app that only detects in images or camera buffers does not need FFmpeg.
        .target(
            name: "LiteDetectVideo",
            dependencies: [
                "CLiteDetectVideoIO", "LiteDetect", "LiteDetectImage", "LiteDetectSupport",
                .product(name: "SystemPackage", package: "swift-system"),
            ]),
        /// The JSON every output of results shares (`detect`'s files and lines, `detect serve`'s answers).
        .target(name: "LiteDetectJSONOutput", dependencies: ["LiteDetect"]),
        /// `detect serve`: the HTTP server over the public API (our routes, DeepStack's, health, metrics).
        .target(
            name: "LiteDetectServer",
            dependencies: [
                "LiteDetect", "LiteDetectJSONOutput", "LiteDetectSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        /// COCO (pycocotools) and VOC detection metrics, for `detect eval` and users who score models.
        .target(name: "LiteDetectEvaluation", dependencies: ["LiteDetect", "LiteDetectNN"]),

        // MARK: Model import formats

        /// The TensorFlow GraphDef, Caffe (SSD fork) and ONNX protobuf schemas as Swift types
        /// (`Tensorflow_*`, `Caffe_*`, `Onnx_*`), generated from `Tools/protos` and committed.
        .target(
            name: "LiteDetectImportFormats",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        /// `detect import`: TensorFlow and Caffe SSD models → LiteDetect configs and safetensors weights.
        .target(
            name: "LiteDetectImport",
            dependencies: [
                "LiteDetect", "LiteDetectEvaluation", "LiteDetectModels", "LiteDetectNN", "LiteDetectSupport", "LiteDetectImportFormats",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),

        // MARK: Executables
        .executableTarget(
            name: "LiteDetectCLI",
            dependencies: [
                "LiteDetect", "LiteDetectEvaluation", "LiteDetectModels", "LiteDetectImport", "LiteDetectVideo",
                "LiteDetectJSONOutput", "LiteDetectServer", "LiteDetectSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        /// Example: a video frame loop (MP4… or Y4M on standard input) with detection and tracking over the public API (`Examples/FrameLoop`).
        .executableTarget(name: "FrameLoop", dependencies: ["LiteDetect", "LiteDetectModels", "LiteDetectVideo"], path: "Examples/FrameLoop"),

        // MARK: Tests

        /// Readers for the reference scripts' fixtures, shared by the test targets.
        .target(name: "LiteDetectTestSupport", dependencies: ["LiteDetectBackbones"], path: "Tests/LiteDetectTestSupport"),
        /// Counts heap allocations of the test process (C allocation functions that forward to glibc).
        .target(name: "LiteDetectAllocationCounter", path: "Tests/LiteDetectAllocationCounter"),
        .testTarget(name: "LiteDetectKernelsTests", dependencies: ["LiteDetectKernels"]),
        .testTarget(name: "LiteDetectNNTests", dependencies: ["LiteDetectNN", "LiteDetectTestSupport"]),
        .testTarget(
            name: "LiteDetectBackbonesTests",
            dependencies: ["LiteDetectBackbones", "LiteDetectTestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "LiteDetectPostprocessTests",
            dependencies: ["LiteDetectPostprocess"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "LiteDetectServerTests",
            dependencies: [
                "LiteDetectServer", "LiteDetectModels", "LiteDetectJSONOutput",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "LiteDetectVideoTests",
            dependencies: ["LiteDetectVideo", "LiteDetectImage", "LiteDetectSupport", "LiteDetectModels"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "LiteDetectImageTests",
            dependencies: ["LiteDetectImage"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "LiteDetectTests",
            dependencies: [
                "LiteDetect", "LiteDetectEvaluation", "LiteDetectModels", "LiteDetectTestSupport", "LiteDetectAllocationCounter", "LiteDetectImport",
                "LiteDetectImportFormats",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "LiteDetectCLITests",
            dependencies: [
                "LiteDetectCLI", "FrameLoop", "LiteDetectTestSupport", "LiteDetectImportFormats", "LiteDetectVideo",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
    ]
)

// MARK: Fuzz targets (only with LITEDETECT_FUZZ=1, as `Tools/fuzz.sh` builds them)
//
// Inside this package, so that they can reach the `package` parsers (safetensors, configs, the
// importers); left out of every other build, which could not link them without libFuzzer.
if ProcessInfo.processInfo.environment["LITEDETECT_FUZZ"] == "1" {
    /// Starts libFuzzer's driver from Swift (SwiftPM owns `main`).
    package.targets.append(.target(name: "CFuzzerDriver", path: "Fuzz/Sources/CFuzzerDriver"))
    let fuzzTargets: [(String, [Target.Dependency])] = [
        ("FuzzImageDecode", ["LiteDetect", "LiteDetectImage"]),
        ("FuzzSafeTensors", ["LiteDetect", "LiteDetectNN"]),
        ("FuzzModelConfig", ["LiteDetect", "LiteDetectPostprocess"]),
        ("FuzzY4MReader", ["LiteDetect"]),
        ("FuzzVideoFile", ["LiteDetect", "LiteDetectVideo"]),
        ("FuzzTensorFlowImport", ["LiteDetectImport"]),
        ("FuzzCaffeImport", ["LiteDetectImport"]),
        ("FuzzONNXImport", ["LiteDetectImport"]),
        ("FuzzMultipartForm", ["LiteDetectServer", .product(name: "NIOCore", package: "swift-nio")]),
    ]
    for (name, dependencies) in fuzzTargets {
        package.targets.append(.executableTarget(name: name, dependencies: ["CFuzzerDriver"] + dependencies, path: "Fuzz/Sources/\(name)"))
    }
}
