import Foundation

/// A RESP2 reply, copied out of hiredis-owned memory.
public enum RedisValue: Sendable, Equatable {
    /// A simple status such as `OK`.
    case status(String)
    /// A bulk string (binary-safe).
    case bulk(Data)
    /// An integer.
    case integer(Int)
    /// An array of replies.
    case array([RedisValue])
    /// The nil reply.
    case null
    /// An error reply from the server.
    case error(String)

    /// The value as text, for bulk and status replies.
    public var string: String? {
        switch self {
        case .bulk(let data): String(decoding: data, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// The value as an integer, for integer replies.
    public var integer: Int? {
        if case .integer(let value) = self { return value }
        return nil
    }
}
