import Foundation

/// The CloudEvents 1.0 JSON envelope of every event on the bus.
public struct CloudEvent: Codable, Sendable, Equatable {
    /// Always `1.0`.
    public var specversion: String
    /// Unique per event; consumers deduplicate on it.
    public var id: UUID
    /// The emitting service, e.g. `/meta-builder/spec-service`.
    public var source: String
    /// The event type, e.g. `spec.created`.
    public var type: String
    /// The resource the event is about, e.g. `specs/<id>`.
    public var subject: String?
    /// When the state change happened (RFC 3339 UTC).
    public var time: Date
    /// The tenant (extension attribute).
    public var tenantid: String?
    /// The W3C trace context of the request that caused it (extension attribute).
    public var traceparent: String?
    /// Always `application/json`.
    public var datacontenttype: String
    /// The payload: ids and states, never PII.
    public var data: JSONValue

    /// Creates an event, taking the trace from the current request scope.
    public init(
        id: UUID = UUID(),
        source: String,
        type: String,
        subject: String? = nil,
        time: Date = Date(),
        tenantID: UUID?,
        traceparent: String? = RequestScope.current?.trace.traceparent,
        data: JSONValue
    ) {
        self.specversion = "1.0"
        self.id = id
        self.source = source
        self.type = type
        self.subject = subject
        self.time = time
        self.tenantid = tenantID?.lowercaseText
        self.traceparent = traceparent
        self.datacontenttype = "application/json"
        self.data = data
    }

    /// The Redis channel events of a type are published on.
    public static func channel(for type: String) -> String { "meta-builder.events.\(type)" }

    /// The envelope as JSON text.
    public func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Parses an envelope.
    public static func decode(_ text: String) throws -> CloudEvent {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(CloudEvent.self, from: Data(text.utf8))
    }
}
