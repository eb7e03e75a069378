import Foundation

/// mbctl's configuration, resolved once per command from flags, then the environment, then the
/// config file (`$MBCTL_CONFIG` or `~/.config/mbctl/config.json`): the first layer that sets a
/// value wins. Within a layer a service's own URL beats the general one.
struct Settings: Sendable {
    /// The gateway's address when nothing else is configured (compose's nginx).
    static let defaultURL = "http://127.0.0.1:8080"

    /// Each service's base URL.
    let urls: [Service: String]
    /// The bearer token (secret), if any.
    let token: String?
    /// The user-token signing secret for `token issue` (secret), if any.
    let jwtSecret: String?
    /// The issuer `token issue` writes.
    let jwtIssuer: String
    /// The audience `token issue` writes.
    let jwtAudience: String

    /// The config file's keys.
    struct File: Decodable {
        var url: String?
        var spec_url: String?
        var run_url: String?
        var approval_url: String?
        var token: String?
        var jwt_secret: String?
        var jwt_issuer: String?
        var jwt_audience: String?

        /// The URL the file sets for `service`.
        func url(for service: Service) -> String? {
            switch service {
            case .spec: spec_url ?? url
            case .run: run_url ?? url
            case .approval: approval_url ?? url
            }
        }
    }

    /// Resolves the settings; an unreadable config file, or one named by `MBCTL_CONFIG` that does
    /// not exist, is a usage error.
    static func resolve(url flagURL: String?, token flagToken: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Settings {
        let file = try readFile(environment: environment)
        func nonEmpty(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
        var urls: [Service: String] = [:]
        for service in Service.allCases {
            let chosen = nonEmpty(flagURL)
                ?? nonEmpty(environment[service.environmentKey]) ?? nonEmpty(environment["META_BUILDER_URL"])
                ?? nonEmpty(file?.url(for: service))
                ?? defaultURL
            urls[service] = chosen.hasSuffix("/") ? String(chosen.dropLast()) : chosen
        }
        return Settings(
            urls: urls,
            token: nonEmpty(flagToken) ?? nonEmpty(environment["META_BUILDER_TOKEN"]) ?? nonEmpty(file?.token),
            jwtSecret: nonEmpty(environment["META_BUILDER_JWT_SECRET"]) ?? nonEmpty(file?.jwt_secret),
            jwtIssuer: nonEmpty(environment["META_BUILDER_JWT_ISSUER"]) ?? nonEmpty(file?.jwt_issuer) ?? "meta-builder",
            jwtAudience: nonEmpty(environment["META_BUILDER_JWT_AUDIENCE"]) ?? nonEmpty(file?.jwt_audience) ?? "meta-builder"
        )
    }

    private static func readFile(environment: [String: String]) throws -> File? {
        let named = environment["MBCTL_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        let path = named ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config/mbctl/config.json"
        guard FileManager.default.fileExists(atPath: path) else {
            if let named { throw CLIFailure.usage("config file \(named) (MBCTL_CONFIG) does not exist") }
            return nil
        }
        do {
            return try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw CLIFailure.usage("config file \(path) is not a JSON object of mbctl's keys: \(error.localizedDescription)")
        }
    }
}
