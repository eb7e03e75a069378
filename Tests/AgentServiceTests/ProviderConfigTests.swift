import Foundation
import Shared
import Testing
@testable import AgentService

/// The model provider's address is checked when the service starts: only an http or https URL of
/// a host, without credentials, query or fragment; a file://, gopher:// or credentialed URL is a
/// configuration error naming the variable, so the service never starts calling it.
@Suite struct ProviderConfigTests {
    @Test(arguments: ["https://api.openai.com/v1", "http://127.0.0.1:8080/v1", "https://models.example.org:8443/openai/v1"])
    func httpURLsOfAHostAreAccepted(url: String) throws {
        #expect(try ProviderConfig(reader: ConfigReader(["META_BUILDER_OPENAI_BASE_URL": url])).openAIBaseURL == url)
    }

    @Test(arguments: [
        "file:///etc/passwd", "gopher://127.0.0.1:6379/_FLUSHALL", "ftp://models.example.org/v1", "dict://127.0.0.1:11211/",
        "https://user:secret@api.openai.com/v1", "https://api.openai.com/v1?redirect=http://169.254.169.254", "https:///v1", "api.openai.com/v1",
    ])
    func otherAddressesAreAConfigurationError(url: String) {
        let error = #expect(throws: ConfigError.self, "\(url)") { try ProviderConfig(reader: ConfigReader(["META_BUILDER_OPENAI_BASE_URL": url])) }
        #expect(error?.key == "META_BUILDER_OPENAI_BASE_URL")
    }
}
