import Foundation
import Shared

/// A gate rendered as JSON by Postgres (`GateView`), with the keys of the list order.
struct GateRow: PostgresRowDecodable, Sendable {
    /// The gate's JSON text.
    let json: String
    /// Whether it is pending (pending gates list first).
    let pending: Bool
    /// Its creation time.
    let createdAt: Date
    /// Its id (the tie-breaker).
    let id: UUID

    init(row: PostgresRow) throws {
        json = try row.decode("json")
        pending = try row.decode("pending", as: Int.self) == 1
        createdAt = try row.decode("created_at")
        id = try row.decode("id")
    }

    /// The cursor of the page after this row.
    var cursor: GateListCursor { GateListCursor(pending: pending, createdAt: createdAt, id: id) }
}
