import Foundation
import Testing

/// Validates an OpenAPI document with `openapi-spec-validator` from the project's virtualenv
/// (installed by scripts/install-deps), a real validator rather than a shape check.
enum OpenAPIValidator {
    static func validate(_ document: Data, name: String) throws {
        let venv = try ServiceEnvironment.require("META_BUILDER_VENV")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(name)-\(UUID().uuidString).json")
        try document.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: venv).appendingPathComponent("bin/openapi-spec-validator")
        process.arguments = [file.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "openapi.json of \(name) is not valid OpenAPI: \(text)")
    }
}
