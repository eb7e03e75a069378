import Foundation

/// Which part of a tenant's audit trail to read, the same on every service's feed and on
/// `GET /audit`: exact `resource_type`, `resource_id`, `actor` and `action`, a time window
/// (`since` inclusive, `until` exclusive, RFC 3339), a page size and the cursor of the
/// page before (`page_token`).
public struct AuditQuery: Sendable, Equatable {
    /// Only records of this kind of resource.
    public var resourceType: String?
    /// Only records of this resource id.
    public var resourceID: String?
    /// Only records of this actor (as stored).
    public var actor: String?
    /// Only records of this action.
    public var action: String?
    /// Only records made at or after this instant (RFC 3339 text, as given).
    public var since: String?
    /// Only records made before this instant (RFC 3339 text, as given).
    public var until: String?
    /// How many records a page holds.
    public var pageSize: Int
    /// Only records after this cursor (older ones).
    public var after: AuditCursor?

    /// Creates a query.
    public init(resourceType: String? = nil, resourceID: String? = nil, actor: String? = nil, action: String? = nil, since: String? = nil, until: String? = nil, pageSize: Int, after: AuditCursor? = nil) {
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.actor = actor
        self.action = action
        self.since = since
        self.until = until
        self.pageSize = pageSize
        self.after = after
    }

    /// Reads the query parameters `parameter` looks up; INVALID_ARGUMENT naming the first bad one.
    /// `page_size` must lie in `pageSizes` (`defaultPageSize` without one).
    public init(parameter: (String) -> String?, pageSizes: ClosedRange<Int>, defaultPageSize: Int) throws {
        func text(_ name: String) throws -> String? {
            guard let value = parameter(name) else { return nil }
            guard (1...200).contains(value.count), !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw WireError.invalidArgument(field: name, "must be 1-200 characters without control characters")
            }
            return value
        }
        func instant(_ name: String) throws -> (text: String, date: Date)? {
            try parameter(name).map { ($0, try RFC3339.parse($0, field: name)) }
        }
        let since = try instant("since"), until = try instant("until")
        if let since, let until, since.date >= until.date {
            throw WireError.invalidArgument(field: "until", "must be later than since")
        }
        var pageSize = defaultPageSize
        if let raw = parameter("page_size") {
            guard let size = Int(raw), pageSizes.contains(size) else {
                throw WireError.invalidArgument(field: "page_size", "must be an integer from \(pageSizes.lowerBound) to \(pageSizes.upperBound)")
            }
            pageSize = size
        }
        self.init(
            resourceType: try text("resource_type"), resourceID: try text("resource_id"), actor: try text("actor"), action: try text("action"),
            since: since?.text, until: until?.text, pageSize: pageSize
        )
        after = try parameter("page_token").map { try AuditCursor(token: $0, filters: filters) }
    }

    /// The filters in one canonical string (values hold no control characters, so a line each
    /// is unambiguous): what a page token is bound to.
    public var filters: String {
        parameters(includingPage: false).map { "\($0.0)=\($0.1)" }.joined(separator: "\n")
    }

    /// The query as URL query text (percent-encoded), for a feed's `GET /internal/v1/audit`.
    public var queryString: String {
        parameters(includingPage: true).map { "\($0.0)=\(Self.percentEncoded($0.1))" }.joined(separator: "&")
    }

    /// The token of the page after `record` under these filters.
    public func token(after record: AuditRecord) -> String {
        record.cursor.encoded(filters: filters)
    }

    /// The `WHERE` conditions (each starting with ` AND `) selecting the query's records of `audit_log`.
    public var condition: SQL {
        var sql: SQL = ""
        if let resourceType { sql.append(" AND resource_type = \(resourceType)") }
        if let resourceID { sql.append(" AND resource_id = \(resourceID)") }
        if let actor { sql.append(" AND actor = \(actor)") }
        if let action { sql.append(" AND action = \(action)") }
        if let since { sql.append(" AND created_at >= \(since)::timestamptz") }
        if let until { sql.append(" AND created_at < \(until)::timestamptz") }
        if let after { sql.append(" AND (created_at, id) < (\(after.at)::timestamptz, \(after.id)::uuid)") }
        return sql
    }

    private func parameters(includingPage: Bool) -> [(String, String)] {
        var parameters: [(String, String?)] = [
            ("resource_type", resourceType), ("resource_id", resourceID), ("actor", actor), ("action", action), ("since", since), ("until", until),
        ]
        if includingPage {
            parameters.append(("page_size", String(pageSize)))
            parameters.append(("page_token", after?.encoded(filters: filters)))
        }
        return parameters.compactMap { name, value in value.map { (name, $0) } }
    }

    private static func percentEncoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
