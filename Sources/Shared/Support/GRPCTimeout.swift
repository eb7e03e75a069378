/// Parses and formats the `Grpc-Timeout` header: 1–8 digits then a unit (H, M, S, m, u, n).
public enum GRPCTimeout {
    /// The header name.
    public static let headerName = "Grpc-Timeout"

    /// The duration the header value encodes, or nil when malformed.
    public static func parse(_ value: String) -> Duration? {
        guard let unit = value.last, value.count >= 2, value.count <= 9 else { return nil }
        let digits = value.dropLast()
        guard digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let amount = Int64(digits) else { return nil }
        switch unit {
        case "H": return .seconds(amount * 3600)
        case "M": return .seconds(amount * 60)
        case "S": return .seconds(amount)
        case "m": return .milliseconds(amount)
        case "u": return .microseconds(amount)
        case "n": return .nanoseconds(amount)
        default: return nil
        }
    }

    /// The header value for a remaining time, in milliseconds (at most 8 digits).
    public static func format(milliseconds: Int) -> String {
        let clamped = max(0, min(milliseconds, 99_999_999))
        return "\(clamped)m"
    }
}
