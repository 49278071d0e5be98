// Paths split on "/" (no NSString path methods, which trap on one-character strings) and
// bounded reads that refuse FIFOs and devices instead of blocking or reading forever.
import Foundation
import LocalFiles
import MeshScriptInterpreter
import MeshTestSupport
import Testing

@Suite struct FilePathTests {
    @Test(arguments: [("", ""), ("/", "/"), ("a", ""), ("a/", ""), ("/a", "/"), ("a/b", "a"), ("//a//b/", "//a")])
    func parent(path: String, expected: String) {
        #expect(FilePath.parent(of: path) == expected)
    }

    @Test(arguments: [("", ""), ("/", "/"), ("a", "a"), ("a/", "a"), ("/a", "a"), ("a/b", "b"), ("//a//b/", "b")])
    func lastComponent(path: String, expected: String) {
        #expect(FilePath.lastComponent(of: path) == expected)
    }

    @Test(arguments: [("", ""), ("/", "/"), ("a", "a"), ("a/", "a"), ("/a", "/a"), ("a/b", "a/b"), ("//a//b/", "/a/b"),
                      ("/a/./b/../c", "/a/c"), ("/..", "/"), ("a/..", "."), ("../a", "../a")])
    func normalized(path: String, expected: String) {
        #expect(FilePath.normalized(path) == expected)
    }

    @Test func theWorkingDirectoryIsFoundationsToo() {
        #expect(Directory.current == FileManager.default.currentDirectoryPath)
        #expect(Directory.current.hasPrefix("/"))
    }

    @Test func join() {
        #expect(FilePath.join("/w", "a") == "/w/a")
        #expect(FilePath.join("/w/", "a") == "/w/a")
        #expect(FilePath.join("/w", "/a") == "/a")
        #expect(FilePath.join("", "a") == "a")
        #expect(FilePath.join("/w", "") == "/w")
    }
}

@Suite struct RegularFileTests {
    @Test func aFIFOIsRefusedWithoutBlocking() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(mkfifo(scratch.at("pipe"), 0o600) == 0)
        #expect(throws: RegularFileError(kind: .notRegularFile, message: "is a FIFO, not a regular file")) {
            try RegularFile.read(scratch.at("pipe"), limit: 100)
        }
    }

    @Test func aDeviceIsRefused() {
        #expect(throws: RegularFileError(kind: .notRegularFile, message: "is a device, not a regular file")) {
            try RegularFile.read("/dev/zero", limit: 100)
        }
    }

    @Test func theLimitIsCountedInBytesRead() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = try scratch.write("ten", "0123456789")
        #expect(try RegularFile.read(path, limit: 10) == Array("0123456789".utf8))
        #expect(throws: RegularFileError(kind: .tooLarge, message: "is larger than the limit of 9 bytes")) {
            try RegularFile.read(path, limit: 9)
        }
        #expect(throws: RegularFileError(kind: .missing, message: "does not exist")) {
            try RegularFile.read(scratch.at("none"), limit: 9)
        }
    }

    @Test func aFileOfTheSizeFstatSaidIsReadWholeAtEachSideOfTheLimit() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(try RegularFile.read(try scratch.write("empty", ""), limit: 0) == [])
        let text = String(repeating: "0123456789", count: 10_000)  // more than one chunk
        let path = try scratch.write("long", text)
        #expect(try RegularFile.read(path, limit: 100_000) == Array(text.utf8))
        #expect(throws: RegularFileError(kind: .tooLarge, message: "is larger than the limit of 99999 bytes")) {
            try RegularFile.read(path, limit: 99_999)
        }
    }

    #if os(Linux)
    /// A /proc file says it is empty and is not: it is read on past what fstat said, in chunks.
    @Test func aFileLongerThanFstatSaidIsReadOnToItsEnd() throws {
        let status = try RegularFile.read("/proc/self/status", limit: 1 << 20)
        #expect(String(decoding: status, as: UTF8.self).hasPrefix("Name:"))
        #expect(String(decoding: status, as: UTF8.self).contains("\nPid:"))
        #expect(throws: RegularFileError(kind: .tooLarge, message: "is larger than the limit of 10 bytes")) {
            try RegularFile.read("/proc/self/status", limit: 10)
        }
    }
    #endif

    @Test func importingADeviceOrAFIFOIsAnError() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(mkfifo(scratch.at("pipe.mesh"), 0o600) == 0)
        let main = try scratch.write("main.mesh", "import \"/dev/zero\"\nimport \"pipe.mesh\"\n")
        let messages = runFile(main, loader: FileSystemLoader(), configure: { $0.allowImportsOutsideRoot = true }).messages
        #expect(messages.contains("cannot import '/dev/zero': it is a device, not a regular file"), "\(messages)")
        #expect(messages.contains("cannot import 'pipe.mesh': it is a FIFO, not a regular file"), "\(messages)")
    }
}
