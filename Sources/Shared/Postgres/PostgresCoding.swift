import Foundation

/// A value that can be bound as a parameter in Postgres text format.
public protocol PostgresEncodable: Sendable {
    /// The value in Postgres' text input format.
    var postgresText: String { get }
}

/// A value that can be read from a column in Postgres text output format.
public protocol PostgresDecodable {
    /// Parses the column text; throws when it is not of this type.
    init(postgresText: String) throws
}

/// Both directions.
public typealias PostgresCodable = PostgresEncodable & PostgresDecodable

/// A column whose text did not parse as the requested type.
public struct PostgresDecodingError: Error, CustomStringConvertible {
    /// The Swift type requested.
    public let type: String
    /// The column name, once known.
    public var column: String?

    /// Creates an error.
    public init(type: String, column: String? = nil) {
        self.type = type
        self.column = column
    }

    public var description: String { "column \(column ?? "?") is not a \(type)" }
}

extension String: PostgresCodable {
    public var postgresText: String { self }
    public init(postgresText: String) { self = postgresText }
}

extension Int: PostgresCodable {
    public var postgresText: String { String(self) }
    public init(postgresText: String) throws {
        guard let value = Int(postgresText) else { throw PostgresDecodingError(type: "Int") }
        self = value
    }
}

extension Int64: PostgresCodable {
    public var postgresText: String { String(self) }
    public init(postgresText: String) throws {
        guard let value = Int64(postgresText) else { throw PostgresDecodingError(type: "Int64") }
        self = value
    }
}

extension Double: PostgresCodable {
    public var postgresText: String { String(self) }
    public init(postgresText: String) throws {
        guard let value = Double(postgresText) else { throw PostgresDecodingError(type: "Double") }
        self = value
    }
}

extension Bool: PostgresCodable {
    public var postgresText: String { self ? "t" : "f" }
    public init(postgresText: String) throws {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw PostgresDecodingError(type: "Bool")
        }
    }
}

extension UUID: PostgresCodable {
    public var postgresText: String { lowercaseText }
    public init(postgresText: String) throws {
        guard let value = UUID(text: postgresText) else { throw PostgresDecodingError(type: "UUID") }
        self = value
    }
}

extension Date: PostgresCodable {
    /// RFC 3339 with microseconds in UTC, which `timestamptz` accepts.
    public var postgresText: String { PostgresTimestamp.format(self) }
    public init(postgresText: String) throws {
        guard let value = PostgresTimestamp.parse(postgresText) else { throw PostgresDecodingError(type: "Date") }
        self = value
    }
}

extension Data: PostgresCodable {
    /// `bytea` hex format.
    public var postgresText: String { "\\x" + Hex.encode(self) }
    public init(postgresText: String) throws {
        guard postgresText.hasPrefix("\\x") else { throw PostgresDecodingError(type: "Data") }
        var bytes = [UInt8]()
        var iterator = postgresText.utf8.dropFirst(2).makeIterator()
        while let high = iterator.next() {
            guard let low = iterator.next(), let h = Self.nibble(high), let l = Self.nibble(low) else {
                throw PostgresDecodingError(type: "Data")
            }
            bytes.append(h << 4 | l)
        }
        self = Data(bytes)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// A `json`/`jsonb` value bound or read as its JSON text.
public struct JSONText: PostgresCodable, Equatable {
    /// The JSON document.
    public var text: String

    /// Wraps JSON text.
    public init(_ text: String) { self.text = text }

    /// Encodes a value as JSON (sorted keys, so equal values give equal text).
    public init(encoding value: some Encodable) throws {
        text = String(decoding: try Self.encoder.encode(value), as: UTF8.self)
    }

    /// Decodes the JSON into a value.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if type == JSONValue.self { return try JSONValue(parsing: Data(text.utf8)) as! T }
        return try Self.decoder.decode(type, from: Data(text.utf8))
    }

    /// Configured once; encoding and decoding do not change them, so they are shared.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    public var postgresText: String { text }
    public init(postgresText: String) { text = postgresText }
}
