import Foundation
import Shared

/// Rules that map a failing migration's output to the migration files to blame.
enum MigrationFailure {
    /// Migration files named in the output, e.g. `migrations/0003_create_contacts.up.sql`.
    static func files(in output: String, workspace: String) async -> [String] {
        let names = matches(#"migrations/[0-9]{4}_[a-z0-9_]+\.(?:up|down)\.sql"#, in: output)
        if !names.isEmpty { return Array(Set(names)).sorted() }
        // Without a file name, blame the migrations of the tables the error mentions.
        let tables = matches(#"relation \"([a-z0-9_]+)\""#, in: output, group: 1)
        let files = await FileSystemLane.run { (try? FileManager.default.contentsOfDirectory(atPath: workspace + "/migrations")) ?? [] }
        return files.filter { file in tables.contains { file.hasSuffix("_create_\($0).up.sql") } }.map { "migrations/\($0)" }.sorted()
    }

    /// All matches of a pattern (or of one of its groups).
    static func matches(_ pattern: String, in text: String, group: Int = 0) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
            Range($0.range(at: group), in: text).map { String(text[$0]) }
        }
    }
}
