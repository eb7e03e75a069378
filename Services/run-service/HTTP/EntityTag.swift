import Foundation

/// The strong entity tag of a content-addressed download (its sha256, quoted) and the
/// `If-None-Match` test of RFC 9110 §13.1.2 (weak comparison: `W/"x"` matches `"x"`; `*`
/// matches any current representation).
struct EntityTag: Sendable, Equatable {
    /// The opaque tag, without quotes.
    let value: String

    /// The header form: `"<value>"`.
    var header: String { "\"\(value)\"" }

    /// Whether `If-None-Match` values name this tag (so the answer is 304 Not Modified).
    func isMatched(byIfNoneMatch values: [String]) -> Bool {
        values.flatMap { $0.split(separator: ",") }.contains { candidate in
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            return tag == header
        }
    }
}
