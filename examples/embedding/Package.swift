// swift-tools-version:6.0
// A host program that embeds MeshScript: its own command and function, the plan with the
// command's step, and a long script cancelled from a Task. Swift 6 language mode, so strict
// concurrency checking is on: the library's results must cross Tasks without a warning.
import Foundation
import PackageDescription

// A path dependency's identity is its directory's name, which is the clone's: read it.
let meshScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL

let package = Package(
    name: "mesh-host",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: meshScript.path)],
    targets: [
        .executableTarget(name: "mesh-host", dependencies: [.product(name: "MeshScript", package: meshScript.lastPathComponent)]),
    ]
)
