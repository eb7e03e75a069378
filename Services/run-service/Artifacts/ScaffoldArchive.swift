import Foundation
import Shared
import ZIPFoundation

/// The ZIP of a scaffold, written the same way every time: entries in the manifest's order
/// (by path, bytewise), every entry dated with the run's own time, deflated, with its git mode's
/// permissions (0644, 0755, symbolic links 0777), no directory entries. The same tree gives
/// the same bytes, so the same sha256.
enum ScaffoldArchive {
    /// Writes `files` of the tree at `tree` to a new ZIP at `path`, on the `FileSystemLane`.
    static func write(_ files: [RunManifest.File], from tree: String, to path: String, date: Date) async throws {
        try await FileSystemLane.run {
            let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
            for file in files {
                let source = "\(tree)/\(file.path)"
                if file.mode == "120000" {
                    let target = Data(try FileManager.default.destinationOfSymbolicLink(atPath: source).utf8)
                    try archive.addEntry(with: file.path, type: .symlink, uncompressedSize: Int64(target.count), modificationDate: date, permissions: 0o777) { position, size in
                        target.subdata(in: Int(position)..<Int(position) + size)
                    }
                    continue
                }
                let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: source))
                defer { try? handle.close() }
                try archive.addEntry(
                    with: file.path, type: .file, uncompressedSize: Int64(file.size), modificationDate: date,
                    permissions: file.mode == "100755" ? 0o755 : 0o644, compressionMethod: .deflate
                ) { position, size in
                    try handle.seek(toOffset: UInt64(position))
                    return try handle.read(upToCount: size) ?? Data()
                }
            }
        }
    }
}
