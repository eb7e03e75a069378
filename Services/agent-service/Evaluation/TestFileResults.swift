import Foundation
import Shared

/// The scaffold's test results by test file, read from the JUnit XML pytest writes
/// (`--junitxml`): what the QA report states per file, so a manifest can say which proofs
/// (cross-tenant isolation, role denials) passed.
struct TestFileResults: Codable, Sendable, Equatable {
    /// One test file's outcomes.
    struct File: Codable, Sendable, Equatable {
        var file: String
        var passed: Int
        var failed: Int
        var skipped: Int
    }

    /// Where pytest writes the XML, relative to the workspace (read and removed at once, so it
    /// never reaches a diff).
    static let reportPath = ".meta-builder-pytest.xml"

    /// Reads and removes the report pytest wrote in `workspace`; none when there is none.
    static func take(from workspace: String) async -> [File] {
        let path = "\(workspace)/\(reportPath)"
        let xml = await FileSystemLane.run { () -> String? in
            defer { try? FileManager.default.removeItem(atPath: path) }
            return try? String(contentsOfFile: path, encoding: .utf8)
        }
        guard let xml else { return [] }
        return await FileSystemLane.run { parse(xml, workspace: workspace) }
    }

    /// The outcomes of the `<testcase>` elements of `xml`, by the test file their `classname`
    /// names (the longest dotted prefix that is a `.py` file in `workspace`), sorted by file.
    static func parse(_ xml: String, workspace: String, exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) -> [File] {
        var files: [String: File] = [:]
        var rest = xml[...]
        while let start = rest.range(of: "<testcase") {
            let afterStart = rest[start.upperBound...]
            guard let tagEnd = afterStart.firstIndex(of: ">") else { break }
            let tag = afterStart[..<tagEnd]
            let selfClosing = tag.hasSuffix("/")
            var body: Substring = ""
            if selfClosing {
                rest = afterStart[afterStart.index(after: tagEnd)...]
            } else if let close = afterStart.range(of: "</testcase>") {
                body = afterStart[tagEnd..<close.lowerBound]
                rest = afterStart[close.upperBound...]
            } else {
                break
            }
            guard let className = attribute("classname", in: tag), let file = file(of: className, workspace: workspace, exists: exists) else { continue }
            var entry = files[file] ?? File(file: file, passed: 0, failed: 0, skipped: 0)
            if body.contains("<failure") || body.contains("<error") { entry.failed += 1 }
            else if body.contains("<skipped") { entry.skipped += 1 }
            else { entry.passed += 1 }
            files[file] = entry
        }
        return files.values.sorted { $0.file < $1.file }
    }

    private static func attribute(_ name: String, in tag: Substring) -> String? {
        guard let start = tag.range(of: " \(name)=\"") else { return nil }
        let value = tag[start.upperBound...]
        guard let end = value.firstIndex(of: "\"") else { return nil }
        return String(value[..<end])
    }

    /// `tests.test_rbac.TestRoles` → `tests/test_rbac.py` when that file exists.
    private static func file(of className: String, workspace: String, exists: (String) -> Bool) -> String? {
        let parts = className.split(separator: ".").map(String.init)
        for count in stride(from: parts.count, through: 1, by: -1) {
            let candidate = parts.prefix(count).joined(separator: "/") + ".py"
            if exists("\(workspace)/\(candidate)") { return candidate }
        }
        return nil
    }
}
