import Foundation
import Shared
import Testing
@testable import SpecService

/// `target_repository` accepts the addresses of hosted repositories and refuses everything that
/// would point a later delivery into the platform's own network or at local files (SSRF), with
/// a 400 naming the field; the contract states the same pattern.
@Suite struct TargetRepositoryTests {
    @Test(arguments: [
        "svc/tickets", "acme/crm", "Acme_Corp/crm.api", "https://github.com/acme/crm.git",
        "https://gitlab.example.org:443/group/sub/crm", "ssh://git@gitlab.example.org/acme/crm.git",
        "ssh://example.com:22/acme/crm", "git@example.com:acme/crm.git",
    ])
    func hostedRepositoriesAreAccepted(address: String) throws {
        try TargetRepository.validate(address)
    }

    @Test(arguments: [
        "file:///etc/passwd", "file://localhost/etc/passwd", "gopher://127.0.0.1:6379/_FLUSHALL", "dict://127.0.0.1:11211/stat",
        "http://github.com/acme/crm", "ftp://example.com/acme/crm", "https://127.0.0.1/acme/crm", "https://127.1/acme/crm",
        "https://2130706433/acme/crm", "https://0x7f.0.0.1/acme/crm", "https://[::1]/acme/crm", "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.8/acme/crm", "https://localhost/acme/crm", "https://localhost:5432/acme/crm", "https://db.localhost/acme/crm",
        "https://printer.local/acme/crm", "git@metadata.internal:acme/crm", "https://user:secret@github.com/acme/crm",
        "https://token@github.com/acme/crm", "https://github.com:8443/acme/crm", "ssh://git@github.com:2222/acme/crm",
        "https://github.com", "https://github.com/", "https://github.com/../etc", "https://github.com/acme/crm?ref=main",
        "../..", "acme/../crm", "/etc/passwd", "acme", "acme/crm/extra", "-acme/crm", "git@github.com/acme/crm", "",
        String(repeating: "a", count: 300) + "/" + String(repeating: "b", count: 300),
    ])
    func addressesIntoThePlatformsNetworkOrFilesAreRefused(address: String) {
        let error = #expect(throws: WireError.self, "\(address)") { try TargetRepository.validate(address) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.details.first?.field == "target_repository")
    }

    @Test func theContractStatesTheSamePattern() throws {
        let contract = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Services/spec-service/openapi.json")
        let document = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: contract))
        let field = document["components"]?["schemas"]?["CreateSpec"]?["properties"]?["target_repository"]
        #expect(field?["pattern"]?.stringValue == TargetRepository.pattern)
        for domain in TargetRepository.localDomains {
            #expect(field?["description"]?.stringValue?.contains(domain) == true, "the description names the refused *.\(domain)")
        }
    }
}
