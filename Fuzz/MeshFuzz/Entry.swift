// Two builds of one target. With `-D FUZZING` and `-sanitize=fuzzer` (scripts/fuzz) it is a
// libFuzzer target: `main` runs libFuzzer's driver, which calls LLVMFuzzerTestOneInput. In a plain build it
// is the replay driver the test suite runs: every file named, or in a directory named, goes
// through the same `fuzzOne`; a crash ends the process as it would end the fuzzer.
import Foundation

#if FUZZING
/// libFuzzer's entry point: one input per call.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzOne(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// libFuzzer's driver, for a host that has its own `main`.
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                             _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                             _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links an executable's `main` to this module's entry point, so libFuzzer's own `main`
/// is never used: the entry point hands the command line to libFuzzer's driver instead.
@main
enum FuzzerMain {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv) { data, size in fuzzerTestOneInput(data, size) })
    }
}
#else
/// `MeshFuzz PATH...`: replays fuzz inputs (files, or the regular files of directories).
@main
enum ReplayDriver {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard !arguments.isEmpty, !arguments.contains(where: { $0.hasPrefix("-") }) else {
            FileHandle.standardError.write(Data("usage: MeshFuzz PATH...   (replays fuzz inputs: files, or every file in a directory)\n".utf8))
            exit(64)
        }
        var count = 0
        var planned = 0
        for path in arguments.flatMap(inputs(in:)) {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("MeshFuzz: cannot read \(path)\n".utf8))
                exit(66)
            }
            // Named first, as libFuzzer does, so a crash names its input.
            FileHandle.standardError.write(Data("Running: \(path)\n".utf8))
            if data.withUnsafeBytes({ fuzzOne($0) }) { planned += 1 }
            count += 1
        }
        print("replayed \(count) input\(count == 1 ? "" : "s"), \(planned) valid (planned and rendered)")
    }

    /// `path` itself, or the regular files directly in it (hidden ones left out) when it is a directory, sorted.
    static func inputs(in path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { path + "/" + $0 }.filter { name in
            var nested: ObjCBool = false
            return FileManager.default.fileExists(atPath: name, isDirectory: &nested) && !nested.boolValue
        }
    }
}
#endif
