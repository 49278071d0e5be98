// swift-tools-version:6.0
// A host package that embeds MeshScript the way an application would: Swift 6 language mode
// (strict concurrency checking), warnings as errors. scripts/check-host-package.sh builds it;
// the build failing means the public API cannot be used across Tasks without a warning.
import PackageDescription

let package = Package(
    name: "HostPackage",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "MeshScript", path: "../../..")],
    targets: [
        .target(name: "Host", dependencies: [.product(name: "MeshScript", package: "MeshScript")],
                swiftSettings: [.unsafeFlags(["-warnings-as-errors"])]),
    ]
)
