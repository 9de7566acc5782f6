import BerthCore
import Foundation

@testable import BerthImages

/// A fresh state root under /tmp for one test; `remove()` in a `defer` deletes it.
struct TestRoot {
    let base: String
    let paths: StatePaths
    var store: ImageStore { ImageStore(paths: paths) }

    init() throws {
        base = "/tmp/berth-images-test-" + UUID().uuidString.prefix(8).lowercased()
        paths = StatePaths(root: base, run: base + "/run")
        try ensureDirectory(base)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: base)
    }

    /// A scratch directory inside the root, for trees the test builds by hand.
    func scratch(_ name: String) throws -> String {
        let dir = base + "/scratch/" + name
        try ensureDirectory(dir)
        return dir
    }
}

/// Runs a host program, returning its status and standard output.
@discardableResult
func run(_ argv: [String], cwd: String? = nil) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: argv[0])
    p.arguments = Array(argv.dropFirst())
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

func readText(_ path: String) -> String? {
    try? String(contentsOfFile: path, encoding: .utf8)
}

func lstatMode(_ path: String) -> mode_t? {
    var st = stat()
    return lstat(path, &st) == 0 ? st.st_mode : nil
}

let isRoot = getuid() == 0
let hasBusyboxStatic = FileManager.default.isExecutableFile(atPath: "/bin/busybox")
