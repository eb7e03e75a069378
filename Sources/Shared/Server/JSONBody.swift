import Foundation
import Hummingbird

/// A response whose body is JSON text already — rendered by Postgres (`json_build_object`) for
/// reads, so the row is neither decoded into a model nor encoded again on the request path.
public struct JSONBody: ResponseGenerator, Sendable {
    /// The JSON document.
    public let text: String
    /// The HTTP status.
    public let status: HTTPResponse.Status

    /// Wraps JSON text.
    public init(_ text: String, status: HTTPResponse.Status = .ok) {
        self.text = text
        self.status = status
    }

    /// A list page, `{"<key>":[…],"next_page_token":"…"}` (no token on the last page), from
    /// rendered items.
    public static func page(_ key: String, items: [String], nextPageToken: String?) -> JSONBody {
        var text = "{\"\(key)\":["
        text.reserveCapacity(items.reduce(32 + key.utf8.count) { $0 + $1.utf8.count + 1 })
        for (index, item) in items.enumerated() {
            if index > 0 { text += "," }
            text += item
        }
        text += "]"
        // Tokens are base64url: nothing in them needs escaping.
        if let nextPageToken { text += ",\"next_page_token\":\"\(nextPageToken)\"" }
        text += "}"
        return JSONBody(text)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// A row rendered as JSON by Postgres, with the keyset of its list order: select
/// `<json expression> AS json, created_at, id`.
public struct RenderedRow: PostgresRowDecodable, Sendable {
    /// The row's JSON text.
    public let json: String
    /// Its creation time (the list order and page token).
    public let createdAt: Date
    /// Its id (the tie-breaker).
    public let id: UUID

    public init(row: PostgresRow) throws {
        json = try row.decode("json")
        createdAt = try row.decode("created_at")
        id = try row.decode("id")
    }

    /// The page token after this row.
    public var pageToken: PageToken { PageToken(createdAt: createdAt, id: id) }

    /// The SQL expression that renders a `timestamptz` column as the API writes times:
    /// RFC 3339 in UTC, whole seconds (as `JSONEncoder`'s `.iso8601`).
    public static func timestamp(_ column: String) -> SQL {
        "to_char(\(unsafeSQL: column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    }
}
