import Shared

/// Parents named around an entity: after a preposition in a subject ("invoices per member",
/// "deliveries to a site"), in the object of a "belongs to" clause ("reported by drivers against a
/// vehicle with …"), in an item of a list ("copies of each book (…)") and as one thing with its
/// own fields ("each booking gets one game master (name, mobile)").
extension DescriptionReading {
    /// Where "for a X" starts in a subject ("invoices for a customer have …", "ops per WO: …",
    /// "tickets on an asset have …", "deliveries to a site record …", "reviews of delivered jobs:
    /// …"), if it does.
    static func forSplit(_ words: [String]) -> Int? {
        guard let index = words.firstIndex(where: parentPrepositions.contains), index > 0, index + 1 < words.count,
              words[index] == "per" || ["a", "an", "each", "one", "every", "the"].contains(words[index + 1])
                || index + 2 < words.count && ArchitectLexicon.isParticipleAdjective(words[index + 1]) else { return nil }
        return index
    }

    /// Whether a subject's own words are only a unit of time ("every day", "each week"): a
    /// frequency, so the thing after its preposition is what the clause is about.
    static func isTimeUnit(_ words: [String]) -> Bool {
        let nouns = words.filter { !ArchitectLexicon.determiners.contains($0) }
        return nouns.count == 1 && NounPhrase.timeUnits.contains(EnglishInflection.plural(nouns[0]))
    }

    /// Prepositions that put a parent after a subject: "invoices per member", "tickets on an asset".
    static let parentPrepositions: Set<String> = ["for", "of", "per", "on", "against", "in", "at", "under", "within", "to"]

    /// The parent named by "for a X" in a clause's subject, as a phrase.
    func subjectParent(_ clause: Clause) -> NounPhrase? {
        guard let split = Self.forSplit(clause.subject), !Self.isTimeUnit(Array(clause.subject[..<split])) else { return nil }
        let tokens = clause.subject[(split + 1)...].enumerated().map { DescriptionToken.word($0.element, position: clause.position + split + 1 + $0.offset) }
        return NounPhrase.parse(tokens)
    }

    /// The words of a list item as written, up to its group or the next item ("practice nights
    /// for each tower"), before a noun phrase cuts them at "for".
    static func writtenWords(of item: NounPhrase, in object: [DescriptionToken]) -> [String] {
        guard let start = object.firstIndex(where: { $0.position == item.position }) else { return item.words }
        return object[start...].prefix { $0.word != nil && !$0.isListSeparator }.compactMap(\.word)
    }

    /// The object of a "belongs to" clause cut at "with" or a colon: the parents before, the
    /// subject's fields after ("are booked for a learner with a duration and a price"). A typed
    /// field before the cut is a field too ("for a learner at a date and time"); parents may follow
    /// each other after prepositions ("reported by drivers against a vehicle").
    static func parentsAndFields(_ object: [DescriptionToken]) -> (parents: [NounPhrase], fields: [NounPhrase]) {
        let split = object.firstIndex { $0.word.map(linkAttributeStarts.contains) == true || $0.mark == ":" }
        let before = NounPhraseList.parse(separatingParties(Array(object[..<(split ?? object.count)])))
        let after = split.map { NounPhraseList.parse(Array(object[($0 + 1)...])) } ?? []
        let typed = before.filter(isTypedField)
        return (before.filter { item in !typed.contains { $0.position == item.position } }, typed + after)
    }

    /// Prepositions that name a further parent in a "belongs to" object ("reported by drivers
    /// against a vehicle").
    static let furtherParentPrepositions: Set<String> = partySeparators.union(["against", "by", "from"])

    /// The tokens with a comma before each further parent: a preposition after the first parent,
    /// before an article ("drivers against a vehicle" → "drivers, a vehicle").
    static func separatingParties(_ tokens: [DescriptionToken]) -> [DescriptionToken] {
        var result: [DescriptionToken] = []
        for (index, token) in tokens.enumerated() {
            if index > 0, index + 1 < tokens.count, let word = token.word, furtherParentPrepositions.contains(word),
               let next = tokens[index + 1].word, ["a", "an", "one", "each"].contains(next) {
                result.append(.mark(",", position: token.position))
            } else {
                result.append(token)
            }
        }
        return result
    }

    /// The entity "one X (its fields)" names in a clause's object ("each booking gets one game
    /// master (name, mobile)"): one, not a, makes it the subject's single parent, not a child.
    func singleParentWithFields(_ item: NounPhrase, in clause: Clause) -> String? {
        guard let group = item.group, NounPhraseList.groupParts(group).count >= 2, FieldTypeRules.hintedType(NounPhraseList.groupParts(group)) == nil, !item.isPlural,
              clause.object.first(where: { $0.position == item.position })?.word == "one" else { return nil }
        return matcher.entity(for: item.words) ?? Self.entityName(item.words, asSubject: true)
    }
}
