import Foundation

/// Removes PII and credentials from text before it is logged or published: e-mail addresses,
/// phone numbers, bearer tokens and JWTs, and passwords in connection URLs.
public enum Redactor {
    private static let rules: [(NSRegularExpression, String)] = [
        (#"(?i)bearer\s+[A-Za-z0-9\-._~+/]+=*"#, "Bearer [REDACTED]"),
        (#"eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*"#, "[REDACTED_JWT]"),
        (#"([a-z][a-z0-9+.\-]*://[^:/\s@]+:)[^@\s]+@"#, "$1[REDACTED]@"),
        (#"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"#, "[REDACTED_EMAIL]"),
        (#"(?<![\w.\-+])\+?\d{1,3}?[\s.\-]?\(?\d{2,4}\)?[\s.\-]?\d{3,4}[\s.\-]?\d{3,4}(?![\w.\-])"#, "[REDACTED_PHONE]"),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }

    /// The text with every match replaced.
    public static func redact(_ text: String) -> String {
        guard text.contains(where: { $0 == "@" || $0.isNumber || $0 == "." }) else { return text }
        var result = text
        for (pattern, template) in rules {
            result = pattern.stringByReplacingMatches(in: result, range: NSRange(result.startIndex..., in: result), withTemplate: template)
        }
        return result
    }
}
