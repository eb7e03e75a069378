import Foundation
import Shared
import Testing
@testable import RunService

/// The artifact pieces without the mesh: the store, the ZIP's determinism, content negotiation
/// and entity tags.
@Suite struct ArtifactPartsTests {
    @Test func theStoreAddressesBlobsByContentAndStoringTwiceChangesNothing() async throws {
        let root = try SharedRunQueue.ArtifactTests.scratch("artifact-store")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = ArtifactStore(root: root)
        let data = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let first = try await store.put(data)
        #expect(first == ArtifactStore.Blob(sha256: Digest.sha256Hex(data), size: data.count))
        let path = store.path(of: first.sha256)
        #expect(path == "\(root)/blobs/sha256/\(first.sha256.prefix(2))/\(first.sha256)")
        let stored = try FileManager.default.attributesOfItem(atPath: path)
        #expect((stored[.posixPermissions] as? NSNumber)?.intValue == 0o444)
        #expect(try await store.put(data) == first)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date == stored[.modificationDate] as? Date)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/tmp").isEmpty)
        #expect(await store.size(of: first.sha256) == data.count)
        #expect(await store.size(of: String(repeating: "0", count: 64)) == nil)
        // Read back in chunks, as downloads are.
        var read = Data()
        while read.count < data.count {
            read += try await store.read(first.sha256, at: read.count, length: 1 << 20)
        }
        #expect(read == data)
        #expect(try await store.read(first.sha256, at: data.count, length: 10).isEmpty)
    }

    @Test func theZIPOfATreeIsTheSameBytesEveryTime() async throws {
        let root = try SharedRunQueue.ArtifactTests.scratch("scaffold-archive")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let tree = "\(root)/tree"
        try FileManager.default.createDirectory(atPath: "\(tree)/app", withIntermediateDirectories: true)
        try Data("print('hi')\n".utf8).write(to: URL(fileURLWithPath: "\(tree)/app/main.py"))
        try Data("#!/bin/sh\necho run\n".utf8).write(to: URL(fileURLWithPath: "\(tree)/run.sh"))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(tree)/run.sh")
        try FileManager.default.createSymbolicLink(atPath: "\(tree)/main.py", withDestinationPath: "app/main.py")
        try FileManager.default.createDirectory(atPath: "\(tree)/.git", withIntermediateDirectories: true)
        try Data("not content\n".utf8).write(to: URL(fileURLWithPath: "\(tree)/.git/HEAD"))

        let files = try await ScaffoldTree(git: GitWorkspace(path: tree)).files()
        #expect(files.map(\.path) == ["app/main.py", "main.py", "run.sh"])
        #expect(files.map(\.mode) == ["100644", "120000", "100755"])
        #expect(files[1].sha256 == Digest.sha256Hex(Data("app/main.py".utf8)))
        let date = Date(timeIntervalSince1970: 1_780_000_000)
        var archives: [Data] = []
        for (index, when) in [date, date, date.addingTimeInterval(3600)].enumerated() {
            try await ScaffoldArchive.write(files, from: tree, to: "\(root)/\(index).zip", date: when)
            archives.append(try Data(contentsOf: URL(fileURLWithPath: "\(root)/\(index).zip")))
        }
        #expect(archives[0] == archives[1])
        #expect(archives[0] != archives[2], "the entries' date is the one given")
        // unzip agrees: the entries in order, the link kept as a link, the executable bit kept.
        let listing = try await SharedRunQueue.ArtifactTests.run("unzip", ["-Z1", "0.zip"], in: root)
        #expect(listing.split(separator: "\n") == ["app/main.py", "main.py", "run.sh"])
        try await SharedRunQueue.ArtifactTests.run("unzip", ["-q", "0.zip", "-d", "out"], in: root)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(root)/out/main.py") == "app/main.py")
        #expect(FileManager.default.isExecutableFile(atPath: "\(root)/out/run.sh"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(root)/out/app/main.py")) == Data("print('hi')\n".utf8))
    }

    @Test func acceptWeighsMediaRangesByQualityAndSpecificity() {
        let json = "application/json", diff = "text/x-diff"
        #expect(AcceptHeader([]).quality(of: json) == 1)
        #expect(AcceptHeader([]).quality(of: diff) == 1)
        let plain = AcceptHeader(["application/json"])
        #expect(plain.quality(of: json) == 1 && plain.quality(of: diff) == 0)
        let weighted = AcceptHeader(["text/*;q=0.3, application/json; q=0.2"])
        #expect(weighted.quality(of: diff) == 0.3 && weighted.quality(of: json) == 0.2)
        // The most specific range decides, even when a broader one weighs more.
        let specific = AcceptHeader(["*/*", "text/x-diff;q=0"])
        #expect(specific.quality(of: diff) == 0 && specific.quality(of: json) == 1)
        #expect(AcceptHeader(["Application/JSON"]).quality(of: json) == 1)
        #expect(AcceptHeader(["garbage, application/json;q=abc"]).quality(of: json) == 0)
    }

    @Test func ifNoneMatchComparesEntityTagsWeakly() {
        let tag = EntityTag(value: "abc")
        #expect(tag.header == "\"abc\"")
        #expect(tag.isMatched(byIfNoneMatch: ["\"abc\""]))
        #expect(tag.isMatched(byIfNoneMatch: ["W/\"abc\""]))
        #expect(tag.isMatched(byIfNoneMatch: ["\"x\", \"abc\""]))
        #expect(tag.isMatched(byIfNoneMatch: ["\"x\"", "\"abc\""]))
        #expect(tag.isMatched(byIfNoneMatch: ["*"]))
        #expect(!tag.isMatched(byIfNoneMatch: []))
        #expect(!tag.isMatched(byIfNoneMatch: ["\"abcd\"", "abc"]))
    }
}
