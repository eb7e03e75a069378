/// A Redis failure: connection lost, timeout, or an error reply.
public struct RedisError: Error, Sendable, CustomStringConvertible {
    /// True when the connection failed (as opposed to a server error reply).
    public let isConnectionError: Bool
    /// What happened.
    public let message: String

    /// Creates an error.
    public init(isConnectionError: Bool, _ message: String) {
        self.isConnectionError = isConnectionError
        self.message = message
    }

    /// True when the server had closed the connection (EOF, reset, broken pipe).
    var isPeerClosed: Bool {
        isConnectionError && ["closed the connection", "reset by peer", "broken pipe", "eof"].contains { message.lowercased().contains($0) }
    }

    public var description: String { "redis \(isConnectionError ? "connection " : "")error: \(message)" }
}

extension RedisError: WireErrorConvertible {
    public var wireError: WireError {
        isConnectionError
            ? WireError(.unavailable, "event bus unavailable", retryAfter: 1)
            : WireError(.internal, "event bus error")
    }
}
