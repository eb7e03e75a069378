import Foundation
import Shared

/// What rejecting a gate's run undoes, shown to the reviewer before deciding: the plan's down
/// migrations in the order they run (newest first) with their SQL, the data that would be lost
/// (the tables those migrations drop), and what deleting the branch and discarding the
/// artifacts mean for a run that waits for approval.
struct RollbackPlan: Codable, Sendable, Equatable {
    /// One down migration.
    struct DownMigration: Codable, Sendable, Equatable {
        var version: Int
        var name: String
        var sql: String
    }

    /// The data rolling back deletes.
    struct DataLost: Codable, Sendable, Equatable {
        /// The tables the down migrations drop, in the order they are dropped.
        var tables: [String]
        var scope: String
    }

    /// The run's branch.
    struct Branch: Codable, Sendable, Equatable {
        var name: String
        var meaning: String
    }

    /// The run's artifacts.
    struct Artifacts: Codable, Sendable, Equatable {
        var meaning: String
    }

    var downMigrations: [DownMigration]
    var dataLost: DataLost
    var branch: Branch
    var artifacts: Artifacts

    enum CodingKeys: String, CodingKey {
        case branch, artifacts
        case downMigrations = "down_migrations"
        case dataLost = "data_lost"
    }

    /// The plan of a run that builds `migrations`.
    init(run: UUID, migrations: [PlannedMigration]) {
        downMigrations = migrations.sorted { $0.version > $1.version }.map { DownMigration(version: $0.version, name: $0.name, sql: $0.down) }
        var tables: [String] = []
        for table in downMigrations.flatMap({ Self.droppedTables(in: $0.sql) }) where !tables.contains(table) {
            tables.append(table)
        }
        dataLost = DataLost(
            tables: tables,
            scope: "Every row of these tables in the run's preview schema, the only database its migrations ran on; no other database is touched."
        )
        branch = Branch(
            name: "meta-builder/run-\(run.lowercaseText)",
            meaning: "A run waiting for approval has no branch yet: the branch, one commit on top of the base, is made only when an approved run finalizes. Rejecting creates none; deleting it later removes that one commit and nothing else (the base repository's other branches and HEAD are not touched)."
        )
        artifacts = Artifacts(
            meaning: "The ZIP, the manifest and the pull-request body are built only when an approved run finalizes. Rejecting publishes none of them and discards the run's sandbox: its workspaces and its preview schema."
        )
    }

    /// The tables `DROP TABLE` statements of `sql` name (`IF EXISTS`, lists and `CASCADE`
    /// understood; quotes removed), in order. Other statements drop no table data.
    static func droppedTables(in sql: String) -> [String] {
        let code = sql.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.range(of: "--").map { line[..<$0.lowerBound] } ?? line }
            .joined(separator: "\n")
        return code.split(separator: ";").flatMap { statement -> [String] in
            var words = statement.split(whereSeparator: \.isWhitespace).map(String.init)
            guard words.count > 2, words[0].uppercased() == "DROP", words[1].uppercased() == "TABLE" else { return [] }
            words.removeFirst(2)
            if words.count > 2, words[0].uppercased() == "IF", words[1].uppercased() == "EXISTS" { words.removeFirst(2) }
            if let last = words.last?.uppercased(), last == "CASCADE" || last == "RESTRICT" { words.removeLast() }
            return words.joined(separator: " ").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\"", with: "")
            }.filter { !$0.isEmpty }
        }
    }
}
