// swift-tools-version:6.0
// MeshScript: an embeddable interpreter for a small DSL that describes Istio multicluster meshes.
//
// Layers, dependencies pointing one way:
//   LocalFiles (paths split on "/", bounded reads of regular files; under every module that names files)
//   NameSuggestions ("did you mean": script names and kubeconfig contexts)
//   MeshScriptInterpreter (generic: syntax, diagnostics, evaluation, host API; knows nothing about Istio)
//   MeshKube (kubeconfig, IstioOperator, remote secrets, API server addresses)
//     <- MeshDomain (mesh built-ins, topology, validation, planning; uses the interpreter and MeshKube)
//   CFileSystem (syncfs(2), which Swift's Glibc module leaves out) <- MeshTrust
//   MeshTrust (certificate authority, cacerts)
//     <- MeshRender (writes WORK_DIR) <- MeshApply (runs the plan's commands)
//     <- MeshLive (reads the clusters; the live plan, status, trust guard, apply journal)
//   MeshScript (the library product: re-exports the above)
//   CEditLine (C shim over libedit) <- MeshREPL (line editor + REPL)
//   MeshCommandLine (the CLI's command-line parser, help, usage errors and completion scripts, from declarations)
//   CMalloc (mallopt(3), which Swift's Glibc module leaves out) <- MeshScriptCLI
//   MeshScriptCLI (the `meshscript` executable; public API only)
//   MeshFuzz (the libFuzzer target over the public API, and its replay driver; Fuzz/)
//   MeshTestSupport (for the test targets only: scratch directories, processes, the built binary)
import PackageDescription

let package = Package(
    name: "MeshScript",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "MeshScript", targets: ["MeshScript"]),
        .executable(name: "meshscript", targets: ["MeshScriptCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-certificates", exact: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-asn1", exact: "1.7.4"),
        .package(url: "https://github.com/jpsim/Yams", exact: "5.0.1"),
        // `swift package generate-documentation`: the DocC catalog in Sources/MeshScript/MeshScript.docc.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", exact: "1.5.0"),
    ],
    targets: [
        .target(name: "LocalFiles"),
        .target(name: "NameSuggestions"),
        .target(name: "MeshCommandLine", dependencies: ["NameSuggestions"]),
        .target(name: "MeshScriptInterpreter", dependencies: ["NameSuggestions", "LocalFiles"]),
        .target(name: "MeshDomain", dependencies: ["MeshScriptInterpreter", "MeshKube", "LocalFiles"]),
        .target(name: "CFileSystem"),
        .target(
            name: "MeshTrust",
            dependencies: [
                "LocalFiles",
                "CFileSystem",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(name: "MeshKube", dependencies: ["NameSuggestions", "LocalFiles", .product(name: "Yams", package: "Yams")]),
        .target(name: "MeshRender", dependencies: ["MeshDomain", "MeshTrust", "MeshKube", "LocalFiles"]),
        .target(name: "MeshApply", dependencies: ["MeshDomain", "MeshKube", "MeshRender", "LocalFiles"]),
        .target(
            name: "MeshLive",
            dependencies: ["LocalFiles", "MeshDomain", "MeshTrust", "MeshKube", "MeshApply", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "MeshScript", dependencies: ["LocalFiles", "MeshScriptInterpreter", "MeshDomain", "MeshTrust", "MeshKube", "MeshRender", "MeshApply", "MeshLive"]),
        .target(name: "CEditLine", linkerSettings: [.linkedLibrary("edit")]),
        .target(name: "CMalloc"),
        .target(name: "MeshREPL", dependencies: ["MeshScript", "CEditLine", "LocalFiles"]),
        .executableTarget(
            name: "MeshScriptCLI",
            dependencies: ["MeshScript", "MeshREPL", "MeshCommandLine", "CMalloc"],
            // On Linux the executable is linked fully static (BENCHMARKS.md, "Start-up"): no dynamic
            // loader, no relocation of its 100 MB at every start, no shared libraries to map. Static
            // archives name nothing they need, so after CEditLine's -ledit come libedit's libraries, and
            // Foundation's own (a debug build's autolinking names only Foundation itself) with the C++
            // runtime ICU needs.
            linkerSettings: [
                .unsafeFlags([
                    "-static-executable", "-ltinfo", "-lbsd", "-lmd",
                    "-lCoreFoundation", "-l_FoundationICU", "-l_FoundationCShims", "-l_FoundationCollections", "-lstdc++",
                ], .when(platforms: [.linux])),
            ]
        ),
        // The fuzz target: scripts/fuzz builds it with libFuzzer; a plain build is the replay driver the tests run.
        .executableTarget(name: "MeshFuzz", dependencies: ["MeshScript"], path: "Fuzz/MeshFuzz"),
        .target(name: "MeshTestSupport", path: "Tests/MeshTestSupport"),
        .testTarget(name: "MeshScriptInterpreterTests", dependencies: ["MeshScriptInterpreter", "LocalFiles", "MeshTestSupport"]),
        .testTarget(name: "MeshDomainTests", dependencies: ["MeshDomain", "MeshTestSupport"], resources: [.copy("Golden")]),
        .testTarget(name: "MeshTrustTests", dependencies: ["MeshTrust", "MeshTestSupport"]),
        .testTarget(name: "MeshKubeTests", dependencies: ["MeshKube", "MeshTestSupport"], resources: [.copy("Golden")]),
        .testTarget(name: "MeshRenderTests", dependencies: ["MeshRender", "MeshScript", "MeshTestSupport"], exclude: ["PrimaryRemoteGolden"]),
        .testTarget(name: "MeshREPLTests", dependencies: ["MeshREPL", "MeshTestSupport"]),
        .testTarget(name: "MeshApplyTests", dependencies: ["MeshApply", "MeshScript", "MeshTestSupport"]),
        .testTarget(name: "MeshLiveTests", dependencies: ["MeshLive", "MeshScript", "MeshTestSupport"]),
        .testTarget(name: "MeshCommandLineTests", dependencies: ["MeshCommandLine", "MeshTestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["MeshScript", "MeshREPL", "MeshTestSupport"]),
    ]
)
