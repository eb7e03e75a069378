import Foundation
import Shared
import Testing
import ZIPFoundation
@testable import MBCtl

/// A run's ZIP checked entry by entry against its manifest's `files`.
@Suite struct ArchiveCheckTests {
    /// A ZIP of `files` (path → content), built in memory.
    static func zip(_ files: [(String, String)]) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, content) in files {
            let data = Data(content.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return try #require(archive.data)
    }

    /// The manifest's `files` for `files`.
    static func manifest(_ files: [(String, String)]) -> [JSONValue] {
        files.map { path, content in
            .object(["path": .string(path), "sha256": .string(Digest.sha256Hex(Data(content.utf8))), "size": .number(Double(content.utf8.count)), "mode": .string("100644")])
        }
    }

    static let tree = [("README.md", "# CRM\n"), ("app/__init__.py", "app = None\n"), ("migrations/0001_up.sql", "CREATE TABLE t (id int);\n")]

    @Test func aZIPOfTheManifestsFilesVerifies() throws {
        #expect(ArchiveCheck.problems(zip: try Self.zip(Self.tree), manifestFiles: Self.manifest(Self.tree)).isEmpty)
    }

    @Test func aChangedMissingOrExtraFileIsNamed() throws {
        var changed = Self.tree
        changed[1].1 = "app = 'tampered'\n"
        let tampered = ArchiveCheck.problems(zip: try Self.zip(changed), manifestFiles: Self.manifest(Self.tree))
        #expect(tampered.count == 1)
        #expect(tampered.first?.hasPrefix("app/__init__.py: sha256") == true, "\(tampered)")

        let missing = ArchiveCheck.problems(zip: try Self.zip(Array(Self.tree.prefix(2))), manifestFiles: Self.manifest(Self.tree))
        #expect(missing == ["migrations/0001_up.sql is in the manifest but not in the ZIP"])

        let extra = ArchiveCheck.problems(zip: try Self.zip(Self.tree + [("evil.sh", "rm -rf /\n")]), manifestFiles: Self.manifest(Self.tree))
        #expect(extra == ["evil.sh is in the ZIP but not in the manifest"])

        #expect(ArchiveCheck.problems(zip: Data("not a zip".utf8), manifestFiles: Self.manifest(Self.tree)).first?.hasPrefix("the ZIP cannot be read") == true)
    }
}
