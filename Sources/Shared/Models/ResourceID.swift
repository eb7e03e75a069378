import Foundation

/// A resource id on the wire: a UUID written in lowercase (Foundation would write uppercase),
/// the same form the events, logs and database use.
public struct ResourceID: Hashable, Sendable, Codable, PostgresCodable, CustomStringConvertible {
    /// The UUID.
    public let uuid: UUID

    /// Wraps a UUID.
    public init(_ uuid: UUID = UUID()) {
        self.uuid = uuid
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let uuid = UUID(text: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a UUID"))
        }
        self.uuid = uuid
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var description: String { uuid.lowercaseText }
    public var postgresText: String { description }
    public init(postgresText: String) throws { self.uuid = try UUID(postgresText: postgresText) }
}
