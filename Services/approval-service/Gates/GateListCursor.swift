import Foundation
import Shared

/// An opaque keyset cursor for the gate list, ordered pending first, then newest (ties by id):
/// the last row's `(pending, created_at, id)`. A gate decided while a client pages moves to the
/// decided part of the order, so it may be seen twice or not at all — as in any keyset over a
/// changing key.
struct GateListCursor: Sendable, Equatable {
    let pending: Bool
    let createdAt: Date
    let id: UUID

    /// The cursor as sent to clients.
    var encoded: String {
        Data("\(pending ? 1 : 0)|\(createdAt.postgresText)|\(id.postgresText)".utf8).base64URLEncoded
    }

    /// Creates a cursor.
    init(pending: Bool, createdAt: Date, id: UUID) {
        self.pending = pending
        self.createdAt = createdAt
        self.id = id
    }

    /// Parses a client's token; INVALID_ARGUMENT naming `page_token` when it is not ours.
    init(encoded: String) throws {
        guard let data = Data(base64URLEncoded: encoded) else { throw Self.foreign }
        let parts = String(decoding: data, as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "0" || parts[0] == "1",
              let date = try? Date(postgresText: String(parts[1])), let id = UUID(text: String(parts[2]))
        else { throw Self.foreign }
        self.init(pending: parts[0] == "1", createdAt: date, id: id)
    }

    /// The keyset condition selecting the rows after this cursor.
    var condition: SQL {
        " AND ((status = 'pending')::int, created_at, id) < (\(pending ? 1 : 0)::int, \(createdAt)::timestamptz, \(id)::uuid)"
    }

    private static let foreign = WireError.invalidArgument(field: "page_token", "is not a token returned by this list")
}
