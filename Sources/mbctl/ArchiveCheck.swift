import Foundation
import Shared
import ZIPFoundation

/// Checks a run's ZIP entry by entry against its manifest's `files` (`[{path, sha256, size,
/// mode}]`): every file is there once with its sha256 and size (a symbolic link's are those of
/// its target path, as the manifest records them), and the ZIP holds nothing else.
enum ArchiveCheck {
    /// What does not match; empty when the ZIP is the manifest's.
    static func problems(zip: Data, manifestFiles: [JSONValue]) -> [String] {
        let archive: Archive
        do {
            archive = try Archive(data: zip, accessMode: .read)
        } catch {
            return ["the ZIP cannot be read: \(error)"]
        }
        var expected: [String: (sha256: String, size: Int)] = [:]
        for file in manifestFiles {
            guard let path = file["path"]?.stringValue, let sha256 = file["sha256"]?.stringValue, case .number(let size)? = file["size"] else {
                return ["the manifest's files are not {path, sha256, size} entries"]
            }
            expected[path] = (sha256, Int(size))
        }
        var problems: [String] = []
        var seen = Set<String>()
        for entry in archive where entry.type != .directory {
            let path = entry.path
            guard seen.insert(path).inserted else {
                problems.append("\(path) is in the ZIP twice")
                continue
            }
            var content = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { content.append($0) }
            } catch {
                problems.append("\(path) cannot be extracted: \(error)")
                continue
            }
            guard let file = expected[path] else {
                problems.append("\(path) is in the ZIP but not in the manifest")
                continue
            }
            let sha256 = Digest.sha256Hex(content)
            if sha256 != file.sha256 || content.count != file.size {
                problems.append("\(path): sha256 \(sha256) (\(content.count) bytes) is not the manifest's \(file.sha256) (\(file.size) bytes)")
            }
        }
        for path in expected.keys.sorted() where !seen.contains(path) {
            problems.append("\(path) is in the manifest but not in the ZIP")
        }
        return problems
    }
}
