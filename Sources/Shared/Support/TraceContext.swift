import Foundation

/// A W3C `traceparent`: version 00, 16-byte trace id, 8-byte parent span id, flags.
public struct TraceContext: Sendable, Equatable, CustomStringConvertible {
    /// 32 lowercase hex digits.
    public var traceID: String
    /// 16 lowercase hex digits: the span of the current hop.
    public var spanID: String
    /// Trace flags (01 = sampled).
    public var flags: String

    /// Parses a `traceparent` header value; nil when malformed (then a new trace starts).
    public init?(traceparent: String) {
        let parts = traceparent.trimmingCharacters(in: .whitespaces).lowercased().split(separator: "-")
        guard parts.count == 4, parts[0] == "00",
              parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
              parts.dropFirst().allSatisfy({ $0.allSatisfy(\.isHexDigit) }),
              parts[1] != String(repeating: "0", count: 32), parts[2] != String(repeating: "0", count: 16)
        else { return nil }
        traceID = String(parts[1])
        spanID = String(parts[2])
        flags = String(parts[3])
    }

    /// Creates a context from its parts.
    public init(traceID: String, spanID: String, flags: String = "01") {
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flags
    }

    /// A new trace.
    public static func random() -> TraceContext {
        TraceContext(traceID: RandomHex.bytes(16), spanID: RandomHex.bytes(8))
    }

    /// The same trace with a new span id, for an outgoing call.
    public func child() -> TraceContext {
        TraceContext(traceID: traceID, spanID: RandomHex.bytes(8), flags: flags)
    }

    /// The header value.
    public var traceparent: String { "00-\(traceID)-\(spanID)-\(flags)" }

    public var description: String { traceparent }
}
