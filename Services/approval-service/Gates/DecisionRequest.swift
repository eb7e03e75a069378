import Foundation
import Shared

/// The body of `POST /runs/{id}/approve` and `POST /runs/{id}/reject`: `{"comment": "…"}`,
/// optional to approve (an empty body is `{}`), required to reject; at most 2000 characters.
struct DecisionRequest: Decodable, Sendable {
    var comment: String?

    /// The most a comment may hold.
    static let maxCommentLength = 2000

    /// The keys a body may carry.
    static let shape: JSONShape = .object(["comment": .scalar])

    /// Decodes strictly (unknown fields and control characters are refused, naming the field)
    /// and validates for `decision`; returns the trimmed comment (nil when none) and the body
    /// as JSON, for the idempotency hash.
    static func parse(_ data: Data, for decision: Decision) throws -> (comment: String?, raw: JSONValue) {
        let isBlank = data.allSatisfy { [0x20, 0x09, 0x0A, 0x0D].contains($0) }
        let body = isBlank ? Data("{}".utf8) : data
        let raw = try WireJSONDecoder.decode(JSONValue.self, from: body)
        guard case .object = raw else { throw WireError(.invalidArgument, "request body must be a JSON object") }
        try shape.check(raw)
        let request = try WireJSONDecoder.decode(DecisionRequest.self, from: body)
        return (try validated(request.comment, for: decision), raw)
    }

    /// The comment of the review page's form, checked as a body's is (control characters are
    /// refused by the same shape), trimmed and validated for `decision`.
    static func parse(formComment raw: String?, for decision: Decision) throws -> String? {
        if let raw { try shape.check(.object(["comment": .string(raw)])) }
        return try validated(raw, for: decision)
    }

    /// The comment trimmed (nil when blank), or INVALID_ARGUMENT naming `comment` when it is too
    /// long or missing from a rejection.
    private static func validated(_ raw: String?, for decision: Decision) throws -> String? {
        let comment = raw?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let comment, comment.count > maxCommentLength {
            throw WireError.invalidArgument(field: "comment", "must be at most \(maxCommentLength) characters")
        }
        if decision == .reject, comment?.isEmpty ?? true {
            throw WireError.invalidArgument(field: "comment", "is required to reject: say why")
        }
        return comment?.isEmpty == true ? nil : comment
    }
}
