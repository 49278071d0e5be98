// `status --verify`: asks each primary's istiod, through `istioctl remote-clusters`, whether
// it has synced the clusters it holds remote secrets for.
import Foundation
import MeshApply
import MeshDomain

/// `status --verify`: asks each link target's istiod, via `istioctl remote-clusters`, which remote clusters it has synced.
public enum RemoteClusters {
    /// Fills in `verified` on every link row whose target could be asked.
    public static func verify(_ status: inout MeshStatus, plan: Plan, environment: [String: String], timeout: Double) {
        let targets = Set(status.rows.filter { $0.linkSource != nil && $0.verdict != .unreachable }.map(\.cluster))
        let answers = ResultSlots<(String, [String: String])>(count: targets.count)
        let ordered = targets.sorted()
        DispatchQueue.concurrentPerform(iterations: ordered.count) { index in
            let cluster = ordered[index]
            let flags = plan.access[cluster]?.flags ?? ["--context=\(cluster)"]
            answers.set(index, (cluster, ask(["istioctl", "remote-clusters"] + flags, environment: environment, timeout: timeout)))
        }
        let byCluster = Dictionary(answers.values, uniquingKeysWith: { first, _ in first })
        for index in status.rows.indices {
            guard let source = status.rows[index].linkSource, let table = byCluster[status.rows[index].cluster] else { continue }
            status.rows[index].verified = table[source] ?? table[""].map { "istioctl remote-clusters failed: \($0)" } ?? "not listed by istiod"
        }
    }

    /// NAME -> STATUS from `istioctl remote-clusters`; a failure is under the key "".
    static func ask(_ arguments: [String], environment: [String: String], timeout: Double) -> [String: String] {
        guard let result = try? ToolCall.run(arguments, environment: environment, timeout: timeout) else { return ["": "istioctl not found on PATH"] }
        guard result.succeeded else {
            return ["": result.timedOut ? "no answer within \(Int(timeout)) s" : (result.standardError.split(separator: "\n").last.map(String.init) ?? "failed")]
        }
        return parse(String(decoding: result.output, as: UTF8.self))
    }

    /// The table istioctl prints: a header `NAME SECRET STATUS ISTIOD`, columns aligned with it
    /// (a row's SECRET may be empty, so columns are cut where the header's words start).
    static func parse(_ table: String) -> [String: String] {
        var lines = table.split(separator: "\n").map(String.init)
        guard let header = lines.first, let statusStart = header.range(of: "STATUS")?.lowerBound,
              let istiodStart = header.range(of: "ISTIOD")?.lowerBound ?? Optional(header.endIndex) else { return [:] }
        let statusOffset = header.distance(from: header.startIndex, to: statusStart)
        let statusEnd = header.distance(from: header.startIndex, to: istiodStart)
        lines.removeFirst()
        var result: [String: String] = [:]
        for line in lines {
            let characters = Array(line)
            guard let name = line.split(separator: " ").first, characters.count > statusOffset else { continue }
            let status = String(characters[statusOffset..<min(statusEnd, characters.count)]).trimmingCharacters(in: .whitespaces)
            result[String(name)] = status
        }
        return result
    }
}
