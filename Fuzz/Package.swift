// swift-tools-version:6.0
import Foundation
import PackageDescription

// libFuzzer targets for LiteDetect's parsers. A separate package, so the main `swift build` and
// `swift test` never compile them; build and run them with `Tools/fuzz.sh`.
//
// The main package is a path dependency; SwiftPM names a path package after its directory,
// so that name is read from this file's location rather than written down.
let rootPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent.lowercased()

/// A fuzz target: an executable whose `@main` hands its target function to libFuzzer.
func fuzzTarget(_ name: String, product: String = "LiteDetect") -> Target {
    .executableTarget(name: name, dependencies: ["CFuzzerDriver", .product(name: product, package: rootPackage)])
}

let package = Package(
    name: "LiteDetectFuzz",
    dependencies: [.package(path: "..")],
    targets: [
        /// Starts libFuzzer's driver from Swift (SwiftPM owns `main`).
        .target(name: "CFuzzerDriver"),
        fuzzTarget("FuzzImageDecode"),
        fuzzTarget("FuzzSafeTensors"),
        fuzzTarget("FuzzModelConfig"),
        fuzzTarget("FuzzY4MReader"),
        fuzzTarget("FuzzTensorFlowImport", product: "LiteDetectImport"),
        fuzzTarget("FuzzCaffeImport", product: "LiteDetectImport"),
        fuzzTarget("FuzzONNXImport", product: "LiteDetectImport"),
    ]
)
