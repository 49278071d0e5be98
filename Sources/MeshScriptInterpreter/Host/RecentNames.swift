// A lookup's last few answers, scanned before its table is hashed: a script repeats a few
// commands many times, and comparing a short name with eight costs less than hashing it.

/// The names looked up lately (at most eight) and what each gave. A name is a `String`, or its
/// bytes packed into an integer (`Lexer.packed`), which compares without building a String.
struct RecentNames<Name: Equatable, Entry> {
    private var entries: [(name: Name, entry: Entry)] = []

    /// `name`'s entry when it is a recent one.
    subscript(name: Name) -> Entry? {
        for recent in entries where recent.name == name { return recent.entry }
        return nil
    }

    /// Remember `entry` as `name`'s, forgetting the oldest when eight are kept.
    mutating func remember(_ name: Name, _ entry: Entry) {
        if entries.count == 8 { entries.removeFirst() }
        entries.append((name, entry))
    }

    /// `name`'s entry: a recent one, else what `find` gives (remembered when it gives one).
    mutating func entry(for name: Name, else find: (Name) -> Entry?) -> Entry? {
        if let entry = self[name] { return entry }
        guard let entry = find(name) else { return nil }
        remember(name, entry)
        return entry
    }
}
