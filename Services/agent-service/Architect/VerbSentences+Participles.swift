/// A participle of a joining verb between two things, with the join's fields in parentheses:
/// "licences assigned to employees (assigned on)", "each plot rented by one gardener per season
/// (season year, paid)". The link has attributes, so it is a row of its own named by the verb's
/// noun (assignment, rental) — "assignments link a licence to an employee with assigned on".
extension VerbSentences {
    /// Particles after such a participle that name the other party.
    static let participleParticles: Set<String> = ["to", "by", "with", "for", "from", "out"]

    /// The sentence rewritten as a join, if it has the shape: an optional "each"/"every", a
    /// subject of one or two words, a participle of a verb in `nouns`, a particle, the other party
    /// of one or two words (after "a"/"one"), an optional "per <period>", then a group of fields and
    /// nothing else.
    static func participleJoin(_ sentence: [DescriptionToken]) -> Rewrite? {
        guard let group = sentence.last?.groupTokens, case let parts = NounPhraseList.groupParts(group),
              FieldTypeRules.hintedType(parts) == nil, NounPhraseList.listsFields(parts),
              sentence.dropLast().allSatisfy({ $0.word != nil }) else { return nil }
        var words = sentence.dropLast().compactMap(\.word)
        if let first = words.first, ArchitectLexicon.eachWords.contains(first) { words.removeFirst() }
        if words.count >= 2, words[words.count - 2] == "per", periodWords.contains(words[words.count - 1]) { words.removeLast(2) }
        guard let participle = words.indices.first(where: { (1...2).contains($0) && joinNoun(ofParticiple: words[$0]) != nil }),
              participle + 1 < words.count, participleParticles.contains(words[participle + 1]),
              let join = joinNoun(ofParticiple: words[participle]) else { return nil }
        let subject = Array(words[..<participle])
        let object = Array(words[(participle + 2)...].drop { ArchitectLexicon.determiners.contains($0) || ArchitectLexicon.singleWords.contains($0) })
        guard (1...2).contains(object.count), !subject.contains(where: ArchitectLexicon.determiners.contains),
              !(subject + object).contains(where: { ArchitectLexicon.phraseStops.contains($0) || ArchitectLexicon.pronouns.contains($0) }) else { return nil }
        let position = sentence[0].position
        func word(_ text: String) -> DescriptionToken { .word(text, position: position) }
        func singular(_ words: [String]) -> [DescriptionToken] {
            words.dropLast().map(word) + [word(EnglishInflection.singular(words.last ?? ""))]
        }
        let rewritten = [word(EnglishInflection.plural(join)), word("link"), word("a")] + singular(subject) + [word("to"), word("a")]
            + singular(object) + [word("with")] + group
        return Rewrite(sentence: rewritten)
    }

    /// The noun of a joining verb's participle ("assigned" → assignment, "rented" → rental,
    /// "enrolled" → enrolment), if the verb joins.
    static func joinNoun(ofParticiple word: String) -> String? {
        guard word.hasSuffix("ed") else { return nil }
        let stems = [String(word.dropLast(2)), String(word.dropLast()), String(word.dropLast(3))]
        return stems.lazy.compactMap { nouns[$0] }.first
    }
}
