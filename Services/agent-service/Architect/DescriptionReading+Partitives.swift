import Shared

/// Parents named as one of a set: "each opening is at one of our offices", "lessons … on one of
/// our boats", "sessions, each led by a coach who is one of our members". The partitive names one
/// row of the things after it: the subject refers to it, through a field named by the noun before
/// "who/which is" (`coach`), else by the things (`office`).
extension DescriptionReading {
    /// Words before "one of" that make it a partitive about the subject (a preposition or a copula).
    static let partitiveLeads: Set<String> = [
        "is", "are", "be", "at", "on", "in", "within", "to", "under", "by", "from", "with", "into", "inside", "for",
    ]

    /// One partitive in a sentence: where "one" stands and the words of the things after "of".
    struct Partitive {
        /// The index of "one" in the sentence's tokens.
        var start: Int
        /// The words after "one of", up to and including the first plural ("our more experienced members").
        var things: [String]
    }

    /// The partitive that starts at `index` ("one of our offices"), if one does.
    static func partitive(in tokens: [DescriptionToken], at index: Int) -> Partitive? {
        guard index > 0, index + 2 < tokens.count, tokens[index].word == "one", tokens[index + 1].word == "of",
              let lead = tokens[index - 1].word, partitiveLeads.contains(lead) else { return nil }
        var things: [String] = []
        for token in tokens[(index + 2)...].prefix(5) {
            guard let word = token.word, !ArchitectLexicon.phraseStops.contains(word), !ArchitectLexicon.boundaries.contains(word) else { break }
            things.append(word)
            if EnglishInflection.isPlural(word), !ArchitectLexicon.pluralModifiers.contains(word) { return Partitive(start: index, things: things) }
        }
        return nil
    }

    /// Whether a list item holds a partitive ("on one of our boats"): read by `collectPartitives`,
    /// never a field.
    static func isPartitive(_ words: [String]) -> Bool {
        guard let one = words.indices.dropLast().first(where: { words[$0] == "one" && words[$0 + 1] == "of" }) else { return false }
        return words[(one + 2)...].prefix(5).contains(where: EnglishInflection.isPlural)
    }

    /// Pass 5a: a reference from the entity a partitive is about to the things it names (an
    /// entity of their own when they are not people the text does not describe).
    mutating func collectPartitives() {
        for (number, sentence) in sentences.enumerated() {
            for index in sentence.indices {
                guard let partitive = Self.partitive(in: sentence, at: index),
                      let thingName = Self.entityName(partitive.things, asSubject: true) else { continue }
                let known = matcher.entity(for: thingName.split(separator: "_").map(String.init))
                let head = thingName.split(separator: "_").last.map(String.init) ?? thingName
                guard let target = known ?? (ArchitectLexicon.namesPeople(head) || draft.roleNames.contains(thingName) ? nil : thingName),
                      let subject = partitiveSubject(in: sentence, before: index) else { continue }
                let field = Self.partitiveFieldName(in: sentence, before: index) ?? target
                guard subject != target || field != target else { continue }
                draft.addEntity(target, position: sentence[index + 2].position)
                let reference = DraftField(name: field, type: .reference, required: subject != target, references: target)
                if let entity = draft.index(of: subject), let existing = draft.entities[entity].fields.firstIndex(where: { $0.name == field && $0.holdsUserID }) {
                    draft.entities[entity].fields[existing] = reference
                }
                addField(reference, to: subject)
                usedSentences.insert(number)
            }
        }
    }

    /// The entity a partitive is about: the first named in its statement (back to a comma or
    /// "and"), else the first named earlier in its sentence.
    func partitiveSubject(in sentence: [DescriptionToken], before index: Int) -> String? {
        let statementStart = sentence[..<index].lastIndex { $0.mark == "," || $0.word.map(ArchitectLexicon.boundaries.contains) == true }
            .map { $0 + 1 } ?? 0
        let inStatement = Array(sentence[statementStart..<index]).words
        return matcher.mentions(in: inStatement).first?.name ?? matcher.mentions(in: Array(sentence[..<index]).words).first?.name
    }

    /// The noun before "who/which/that is one of …" ("a coach who is one of our members" →
    /// `coach`), if the partitive follows one.
    static func partitiveFieldName(in sentence: [DescriptionToken], before index: Int) -> String? {
        var cursor = index - 1
        if sentence[cursor].word == "is" || sentence[cursor].word == "are" { cursor -= 1 }
        guard cursor > 0, sentence[cursor].word.map(ArchitectLexicon.relatives.contains) == true else { return nil }
        cursor -= 1
        if sentence[cursor].mark == ",", cursor > 0 { cursor -= 1 }
        guard let noun = sentence[cursor].word, !ArchitectLexicon.determiners.contains(noun), EnglishInflection.isValidName(noun) else { return nil }
        return EnglishInflection.singular(noun)
    }
}
