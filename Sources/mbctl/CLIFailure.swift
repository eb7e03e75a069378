import Shared

/// Why a command stopped: the message printed on standard error and the exit status.
struct CLIFailure: Error, Sendable, CustomStringConvertible {
    /// The exit status.
    let status: ExitStatus
    /// What is printed (without the `error:` prefix).
    let message: String
    /// The server's error, when the API answered one.
    let wireError: WireError?

    /// A failure with a status and a message.
    init(_ status: ExitStatus, _ message: String, wireError: WireError? = nil) {
        self.status = status
        self.message = message
        self.wireError = wireError
    }

    /// A usage error: bad input that no request was made for.
    static func usage(_ message: String) -> CLIFailure {
        CLIFailure(.usage, message)
    }

    /// The API's error answer, shown with its code, HTTP status, message and details. UNAVAILABLE
    /// counts as unreachable: it is what a gateway answers for a service that is down.
    static func api(_ error: WireError) -> CLIFailure {
        var lines = ["\(error.code.rawValue) (\(error.httpStatus)): \(error.message)"]
        for detail in error.details {
            lines.append("  " + (detail.field.map { "\($0): " } ?? "") + detail.reason)
        }
        if let retryAfter = error.retryAfter { lines.append("  retry after \(retryAfter) s") }
        return CLIFailure(error.code == .unavailable ? .unreachable : .apiError, lines.joined(separator: "\n"), wireError: error)
    }

    /// A service that could not be reached (connection refused, unresolvable, no answer in time).
    static func unreachable(_ service: Service, url: String, _ error: WireError) -> CLIFailure {
        CLIFailure(.unreachable, "cannot reach the \(service.rawValue)-service at \(url): \(error.message)", wireError: error)
    }

    var description: String { message }
}
