import Foundation
import Shared
import Testing

/// GETs with the `curl` command line, as a platform would download: exactly the headers given
/// (no `Accept` unless one is given), the body's bytes as they came (`RunMesh.call` reads bodies
/// as text and always asks for JSON).
enum RawHTTP {
    /// An answer: status, headers in received order, body.
    struct Answer: Sendable {
        let status: Int
        let headers: [(String, String)]
        let body: Data

        /// The first header of a name (case-insensitive).
        func header(_ name: String) -> String? {
            headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
        }

        /// Every header of a name.
        func headers(_ name: String) -> [String] {
            headers.filter { $0.0.caseInsensitiveCompare(name) == .orderedSame }.map(\.1)
        }
    }

    /// `GET http://127.0.0.1:<port><path>` with a bearer token and `headers`.
    static func get(port: Int, _ path: String, token: String, headers: [(String, String)] = []) async throws -> Answer {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("raw-http-\(UUID().lowercaseText)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var arguments = ["--silent", "--show-error", "--max-time", "30", "--output", "body", "--dump-header", "headers"]
        // curl sends `Accept: */*` unless told otherwise.
        if !headers.contains(where: { $0.0.caseInsensitiveCompare("Accept") == .orderedSame }) { arguments += ["--header", "Accept:"] }
        for (name, value) in [("Authorization", "Bearer \(token)")] + headers {
            arguments += ["--header", "\(name): \(value)"]
        }
        let result = try await ProcessRunner.run("curl", arguments + ["http://127.0.0.1:\(port)\(path)"], in: scratch, timeout: .seconds(40))
        try #require(result.succeeded, "curl \(path): \(result.output)")
        let head = try String(contentsOfFile: "\(scratch)/headers", encoding: .utf8)
        let lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let status = try #require(lines.first?.split(separator: " ").dropFirst().first.flatMap { Int($0) }, "no status line in \(head)")
        let fields = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let body = (try? Data(contentsOf: URL(fileURLWithPath: "\(scratch)/body"))) ?? Data()
        return Answer(status: status, headers: fields, body: body)
    }
}
