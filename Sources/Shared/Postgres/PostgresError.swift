/// A failure reported by libpq or the server. Its description carries the SQLSTATE and the
/// server's primary message only: never the statement's parameters.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, by kind.
    public enum Kind: Sendable, Equatable {
        /// The server rejected the statement (SQLSTATE given).
        case server(sqlState: String)
        /// The connection is gone or could not be made.
        case connection
        /// The statement was cancelled because the deadline passed.
        case deadlineExceeded
        /// The statement was cancelled because the calling task was.
        case cancelled
        /// The pool is shutting down.
        case poolClosed
    }

    /// The kind of failure.
    public let kind: Kind
    /// The server's or libpq's primary message.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The SQLSTATE, for server errors.
    public var sqlState: String? {
        if case .server(let state) = kind { return state }
        return nil
    }

    public var description: String {
        switch kind {
        case .server(let state): "postgres error \(state): \(message)"
        case .connection: "postgres connection error: \(message)"
        case .deadlineExceeded: "postgres statement cancelled: deadline exceeded"
        case .cancelled: "postgres statement cancelled"
        case .poolClosed: "postgres pool is closed"
        }
    }
}

extension PostgresError: WireErrorConvertible {
    public var wireError: WireError {
        switch kind {
        case .deadlineExceeded:
            return WireError(.deadlineExceeded, "deadline exceeded while waiting for the database")
        case .cancelled:
            return WireError(.cancelled, "request cancelled")
        case .connection, .poolClosed:
            return WireError(.unavailable, "database unavailable", retryAfter: 1)
        case .server(let state):
            switch state {
            case "23505": return WireError(.alreadyExists, "resource already exists")
            case "23503": return WireError(.failedPrecondition, "referenced resource does not exist")
            case "23502", "23514", "22P02", "22001", "22003", "22007", "22008", "22021", "22P05":
                return WireError(.invalidArgument, "value rejected by the database: \(message)")
            case "40001", "40P01": return WireError(.aborted, "concurrent update, retry", retryAfter: 1)
            case "57014": return WireError(.deadlineExceeded, "deadline exceeded while waiting for the database")
            case "57P01", "57P02", "57P03", "53300":
                return WireError(.unavailable, "database unavailable", retryAfter: 1)
            default:
                if state.hasPrefix("08") { return WireError(.unavailable, "database unavailable", retryAfter: 1) }
                return WireError(.internal, "database error \(state)")
            }
        }
    }
}
