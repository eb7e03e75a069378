import Foundation
import Shared

/// Checks a service's answer against a schema of its served OpenAPI document with the
/// `jsonschema` package of the project's virtualenv (OpenAPI 3.1 schemas are JSON Schema
/// 2020-12), so a field the code writes but the contract leaves out, or the other way round,
/// fails the test.
public enum OpenAPISchemaCheck {
    private static let script = """
        import json, sys
        from jsonschema import Draft202012Validator
        document, answer = (json.load(open(path)) for path in sys.argv[1:3])
        schema = {"$ref": "#/components/schemas/" + sys.argv[3], "components": document["components"]}
        errors = sorted(Draft202012Validator(schema).iter_errors(answer), key=lambda error: list(error.absolute_path))
        for error in errors: print("/".join(map(str, error.absolute_path)) or "(root)", ":", error.message)
        sys.exit(1 if errors else 0)
        """

    /// The violations of `answer` against `#/components/schemas/<schema>` of `document` (none:
    /// empty). The validator runs as a subprocess that is awaited, not waited for.
    public static func violations(of answer: String, schema: String, document: String) async throws -> String {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-schema-check-\(UUID().lowercaseText)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let paths = ["document.json", "answer.json", "check.py", "output.txt"].map { scratch.appendingPathComponent($0).path }
        try document.write(toFile: paths[0], atomically: true, encoding: .utf8)
        try answer.write(toFile: paths[1], atomically: true, encoding: .utf8)
        try script.write(toFile: paths[2], atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: paths[3], contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: paths[3]))
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try RequiredEnvironment.value("META_BUILDER_VENV")).appendingPathComponent("bin/python")
        process.arguments = [paths[2], paths[0], paths[1], schema]
        process.standardOutput = output
        process.standardError = output
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let text = try String(contentsOfFile: paths[3], encoding: .utf8)
        return status == 0 ? "" : (text.isEmpty ? "validator exited with \(status)" : text)
    }
}
