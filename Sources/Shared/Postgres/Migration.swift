import Foundation

/// One numbered, forward-only SQL migration of a service's schema.
public struct Migration: Sendable, Equatable {
    /// The number that orders it (file name prefix).
    public let version: Int
    /// A short name (rest of the file name).
    public let name: String
    /// The SQL script.
    public let sql: String

    /// Creates a migration.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// sha256 of the script, recorded so an edited, already-applied migration is noticed.
    public var checksum: String {
        Digest.sha256Hex(Data(sql.utf8))
    }

    /// Loads `NNNN_name.sql` files from a folder of a resource bundle, ordered by number.
    public static func load(from bundle: Bundle, subdirectory: String) throws -> [Migration] {
        guard let folder = bundle.resourceURL?.appendingPathComponent(subdirectory) else { return [] }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }
        let migrations = try names.map { name -> Migration in
            let url = folder.appendingPathComponent(name)
            let file = String(name.dropLast(".sql".count))
            let parts = file.split(separator: "_", maxSplits: 1)
            guard parts.count == 2, let version = Int(parts[0]) else {
                throw MigrationError.badFileName(file)
            }
            return Migration(version: version, name: String(parts[1]), sql: try String(contentsOf: url, encoding: .utf8))
        }.sorted { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw MigrationError.duplicateVersion(next.version)
        }
        return migrations
    }
}

/// A migration set that cannot be applied.
public enum MigrationError: Error, CustomStringConvertible, Equatable {
    /// A file is not named `NNNN_name.sql`.
    case badFileName(String)
    /// Two files share a number.
    case duplicateVersion(Int)
    /// An applied migration's script changed since.
    case checksumMismatch(version: Int, name: String)

    public var description: String {
        switch self {
        case .badFileName(let name): "migration file '\(name)' is not named NNNN_name.sql"
        case .duplicateVersion(let version): "two migrations share version \(version)"
        case .checksumMismatch(let version, let name): "applied migration \(version) (\(name)) was edited afterwards"
        }
    }
}
