import ArgumentParser
import Foundation
import Shared

/// `mbctl token issue`: a user token signed with the configured `META_BUILDER_JWT_SECRET`, for
/// development only (whoever holds the secret can be anyone in any tenant).
struct TokenIssueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Issue a user token (development only), HS256-signed with META_BUILDER_JWT_SECRET.",
        discussion: "Reads the secret from META_BUILDER_JWT_SECRET or the config file's jwt_secret; issuer and audience from META_BUILDER_JWT_ISSUER/AUDIENCE (default meta-builder)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The tenant (a UUID).")
    var tenant: String

    @Option(help: "owner, admin, member or viewer.")
    var role: Role

    @Option(help: "The user (the token's subject).")
    var user: String = "mbctl"

    @Option(help: "Seconds the token is valid.")
    var ttl: Int = 3600

    func validate() throws {
        guard UUID(uuidString: tenant) != nil else { throw ValidationError("--tenant must be a UUID") }
        guard ttl > 0 else { throw ValidationError("--ttl must be positive") }
    }

    func run() async throws {
        let settings = try Settings.resolve(url: global.url, token: global.token)
        guard let secret = settings.jwtSecret else {
            throw CLIFailure.usage("no signing secret: set META_BUILDER_JWT_SECRET (or jwt_secret in the config file)")
        }
        let now = Date().timeIntervalSince1970.rounded(.down)
        let claims = JWTClaims(sub: user, tid: tenant.lowercased(), role: role.rawValue, exp: now + Double(ttl), iat: now)
        let token = JWT(secret: secret, issuer: settings.jwtIssuer, audience: settings.jwtAudience).sign(claims)
        if global.json {
            let object: JSONValue = .object(["token": .string(token), "tenant": .string(tenant.lowercased()), "role": .string(role.rawValue), "user": .string(user), "expires_in": .number(Double(ttl))])
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            Console(json: true).line(String(decoding: try encoder.encode(object), as: UTF8.self))
        } else {
            Console(json: false).line(token)
        }
    }
}

/// Roles are given by name: `--role owner`.
extension Role: ExpressibleByArgument {}
