import Foundation
import Shared

/// The repository a spec's scaffold is meant for (`target_repository`), checked when the spec is
/// made so that no later delivery can be pointed into the platform's own network: a hosted
/// `owner/name`, or `https://host/path`, `ssh://[git@]host/path` or `git@host:path` on a named
/// host. Anything else is refused: other schemes (`file://`, `gopher://`, `http://`…),
/// credentials, ports other than the scheme's own, IP literals (loopback, private or not), names
/// without a top-level domain (`localhost`) and the local-only ones (`*.localhost`, `*.local`,
/// `*.internal`). `pattern` is the contract's.
enum TargetRepository {
    /// The accepted forms, as `openapi.json` states them.
    static let pattern = #"^([A-Za-z0-9_][A-Za-z0-9._-]{0,99}/[A-Za-z0-9_][A-Za-z0-9._-]{0,99}|(https://\#(host)(:443)?/|ssh://(git@)?\#(host)(:22)?/|git@\#(host):)\#(path))$"#

    /// The top-level domains that never name a public host.
    static let localDomains: Set<String> = ["localhost", "local", "internal"]

    private static let host = #"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"#
    private static let path = #"[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,99}(/[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,99}){0,9}"#
    private static let expression = try! NSRegularExpression(pattern: pattern)

    /// Throws INVALID_ARGUMENT naming `target_repository` unless `text` is an accepted address.
    static func validate(_ text: String) throws {
        guard !text.isEmpty, text.count <= 500 else { throw refused("must be 1-500 characters") }
        guard expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil else {
            throw refused("must be owner/name, https://host/path, ssh://host/path or git@host:path on a named public host, without credentials, other ports or other schemes")
        }
        let address = ["https://", "ssh://git@", "ssh://", "git@"].first { text.hasPrefix($0) }.map { text.dropFirst($0.count) }
        if let host = address?.prefix(while: { $0 != ":" && $0 != "/" }), let topLevel = host.split(separator: ".").last, localDomains.contains(String(topLevel)) {
            throw refused("the host \(host) is not a public name")
        }
    }

    private static func refused(_ reason: String) -> WireError {
        WireError.invalidArgument(field: "target_repository", reason)
    }
}
