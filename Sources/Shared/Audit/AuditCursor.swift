import Foundation

/// Where a page of the audit trail ends: the last record's `(at, id)` in newest-first order,
/// bound to the filters it was made under. The next page holds the records strictly older.
/// As a token it is opaque to clients; one made under other filters, or edited, is refused.
public struct AuditCursor: Sendable, Equatable {
    /// The last record's time, as the feeds write it (RFC 3339 UTC with microseconds).
    public let at: String
    /// The last record's id (lower-case UUID; the tie-breaker).
    public let id: String

    /// Creates a cursor after a record's `(at, id)`.
    public init(at: String, id: String) {
        self.at = at
        self.id = id
    }

    /// The token sent to clients: the cursor and a digest of the filters it belongs to.
    public func encoded(filters: String) -> String {
        Data("\(at)|\(id)|\(Self.seal(at: at, id: id, filters: filters))".utf8).base64URLEncoded
    }

    /// Parses a token made by `encoded(filters:)` under the same `filters`; INVALID_ARGUMENT naming
    /// `page_token` otherwise.
    public init(token: String, filters: String) throws {
        guard let data = Data(base64URLEncoded: token) else { throw Self.foreign }
        let parts = String(decoding: data, as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, (try? Date(postgresText: parts[0])) != nil, let id = UUID(text: parts[1]), id.lowercaseText == parts[1] else {
            throw Self.foreign
        }
        guard parts[2] == Self.seal(at: parts[0], id: parts[1], filters: filters) else {
            throw WireError.invalidArgument(field: "page_token", "belongs to a list with other filters, or was altered")
        }
        self.init(at: parts[0], id: parts[1])
    }

    private static func seal(at: String, id: String, filters: String) -> String {
        String(Digest.sha256Hex(Data("\(at)|\(id)|\(filters)".utf8)).prefix(16))
    }

    private static let foreign = WireError.invalidArgument(field: "page_token", "is not a token returned by this list")
}
