// How the live plan and the status read as text and JSON. Nothing here is secret: states hold
// certificate facts and secret names, never keys or tokens.
import Foundation
import MeshDomain

extension LivePlan {
    /// The plan against the clusters: each step with its mark and reason; the commands of the
    /// steps that run; warnings; the summary line; trust conflicts last.
    public var text: String {
        var out = "Live plan for mesh '\(mesh)': \(ClusterState.readings(clusters))\n"
        for live in steps {
            let step = live.step
            out += "  \(step.number). \(live.change.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(step.phase.rawValue) \(step.cluster): \(step.title)"
            out += live.reason.isEmpty ? "\n" : " — \(live.reason)\n"
            if live.change.runs, step.commands.first?.pipeline.first?.first != "meshscript" {
                for command in step.commands { out += "       $ \(command.displayString)\n" }
            }
            if let warning = live.warning { out += "       warning: \(warning)\n" }
        }
        out += summary + "\n"
        for conflict in conflicts { out += "trust conflict: \(conflict)\n" }
        return out
    }
}

extension LivePlan {
    /// The live plan as pretty-printed JSON (sorted keys, ISO 8601 dates), newline-terminated.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}

extension ClusterState {
    /// "cluster1 0.2 s, cluster2 unreachable (connection refused)".
    static func readings(_ states: [ClusterState]) -> String {
        states.map { state in
            state.unreachable.map { "\(state.cluster) unreachable (\($0))" } ?? "\(state.cluster) read in \(String(format: "%.1f", state.elapsed)) s"
        }.joined(separator: ", ")
    }
}

extension MeshStatus {
    /// One line per object: the verdict, the cluster or link, the object, what is there, and
    /// (when not in sync) what the script wants.
    public var text: String {
        var out = "Mesh '\(mesh)': \(ClusterState.readings(clusters))\n"
        for row in rows {
            let subject = row.linkSource.map { "link \($0) -> \(row.cluster)" } ?? row.cluster
            let verdict = row.verified.map { $0 == "synced" || row.verdict != .inSync ? row.verdict.rawValue : "differs" } ?? row.verdict.rawValue
            out += "\(verdict.padding(toLength: 12, withPad: " ", startingAt: 0)) \(subject): \(row.object): \(row.have)"
            if row.verdict != .inSync { out += " (want: \(row.want))" }
            if let verified = row.verified { out += "; istiod: \(verified)" }
            out += "\n"
        }
        for conflict in conflicts { out += "trust conflict: \(conflict)\n" }
        let bad = rows.filter { $0.verdict != .inSync || ($0.verified.map { $0 != "synced" } ?? false) }.count
        out += inSync ? "in sync: the mesh is as the script describes it\n" : "not in sync: \(bad) of \(rows.count) differ\(conflicts.isEmpty ? "" : ", and trust would split")\n"
        return out
    }

    /// The status as pretty-printed JSON, with `inSync` as a top-level field.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(StatusDocument(self)), as: UTF8.self) + "\n"
    }
}

/// The JSON form of the status: the verdict on top, so a pipeline can read one field.
struct StatusDocument: Encodable {
    var mesh: String
    var inSync: Bool
    var rows: [MeshStatus.Row]
    var conflicts: [TrustConflict]
    var clusters: [ClusterState]
    init(_ status: MeshStatus) {
        mesh = status.mesh
        inSync = status.inSync
        rows = status.rows
        conflicts = status.conflicts
        clusters = status.clusters
    }
}
