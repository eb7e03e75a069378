/// One item of a list in a description: "a stage (lead, qualified, won, lost)", "many tags",
/// "a required email", "status: open, closed".
struct NounPhrase: Sendable, Equatable {
    /// How many things the phrase names.
    enum Quantity: Sendable, Equatable {
        /// "a company", "one owner".
        case one
        /// "many tags", "a list of notes".
        case many
        /// No article or quantifier.
        case unspecified
    }

    /// The words, without determiners, quantifiers and flags.
    var words: [String]
    /// How many.
    var quantity: Quantity
    /// `true` for "required"/"mandatory", `false` for "optional", nil when unsaid.
    var required: Bool?
    /// Whether "unique" was said.
    var unique: Bool
    /// Whether "sensitive"/"pii"/"confidential"/"private" was said.
    var personal: Bool
    /// The parenthesised group after the phrase, if any.
    var group: [DescriptionToken]?
    /// Values listed after a colon ("status: open, pending, closed").
    var values: [String]?
    /// Where the phrase starts in the description.
    var position: Int
    /// The unit of measure written after the phrase ("weight in kg" → `kg`), if any.
    var unit: String?

    /// Quantifiers that are nouns too: a quantifier only before "of" ("a list of notes", not "a
    /// collection day").
    static let nounsOfCollections: Set<String> = ["list", "set", "collection", "lot"]
    /// Nouns of a record kept over time that, before "of", say there are many of what follows ("a
    /// history of grooming notes", "a log of visits"); alone they are nouns ("a medical history").
    static let nounsOfHistories: Set<String> = ["history", "log", "record"]

    /// Whether the word at `index` says "many of what follows": a quantifier ("many", "lots"), or
    /// a noun of collections or histories before "of" ("a list of notes", "a history of visits").
    static func quantifiesMany(_ words: [String], at index: Int) -> Bool {
        let word = words[index]
        if ArchitectLexicon.collectionWords.contains(word), !nounsOfCollections.contains(word) { return true }
        return index + 1 < words.count && words[index + 1] == "of" && nounsOfCollections.union(nounsOfHistories).contains(word)
    }

    /// Words that make a field required.
    static let requiredWords: Set<String> = ["required", "mandatory", "compulsory", "obligatory"]
    /// Words that make a field optional.
    static let optionalWords: Set<String> = ["optional"]
    /// Words that make a field unique.
    static let uniqueWords: Set<String> = ["unique", "distinct"]
    /// Words that mark a field as personal data.
    static let personalWords: Set<String> = ["sensitive", "pii", "confidential", "personal", "private"]

    /// Prepositions dropped at the start of a phrase ("… and to a member").
    static let leadingPrepositions: Set<String> = ["of", "to", "by", "from", "with", "into", "onto"]

    /// Units that stay in a name ("a cooking time in minutes" → `cooking_time_minutes`).
    static let timeUnits: Set<String> = ["seconds", "minutes", "hours", "days", "weeks", "months", "years"]

    /// Words that start a verb phrase, not a noun phrase ("… and are closed by reps").
    static let verbLike: Set<String> = ["is", "are", "was", "were", "be", "been", "can", "will", "should", "must", "may", "do", "does", "get", "gets"]

    /// Whether values or a type hint follow the phrase ("a room (babies, toddlers or preschool)",
    /// "status: open, closed", "fragile (yes/no)") rather than fields: it is a field, not an entity.
    var hasValues: Bool {
        if values != nil { return true }
        guard let group else { return false }
        let parts = NounPhraseList.groupParts(group)
        return FieldTypeRules.hintedType(parts) != nil || parts.count >= 2 && !NounPhraseList.listsFields(parts)
    }

    /// Whether the last word is a plural noun.
    var isPlural: Bool {
        guard let last = words.last else { return false }
        return EnglishInflection.isPlural(last) && !(ArchitectLexicon.pluralFieldWords.contains(last) && words.count == 1) // "tasting notes" are things
    }

    /// Whether the phrase names many things: a quantifier, or a plural noun.
    var namesMany: Bool { quantity == .many || quantity != .one && isPlural }

    /// A phrase from tokens; nil when nothing meaningful is left.
    static func parse(_ tokens: [DescriptionToken]) -> NounPhrase? {
        guard let position = tokens.first?.position else { return nil }
        if let first = tokens.first?.word, verbLike.contains(first) { return nil }
        let group = tokens.first { $0.groupTokens != nil }?.groupTokens
        var words = tokens.compactMap(\.word)
        var quantity = Quantity.unspecified
        var required: Bool?
        var unique = false
        var personal = false
        words = words.filter { word in
            if requiredWords.contains(word) { required = true; return false }
            if optionalWords.contains(word) { required = false; return false }
            if uniqueWords.contains(word) { unique = true; return false }
            if personalWords.contains(word), words.count > 1 { personal = true; return false }
            return true
        }
        while let first = words.first {
            if ["from", "to"].contains(first), words.count == 2 { break }
            if ArchitectLexicon.singleWords.contains(first) {
                if quantity == .unspecified { quantity = .one }
            } else if Self.quantifiesMany(words, at: 0) {
                quantity = .many
                if words.count > 1, words[1] == "of" { words.removeFirst() }
            } else if ArchitectLexicon.numberWords.contains(first) || first.allSatisfy(\.isNumber), words.count > 1 {
                if quantity == .unspecified { quantity = .many }
            } else if !ArchitectLexicon.determiners.contains(first) && !leadingPrepositions.contains(first) {
                break
            }
            words.removeFirst()
        }
        var measureUnit: String?
        if words.count > 2, words[0].hasSuffix("ing"), ["a", "an", "the", "their", "its"].contains(words[1]) {
            words = Array(words.dropFirst(2))
        }
        if let relative = relativeWithoutThat(words) { words = Array(words[..<relative]) } // "the puzzle the hint was for"
        let isStop = { (index: Int) in
            ArchitectLexicon.phraseStops.contains(words[index]) && !(index + 1 < words.count && words[index] == "in" && ["at", "on"].contains(words[index + 1]))
        }
        if let stop = words.indices.dropFirst().first(where: isStop) {
            let unit = stop + 1 < words.count && words[stop] == "in" && timeUnits.contains(words[stop + 1]) ? [words[stop + 1]] : []
            if stop + 1 < words.count, ["in", "per"].contains(words[stop]), FieldTypeRules.measureUnits.contains(words[stop + 1]) || FieldTypeRules.wholeUnits.contains(words[stop + 1]) {
                measureUnit = words[stop + 1]
            }
            words = Array(words[..<stop]) + unit
        }
        while let last = words.last, ArchitectLexicon.determiners.contains(last) || last == "of" || last == "and" {
            words.removeLast()
        }
        guard !words.isEmpty else { return nil }
        return NounPhrase(words: words, quantity: quantity, required: required, unique: unique,
                          personal: personal, group: group, values: nil, position: position, unit: measureUnit)
    }

    /// Where a relative clause without "that" starts after a noun, if one does: an article, a noun
    /// of one or two words, then the clause's verb — "was"/"is" … with nothing or a preposition
    /// after it ("the puzzle the hint was for"), or a verb in -s before an object pronoun
    /// ("documents the client sends us"). The clause says which row, not what the field is.
    static func relativeWithoutThat(_ words: [String]) -> Int? {
        guard let article = words.indices.dropFirst().first(where: { ["the", "a", "an"].contains(words[$0]) }) else { return nil }
        let clause = Array(words[(article + 1)...])
        for verb in [1, 2] where verb < clause.count {
            let after = clause[(verb + 1)...]
            if ["is", "are", "was", "were"].contains(clause[verb]), after.count <= 1, after.allSatisfy(clausePrepositions.contains) { return article }
            if clause[verb].hasSuffix("s"), after.count == 1, after.allSatisfy(objectPronouns.contains) { return article }
        }
        return nil
    }

    /// Prepositions that may end a relative clause ("the hint was for").
    static let clausePrepositions: Set<String> = ["for", "in", "on", "at", "to", "from", "with", "about", "by"]
    /// Pronouns that are the object of a verb ("sends us").
    static let objectPronouns: Set<String> = ["us", "them", "me", "you", "him", "her", "it"]
}
