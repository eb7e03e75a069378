/// One token of a description: a lowercase word, a punctuation mark, or a parenthesised group.
/// `position` counts tokens across the whole description, so mentions can be ordered.
enum DescriptionToken: Equatable, Sendable {
    case word(String, position: Int)
    case mark(Character, position: Int)
    case group([DescriptionToken], position: Int)

    /// The word, if the token is one.
    var word: String? {
        if case .word(let word, _) = self { return word }
        return nil
    }

    /// The mark, if the token is one.
    var mark: Character? {
        if case .mark(let mark, _) = self { return mark }
        return nil
    }

    /// The group's tokens, if the token is a group.
    var groupTokens: [DescriptionToken]? {
        if case .group(let tokens, _) = self { return tokens }
        return nil
    }

    /// Where the token stands in the description.
    var position: Int {
        switch self {
        case .word(_, let position), .mark(_, let position), .group(_, let position): position
        }
    }

    /// Whether the token separates items of a list: `,` `/` `|` `and` `or` `plus`.
    var isListSeparator: Bool {
        if let mark { return mark == "," || mark == "/" || mark == "|" }
        if let word { return word == "and" || word == "or" || word == "plus" }
        return false
    }

    /// Whether the token ends a clause's subject when looking back from a verb.
    var isClauseBoundary: Bool {
        if let mark { return mark == "," || mark == ":" }
        if let word { return ArchitectLexicon.boundaries.contains(word) || ArchitectLexicon.relatives.contains(word) }
        return false
    }
}

extension Array where Element == DescriptionToken {
    /// The words of the tokens, groups flattened, marks left out.
    var words: [String] {
        flatMap { token -> [String] in
            if let word = token.word { return [word] }
            if let group = token.groupTokens { return group.words }
            return []
        }
    }
}
