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
    /// The wire error, chosen for every SQLSTATE class: what a client can fix is INVALID_ARGUMENT,
    /// FAILED_PRECONDITION, ALREADY_EXISTS or PERMISSION_DENIED; what passes (conflicts, a server
    /// restarting or out of resources) is ABORTED or UNAVAILABLE with `Retry-After`; what only a
    /// code change fixes is INTERNAL. Messages never carry the server's text, which names
    /// relations, constraints and columns; the log has it.
    public var wireError: WireError {
        switch kind {
        case .deadlineExceeded:
            return WireError(.deadlineExceeded, "deadline exceeded while waiting for the database")
        case .cancelled:
            return WireError(.cancelled, "request cancelled")
        case .connection, .poolClosed:
            return Self.unavailable
        case .server(let state):
            return Self.wireError(sqlState: state)
        }
    }

    private static let unavailable = WireError(.unavailable, "database unavailable", retryAfter: 1)

    /// The wire error of a server error by its SQLSTATE (exact codes first, then the class).
    static func wireError(sqlState state: String) -> WireError {
        switch state {
        case "23505", "23P01": return WireError(.alreadyExists, "resource already exists")
        case "23503": return WireError(.failedPrecondition, "a referenced resource does not exist, or the resource is still referenced")
        case "23001": return WireError(.failedPrecondition, "the resource is still referenced")
        case "23502": return WireError(.invalidArgument, "a required value is missing")
        case "23514": return WireError(.invalidArgument, "a value breaks a rule of the data model")
        case "22001": return WireError(.invalidArgument, "a value is too long")
        case "22003": return WireError(.invalidArgument, "a number is out of range")
        case "22021": return WireError(.invalidArgument, "a value contains a character that cannot be stored")
        case "42501": return WireError(.permissionDenied, "the database refused the change for this tenant")
        case "57014": return WireError(.deadlineExceeded, "deadline exceeded while waiting for the database")
        case "55P03": return WireError(.aborted, "the resource is busy, retry", retryAfter: 1)
        case "25006": return unavailable
        default: break
        }
        switch state.prefix(2) {
        case "22": return WireError(.invalidArgument, "a value has an invalid format")
        case "40": return WireError(.aborted, "concurrent update, retry", retryAfter: 1)
        case "08", "53", "57", "58": return unavailable
        case "54": return WireError(.invalidArgument, "the request is too large or complex for the database")
        default: return WireError(.internal, "database error \(state)")
        }
    }
}
