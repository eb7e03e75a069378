/// One result row, decoded column by column into typed values.
public struct PostgresRow: Sendable {
    /// Column names in result order.
    public let columns: [String]
    /// Column texts in result order (nil is NULL).
    public let values: [String?]

    /// Creates a row (used by the connection and by tests).
    public init(columns: [String], values: [String?]) {
        self.columns = columns
        self.values = values
    }

    /// The value of a non-null column.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let text = try rawValue(column) else {
            throw PostgresDecodingError(type: "\(T.self) (got NULL)", column: column)
        }
        return try parse(text, column: column)
    }

    /// The value of a nullable column.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T?.Type = T?.self) throws -> T? {
        guard let text = try rawValue(column) else { return nil }
        return try parse(text, column: column) as T
    }

    private func rawValue(_ column: String) throws -> String? {
        guard let index = columns.firstIndex(of: column) else {
            throw PostgresDecodingError(type: "known column", column: column)
        }
        return values[index]
    }

    private func parse<T: PostgresDecodable>(_ text: String, column: String) throws -> T {
        do {
            return try T(postgresText: text)
        } catch var error as PostgresDecodingError {
            error.column = column
            throw error
        }
    }
}

/// A type built from one result row.
public protocol PostgresRowDecodable {
    /// Decodes the row.
    init(row: PostgresRow) throws
}
