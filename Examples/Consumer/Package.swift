// swift-tools-version:6.0
// A package that depends on LiteDetect as any app would (by path here; by URL in an app): it sees
// only the public API. `swift run --package-path Examples/Consumer Consumer photo.jpg` builds it.
import PackageDescription

let package = Package(
    name: "Consumer",
    dependencies: [.package(name: "LiteDetect", path: "../..")],
    targets: [
        .executableTarget(
            name: "Consumer",
            dependencies: [
                .product(name: "LiteDetect", package: "LiteDetect"),
                .product(name: "LiteDetectModels", package: "LiteDetect"),
                .product(name: "LiteDetectEvaluation", package: "LiteDetect"),
            ]
        )
    ]
)
