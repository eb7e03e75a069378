import Foundation
import Shared

/// The time window `GET /analytics` covers: runs created at or after `from` and before `to`.
/// Without `from`/`to` it is the last 30 days up to now; bounds are RFC 3339 query values.
struct AnalyticsWindow: Sendable, Encodable {
    /// The first instant counted.
    let from: Date
    /// The first instant no longer counted.
    let to: Date

    /// The window when the request names no `from`.
    static let defaultLength: TimeInterval = 30 * 86_400
    /// The longest window a request may ask for.
    static let maximumLength: TimeInterval = 366 * 86_400

    /// A window from explicit bounds; INVALID_ARGUMENT naming `from` when it is not before `to`
    /// or the window is longer than `maximumLength`.
    init(from: Date, to: Date) throws {
        guard from < to else { throw WireError.invalidArgument(field: "from", "must be earlier than 'to' (now when 'to' is not given)") }
        guard to.timeIntervalSince(from) <= Self.maximumLength else {
            throw WireError.invalidArgument(field: "from", "the window may span at most 366 days")
        }
        self.from = from
        self.to = to
    }

    /// The window of a request's `from` and `to` query values (each optional, RFC 3339): `to`
    /// defaults to `now` (in whole seconds), `from` to 30 days before `to`. INVALID_ARGUMENT
    /// naming the field for a malformed value, a `from` not before `to`, or a window too long.
    init(from rawFrom: String?, to rawTo: String?, now: Date = Date()) throws {
        let to = try rawTo.map { try RFC3339.parse($0, field: "to") } ?? Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let from = try rawFrom.map { try RFC3339.parse($0, field: "from") } ?? to.addingTimeInterval(-Self.defaultLength)
        try self.init(from: from, to: to)
    }

    private enum CodingKeys: String, CodingKey {
        case from, to
    }

    /// Writes the bounds as RFC 3339 UTC: whole seconds, or milliseconds when a bound has a fraction.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.text(from), forKey: .from)
        try container.encode(Self.text(to), forKey: .to)
    }

    private static func text(_ date: Date) -> String {
        let whole = date.timeIntervalSince1970.rounded(.down) == date.timeIntervalSince1970
        return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: !whole))
    }
}
