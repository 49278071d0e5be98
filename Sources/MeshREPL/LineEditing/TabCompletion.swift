// What a Tab press does to the line, decided from a LineCompleter's answer. Pure: the
// LineEditor applies the result through the C shim, and tests check it directly.

/// The edit a Tab press makes.
enum TabCompletionEdit: Equatable {
    /// Replace the `byteCount` UTF-8 bytes before the cursor with `text`.
    case replace(byteCount: Int, text: String)
    /// Show the candidates below the line; the line stays as it is.
    case list([String])
    /// Nothing to insert: ring the bell.
    case beep
}

enum TabCompletion {
    /// Inserted by Tab when only whitespace precedes the cursor, so indented blocks can be
    /// typed or pasted without triggering completion (as in Python's REPL).
    static let indentation = "    "

    /// A unique completion ending in one of these is not followed by a space: the word
    /// usually goes on (`$`, a path, a call's arguments).
    static let charactersThatContinue: Set<Character> = ["/", "(", "[", "{", "$", "=", ".", ":", "\"", " ", "\t"]

    /// True when Tab should indent rather than complete.
    static func indents(line: String, cursor: Int) -> Bool {
        line.utf8.prefix(cursor).allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
    }

    /// - Parameters:
    ///   - line: the whole line; `cursor` and `replaceFrom` are UTF-8 byte offsets into it.
    ///   - candidates: full replacements for the bytes `replaceFrom..<cursor`.
    ///   - repeated: the previous key was Tab too.
    static func edit(line: String, cursor: Int, replaceFrom: Int, candidates: [String], repeated: Bool) -> TabCompletionEdit {
        let bytes = Array(line.utf8)
        guard cursor >= 0, cursor <= bytes.count, replaceFrom >= 0, replaceFrom <= cursor,
              replaceFrom == bytes.count || !isContinuationByte(bytes[replaceFrom])
        else { return .beep }
        let word = String(decoding: bytes[replaceFrom..<cursor], as: UTF8.self)
        let byteCount = cursor - replaceFrom

        var seen = Set<String>()
        let unique = candidates.filter { seen.insert($0).inserted }
        switch unique.count {
        case 0:
            return .beep
        case 1:
            let candidate = unique[0]
            let nextIsSpace = cursor < bytes.count && (bytes[cursor] == UInt8(ascii: " ") || bytes[cursor] == UInt8(ascii: "\t"))
            let addSpace = !nextIsSpace && !candidate.isEmpty && !charactersThatContinue.contains(candidate.last!)
            let text = addSpace ? candidate + " " : candidate
            return text == word ? .beep : .replace(byteCount: byteCount, text: text)
        default:
            let prefix = commonPrefix(unique)
            if prefix.utf8.count > word.utf8.count { return .replace(byteCount: byteCount, text: prefix) }
            return repeated ? .list(unique) : .beep
        }
    }

    /// The longest common prefix, by Character (never splits a grapheme).
    static func commonPrefix(_ strings: [String]) -> String {
        guard var prefix = strings.first.map(Array.init) else { return "" }
        for string in strings.dropFirst() {
            let length = zip(prefix, string).prefix { $0 == $1 }.count
            prefix.removeLast(prefix.count - length)
        }
        return String(prefix)
    }

    /// Candidates in columns, filled top to bottom then left to right (like ls and bash),
    /// in the order given, each row ending with a newline.
    /// At most `maxRows` lines: a longer list shows what fits (keeping the prompt on screen) and
    /// says how many more there are, rather than scrolling the line being edited away.
    static func listing(_ all: [String], width: Int, maxRows: Int = .max) -> String {
        guard !all.isEmpty else { return "" }
        let widest = all.map(\.count).max() ?? 0
        let columnWidth = widest + 2
        let columns = max(1, min(all.count, (max(width, 1) + 2) / columnWidth))
        let fits = (all.count + columns - 1) / columns <= max(maxRows, 2)
        let items = fits ? all : Array(all.prefix((max(maxRows, 2) - 1) * columns))
        let rows = (items.count + columns - 1) / columns
        var out = ""
        for row in 0..<rows {
            var line = ""
            for column in 0..<columns {
                let index = column * rows + row
                guard index < items.count else { break }
                let item = items[index]
                line += item
                if (column + 1) * rows + row < items.count {
                    line += String(repeating: " ", count: columnWidth - item.count)
                }
            }
            out += line + "\n"
        }
        if !fits { out += "… and \(all.count - items.count) more: type more of the name\n" }
        return out
    }

    private static func isContinuationByte(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
}
