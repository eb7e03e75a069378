import Foundation
import Testing

@testable import MBCtl

/// Configuration precedence: flags, then the environment, then the config file.
@Suite struct SettingsTests {
    /// A config file with `contents` and its path.
    static func configFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mbctl-config-\(UUID().uuidString).json").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func flagsBeatTheEnvironmentWhichBeatsTheFile() throws {
        let file = try Self.configFile(#"{"url":"http://file:1","run_url":"http://file-run:2","token":"file-token"}"#)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let fileOnly = try Settings.resolve(url: nil, token: nil, environment: ["MBCTL_CONFIG": file])
        #expect(fileOnly.urls[.spec] == "http://file:1" && fileOnly.urls[.run] == "http://file-run:2" && fileOnly.token == "file-token")

        let environment = ["MBCTL_CONFIG": file, "META_BUILDER_URL": "http://env:3/", "META_BUILDER_APPROVAL_URL": "http://env-approval:4", "META_BUILDER_TOKEN": "env-token"]
        let fromEnvironment = try Settings.resolve(url: nil, token: nil, environment: environment)
        #expect(fromEnvironment.urls[.spec] == "http://env:3")
        #expect(fromEnvironment.urls[.run] == "http://env:3", "the environment's general URL beats the file's per-service one")
        #expect(fromEnvironment.urls[.approval] == "http://env-approval:4")
        #expect(fromEnvironment.token == "env-token")

        let fromFlags = try Settings.resolve(url: "http://flag:5", token: "flag-token", environment: environment)
        #expect(Set(fromFlags.urls.values) == ["http://flag:5"] && fromFlags.token == "flag-token")
    }

    @Test func nothingConfiguredIsTheLocalGatewayAndAMissingNamedFileIsAUsageError() throws {
        let defaults = try Settings.resolve(url: nil, token: nil, environment: ["HOME": "/nonexistent-home"])
        #expect(Set(defaults.urls.values) == [Settings.defaultURL] && defaults.token == nil)
        #expect(throws: CLIFailure.self) { try Settings.resolve(url: nil, token: nil, environment: ["MBCTL_CONFIG": "/nonexistent/mbctl.json"]) }
        let broken = try Self.configFile("[1, 2]")
        defer { try? FileManager.default.removeItem(atPath: broken) }
        do {
            _ = try Settings.resolve(url: nil, token: nil, environment: ["MBCTL_CONFIG": broken])
            Issue.record("a config file that is not an object was accepted")
        } catch let failure as CLIFailure {
            #expect(failure.status == .usage)
        }
    }
}
