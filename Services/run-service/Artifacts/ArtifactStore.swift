import Crypto
import Foundation
import Shared

/// The artifact root on disk (`ArtifactSettings.root`):
///
/// ```
/// blobs/sha256/<first 2 hex digits>/<sha256>   every artifact's bytes, addressed by their sha256
/// repositories/<run id>.git                    the bare repository of a run without a base repository
/// tmp/                                         scratch: work trees and blobs being written
/// ```
///
/// A blob is written to a scratch file and renamed into place, so a reader never sees half of
/// one; storing a blob that is there already changes nothing, so building a run's artifacts
/// again is harmless. Blobs are read-only once stored. Every file call runs on the
/// `FileSystemLane`.
struct ArtifactStore: Sendable {
    /// The artifact root.
    let root: String

    /// A stored blob: its address and length.
    struct Blob: Sendable, Equatable {
        /// Lower-case hex sha256 of the bytes.
        var sha256: String
        /// Bytes.
        var size: Int
    }

    /// Where runs without a base repository get their bare repository.
    var repositoriesDirectory: String { root + "/repositories" }

    /// The path of the blob with `sha256` (which must be 64 lower-case hex digits).
    func path(of sha256: String) -> String {
        "\(root)/blobs/sha256/\(sha256.prefix(2))/\(sha256)"
    }

    /// A new, empty scratch directory (the caller removes it).
    func scratchDirectory(_ label: String) async throws -> String {
        let path = "\(root)/tmp/\(label)-\(RandomHex.bytes(8))"
        try await FileSystemLane.run { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        return path
    }

    /// Stores `data`. A write that fails (a full disk) leaves nothing behind: the half-written
    /// scratch file is removed.
    func put(_ data: Data) async throws -> Blob {
        let scratch = "\(root)/tmp/blob-\(RandomHex.bytes(8))"
        do {
            try await FileSystemLane.run {
                try FileManager.default.createDirectory(atPath: "\(root)/tmp", withIntermediateDirectories: true)
                try data.write(to: URL(fileURLWithPath: scratch))
            }
            return try await put(fileAt: scratch)
        } catch {
            await FileSystemLane.run { try? FileManager.default.removeItem(atPath: scratch) }
            throw error
        }
    }

    /// Moves the file at `scratch` (on the artifact root's file system) into the store.
    func put(fileAt scratch: String) async throws -> Blob {
        try await FileSystemLane.run {
            let blob = try Self.digest(ofFileAt: scratch)
            let target = path(of: blob.sha256)
            if FileManager.default.fileExists(atPath: target) {
                try FileManager.default.removeItem(atPath: scratch)
                return blob
            }
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: scratch)
            // rename(2): atomic, and replacing a blob a concurrent build just stored is harmless.
            guard rename(scratch, target) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            return blob
        }
    }

    /// The length of the stored blob with `sha256`; nil when the store does not hold it.
    func size(of sha256: String) async -> Int? {
        let path = path(of: sha256)
        return await FileSystemLane.run {
            (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
        }
    }

    /// Up to `length` bytes of the blob with `sha256` from `offset` (fewer only at its end).
    func read(_ sha256: String, at offset: Int, length: Int) async throws -> Data {
        let path = path(of: sha256)
        return try await FileSystemLane.run {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(offset))
            return try handle.read(upToCount: length) ?? Data()
        }
    }

    /// The sha256 and length of a file, read in 1 MiB chunks. Blocking: call it on the lane.
    static func digest(ofFileAt path: String) throws -> Blob {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var hasher = SHA256()
        var size = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            size += chunk.count
        }
        return Blob(sha256: Hex.encode(Array(hasher.finalize())), size: size)
    }
}
