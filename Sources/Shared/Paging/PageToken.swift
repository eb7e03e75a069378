import Foundation

/// An opaque keyset cursor for lists ordered newest first: the last row's `(created_at, id)`.
public struct PageToken: Sendable, Equatable {
    /// Creation time of the last row on the previous page.
    public let createdAt: Date
    /// Id of that row (tie-breaker).
    public let id: UUID

    /// Creates a token.
    public init(createdAt: Date, id: UUID) {
        self.createdAt = createdAt
        self.id = id
    }

    /// The token as sent to clients.
    public var encoded: String {
        Data("\(createdAt.postgresText)|\(id.postgresText)".utf8).base64URLEncoded
    }

    /// Parses a client's token; INVALID_ARGUMENT naming `page_token` when it is not ours.
    public init(encoded: String) throws {
        guard let data = Data(base64URLEncoded: encoded),
              let parts = Optional(String(decoding: data, as: UTF8.self).split(separator: "|")), parts.count == 2,
              let date = try? Date(postgresText: String(parts[0])), let id = UUID(text: String(parts[1]))
        else { throw WireError.invalidArgument(field: "page_token", "is not a token returned by this list") }
        self.init(createdAt: date, id: id)
    }

    /// Splits `pageSize + 1` fetched rows into the page and the token of the next one (nil on the last page).
    public static func page<Row>(_ rows: [Row], size pageSize: Int, token: (Row) -> PageToken) -> (rows: [Row], next: String?) {
        let page = Array(rows.prefix(pageSize))
        return (page, rows.count > pageSize ? page.last.map { token($0).encoded } : nil)
    }

    /// The keyset condition selecting rows after this token (newest-first order).
    public var condition: SQL {
        " AND (created_at, id) < (\(createdAt)::timestamptz, \(id)::uuid)"
    }

    /// Reads `page_size` (1–100, default 20) from a query value.
    public static func pageSize(_ raw: String?) throws -> Int {
        guard let raw else { return 20 }
        guard let size = Int(raw), (1...100).contains(size) else {
            throw WireError.invalidArgument(field: "page_size", "must be an integer from 1 to 100")
        }
        return size
    }
}
