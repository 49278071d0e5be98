// What the parser found for one command, and the typed reads a command builds itself from.

/// A command line that cannot be run as written: exit 64, with the message, the command's usage
/// line and a pointer to its help.
package struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, naming the argument (`unknown option '--bogus'; did you mean '--quiet'?`).
    package var message: String
    /// The command it concerns (`["meshscript", "check"]`), for its usage line; empty when not yet known.
    package var commandPath: [String]

    /// A usage error saying `message` about the command at `commandPath`.
    package init(_ message: String, commandPath: [String] = []) {
        self.message = message
        self.commandPath = commandPath
    }

    /// The message.
    package var description: String { message }
}

/// The values given for one command's arguments, by declaration name.
package struct ParsedArguments: Sendable {
    /// One value given for the argument `name`.
    private struct Entry: Sendable {
        var name: String
        var value: String
    }

    /// In the order given. A list, not a dictionary: a command line has a handful of arguments, and a
    /// `Dictionary<String, _>` would cost start-up a scan of the binary's conformances (String: Hashable).
    private var entries: [Entry] = []

    /// The names the command declares, once the parser has chosen it: reading any other name is a
    /// typo in the command's code, caught by an assertion in debug builds (every CLI test runs one).
    package var declaredNames: [String]?

    /// No values yet.
    package init() {}

    /// Checks, in debug builds, that `name` is one of the command's declared arguments.
    private func assertDeclared(_ name: String) {
        assert(declaredNames?.contains(name) ?? true, "'\(name)' is read but not declared")
    }

    /// Records `value` for `name` (a flag records an empty value).
    package mutating func append(_ value: String, for name: String) { entries.append(Entry(name: name, value: value)) }

    /// Whether `name` was given at all.
    package func contains(_ name: String) -> Bool {
        assertDeclared(name)
        return entries.contains { $0.name == name }
    }

    /// Whether the flag `--name` was given.
    package func flag(_ name: String) -> Bool { contains(name) }

    /// The value of `--name` (the last one when given twice), or nil.
    package func value(_ name: String) -> String? {
        assertDeclared(name)
        return entries.last { $0.name == name }?.value
    }

    /// The value of a required option or positional (the parser refuses a command line without it).
    package func required(_ name: String) -> String { value(name) ?? "" }

    /// Every value of a repeatable option or of the positionals `name`, in order.
    package func values(_ name: String) -> [String] {
        assertDeclared(name)
        return entries.filter { $0.name == name }.map { $0.value }
    }

    /// The value of `--name`, or `defaultValue` when absent.
    package func string(_ name: String, default defaultValue: String) -> String { value(name) ?? defaultValue }

    /// `--name` as an integer; `defaultValue` when absent.
    package func integer(_ name: String, default defaultValue: Int) throws(UsageError) -> Int {
        try integer(name) ?? defaultValue
    }

    /// `--name` as an integer, or nil when absent.
    package func integer(_ name: String) throws(UsageError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text) else { throw UsageError("--\(name) \(text): not an integer") }
        return number
    }

    /// `--name` as a number (`20`, `0.5`); `defaultValue` when absent.
    package func number(_ name: String, default defaultValue: Double) throws(UsageError) -> Double {
        guard let text = value(name) else { return defaultValue }
        guard let number = Double(text), number.isFinite else { throw UsageError("--\(name) \(text): not a number") }
        return number
    }

    /// `--name` as one of an enumeration's cases (the parser already checked it is an allowed value).
    package func choice<Choice: RawRepresentable>(_ name: String, as _: Choice.Type = Choice.self) throws(UsageError) -> Choice?
    where Choice.RawValue == String {
        guard let text = value(name) else { return nil }
        guard let choice = Choice(rawValue: text) else { throw UsageError("--\(name) \(text): not an accepted value") }
        return choice
    }
}
