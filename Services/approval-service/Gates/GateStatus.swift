import Shared

/// Where a gate stands. Only `pending` is open; the others are final.
enum GateStatus: String, Sendable, CaseIterable, Codable, PostgresCodable {
    case pending, approved, rejected, expired

    var postgresText: String { rawValue }

    init(postgresText: String) throws {
        guard let status = GateStatus(rawValue: postgresText) else { throw PostgresDecodingError(type: "GateStatus") }
        self = status
    }
}
