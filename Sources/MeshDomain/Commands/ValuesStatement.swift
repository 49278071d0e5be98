// `values "a.b.c" V` and `values file "F.yaml"`: install values for a cluster's control plane,
// checked when the statement runs (a path that is not a dotted path, a value of a type values
// cannot hold, a file that cannot be read or is not a YAML mapping), so `check` reports them
// at the statement.
import LocalFiles
import MeshKube
import MeshScriptInterpreter

enum ValuesStatement {
    /// The overlay one `values` statement adds. `scriptPath` gives the path of the file a
    /// statement is written in, which a relative `values file` path is read against.
    static func overlay(_ call: CommandInvocation, scriptPath: (FileID) -> String) throws -> ValuesOverlay {
        let first = call.arguments[0], second = call.arguments[1]
        if first.string == "file" {
            guard let path = second.string else {
                throw CommandError("'values file' needs the path of a YAML file, got \(second.value.typeName) \(second.value.literal)",
                                   at: second.range, help: "values file \"overlay.yaml\"")
            }
            let resolved = resolve(path, against: scriptPath(call.statementRange.file))
            do throws(ValuesFileError) {
                let values = try ValuesFile.read(resolved)
                return ValuesOverlay(source: .file(path: path), values: values, statement: call.statementRange)
            } catch {
                throw CommandError("values file '\(path)' \(error.message)", at: second.range,
                                   help: "a values file is a YAML mapping from the top of the install values, e.g. `pilot:` then `  env:` then `    KEY: \"value\"`"
                                       + (path.hasPrefix("/") ? "" : "; relative paths are read from the script's directory (\(resolved))"))
            }
        }
        let path = first.string!
        let segments = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !segments.contains(where: \.isEmpty) else {
            throw CommandError("'\(path)' is not a dotted path of install values", at: first.range,
                               help: "name a value by its keys joined with '.', as in values \"pilot.env.PILOT_TRACE_SAMPLING\" \"1.0\"; a key that itself holds a '.' needs `values file`")
        }
        let value = try tree(second.value, at: second.range)
        return ValuesOverlay(source: .value(path: path), values: .at(segments, value), statement: call.statementRange)
    }

    /// A script value as an install value: strings, integers, booleans and lists of them.
    private static func tree(_ value: Value, at range: SourceRange) throws -> ValueTree {
        switch value {
        case .string(let text): return .string(text)
        case .integer(let number): return .integer(number)
        case .boolean(let flag): return .boolean(flag)
        case .list(let items): return .list(try items.map { try tree($0, at: range) })
        default:
            throw CommandError("an install value is a string, an integer, a boolean or a list of them, got \(value.typeName)", at: range,
                               help: "a mapping of values goes in a YAML file: values file \"overlay.yaml\"")
        }
    }

    /// A path from the script, against the directory of the file it is written in.
    private static func resolve(_ path: String, against script: String) -> String {
        if path.hasPrefix("/") { return path }
        let directory = FilePath.parent(of: script)
        return directory.isEmpty ? path : FilePath.join(directory, path)
    }
}
