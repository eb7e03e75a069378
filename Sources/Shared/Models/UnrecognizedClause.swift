/// A part of a free-text description the Product Architect could not use, and why — so that a
/// user can rewrite it or switch to the guided form.
public struct UnrecognizedClause: Codable, Sendable, Equatable {
    /// The sentence it stands in, counted from 1 in the order the architect read them.
    public var sentence: Int
    /// The clause's words as read (lowercased, punctuation normalised).
    public var text: String
    /// Why it was not used.
    public var reason: String

    /// Creates an entry.
    public init(sentence: Int, text: String, reason: String) {
        self.sentence = sentence
        self.text = text
        self.reason = reason
    }
}
