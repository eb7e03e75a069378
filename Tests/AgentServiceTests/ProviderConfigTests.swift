import Foundation
import Shared
import Testing
@testable import AgentService

/// The model provider's address is checked when the service starts: only an http or https URL of
/// a host, without credentials, query or fragment; a file://, gopher:// or credentialed URL is a
/// configuration error naming the variable, so the service never starts calling it. Prices are
/// per model, with the provider's price for a model not listed.
@Suite struct ProviderConfigTests {
    @Test func eachModelIsPricedByItsOwnEntryAndOthersByTheProvidersPrice() throws {
        let config = try ProviderConfig(reader: ConfigReader([
            "META_BUILDER_MODEL_PRICES": " gpt-4o=0.0025/0.01 , local-llama=0/0",
            "META_BUILDER_OPENAI_PRICE_PROMPT_PER_1K": "0.001", "META_BUILDER_OPENAI_PRICE_COMPLETION_PER_1K": "0.002",
        ]))
        #expect(abs(config.prices.cost(promptTokens: 2000, completionTokens: 500, model: "gpt-4o") - 0.01) < 1e-12)
        #expect(config.prices.cost(promptTokens: 2000, completionTokens: 500, model: "local-llama") == 0)
        #expect(abs(config.prices.cost(promptTokens: 2000, completionTokens: 500, model: "gpt-4o-mini") - 0.003) < 1e-12)
    }

    @Test(arguments: ["gpt-4o", "gpt-4o=0.01", "gpt-4o=cheap/0.01", "=0.1/0.2", "gpt-4o=-1/0.2", "gpt-4o=0.1/0.2/0.3", "gpt-4o=nan/0.1"])
    func aMalformedPriceIsAConfigurationErrorNamingItsEntry(entry: String) {
        let error = #expect(throws: ConfigError.self, "\(entry)") { try ProviderConfig(reader: ConfigReader(["META_BUILDER_MODEL_PRICES": "gpt-4o-mini=0.1/0.2,\(entry)"])) }
        #expect(error?.key == "META_BUILDER_MODEL_PRICES")
    }

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
