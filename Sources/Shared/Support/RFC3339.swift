import Foundation

/// RFC 3339 timestamps in query values (`created_after`, `from`, …).
public enum RFC3339 {
    /// The instant `raw` names, with or without fractional seconds, or INVALID_ARGUMENT naming
    /// `field`.
    public static func parse(_ raw: String, field: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: raw) { return date }
        formatter.formatOptions.insert(.withFractionalSeconds)
        guard let date = formatter.date(from: raw) else {
            throw WireError.invalidArgument(field: field, "must be an RFC 3339 timestamp, e.g. 2026-01-31T12:00:00Z")
        }
        return date
    }
}
