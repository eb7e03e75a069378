/// Fields written as a yes/no question: "whether the queen is marked", "whether it is on a
/// rooftop", "whether they have passed their theory test". The question is a field, never a
/// clause: its words are rewritten to "whether" and one token holding the field's name
/// (`queen_marked`, `on_rooftop`, `theory_test_passed`), so that its verb ("is on", "is marked")
/// reads as no verb of the sentence. `FieldTypeRules` makes a field after "whether" a bool.
enum YesNoQuestions {
    /// Words that open a yes/no question.
    static let openers: Set<String> = ["whether"]
    /// Subjects that name the row itself, left out of the name.
    static let pronouns: Set<String> = ["it", "they", "he", "she", "there", "we", "you", "this", "that"]
    /// Pronouns that take a verb without -s ("whether they use a wheelchair" → `uses_wheelchair`).
    static let pluralPronouns: Set<String> = ["they", "we", "you"]
    /// Auxiliaries between a question's subject and its predicate.
    static let auxiliaries: Set<String> = ["is", "are", "was", "were", "has", "have", "had", "do", "does", "did", "will", "would", "should", "must"]
    /// Auxiliaries dropped inside the predicate.
    static let innerAuxiliaries: Set<String> = ["been", "being"]
    /// Auxiliaries of the perfect, after which a participle moves behind its object ("have passed
    /// their test" → `test_passed`).
    static let perfectAuxiliaries: Set<String> = ["has", "have", "had"]
    /// Words that end a question: what follows is the next item or clause.
    static let stops: Set<String> = ArchitectLexicon.boundaries.union(["so", "because", "which", "who", "when", "since"])
    /// Suffixes of contracted pronouns as the tokenizer leaves them ("they've" → "theyve").
    static let contractions = ["ve", "re", "ll", "d"]

    /// The sentence with each yes/no question rewritten to "whether" and its field's name.
    static func rewrite(_ sentence: [DescriptionToken]) -> [DescriptionToken] {
        var result: [DescriptionToken] = []
        var index = 0
        while index < sentence.count {
            let token = sentence[index]
            if let group = token.groupTokens {
                result.append(.group(rewrite(group), position: token.position))
                index += 1
                continue
            }
            guard let word = token.word, openers.contains(word) else {
                result.append(token)
                index += 1
                continue
            }
            var end = index + 1
            while end < sentence.count, let next = sentence[end].word, !stops.contains(next) { end += 1 }
            let words = sentence[(index + 1)..<end].compactMap(\.word)
            guard let name = fieldName(words) else {
                result.append(token)
                index += 1
                continue
            }
            result.append(token)
            result.append(.word(name, position: sentence[index + 1].position))
            for party in parties(words) {
                // "whether each singer was present at each rehearsal": the row is one singer's at one rehearsal
                result += [.mark(",", position: sentence[index + 1].position)] + (["the"] + party).map { .word($0, position: sentence[index + 1].position) }
            }
            index = end
        }
        return result
    }

    /// The things a question names after "each"/"every" ("whether each singer was present at each
    /// rehearsal" → singer, rehearsal): the row holding the answer is one of each, so each is a
    /// party of it, not part of the field's name.
    static func parties(_ words: [String]) -> [[String]] {
        words.indices.filter { ArchitectLexicon.eachWords.contains(words[$0]) }.compactMap { each in
            let noun = words[(each + 1)...].prefix { !auxiliaries.contains($0) && !ArchitectLexicon.phraseStops.contains($0) && !["at", "on", "to", "of", "with"].contains($0) }
            let next = each + 1 + noun.count
            // the question's subject ends at its auxiliary ("each singer was"), not at a verb ("each member came")
            guard (1...2).contains(noun.count), each > 0 || next < words.count && auxiliaries.contains(words[next]) else { return nil }
            return Array(noun)
        }
    }

    /// The field a question's words name: its subject's nouns and its predicate, articles,
    /// pronouns and auxiliaries left out; nil when the question is a single word already. A
    /// subject after "each"/"every" is a party, not part of the name ("whether each singer was
    /// present" → `present`).
    static func fieldName(_ words: [String]) -> String? {
        guard words.count > 1 else { return nil }
        let subjectIsParty = ArchitectLexicon.eachWords.contains(words[0]) && parties(words).first.map { words.dropFirst().starts(with: $0) } == true
        var rest = words[...]
        var pronoun: String?
        while let first = rest.first, ArchitectLexicon.determiners.contains(first) || isPronoun(first) {
            if isPronoun(first) { pronoun = first }
            rest = rest.dropFirst()
        }
        var subject: [String] = []
        var auxiliary: String?
        if let at = rest.firstIndex(where: auxiliaries.contains) {
            subject = Array(rest[..<at])
            auxiliary = rest[at]
            rest = rest[(at + 1)...]
        }
        if let each = rest.indices.dropFirst(2).first(where: { ArchitectLexicon.eachWords.contains(rest[$0]) }) {
            rest = rest[..<(each - 1)] // "present at each rehearsal": the parties are not the field
        }
        var predicate = rest.filter { !ArchitectLexicon.determiners.contains($0) && !innerAuxiliaries.contains($0) }
        if auxiliary.map(perfectAuxiliaries.contains) == true, predicate.count > 1, isParticiple(predicate[0]) {
            predicate = Array(predicate.dropFirst()) + [predicate[0]]
        } else if auxiliary == nil, subject.isEmpty, let pronoun, pluralPronouns.contains(pronoun), let verb = predicate.first, !verb.hasSuffix("s"), !ArchitectLexicon.modals.contains(verb) {
            predicate[0] = EnglishInflection.plural(verb)
        }
        let name = (subjectIsParty ? [] : subject.filter { !ArchitectLexicon.determiners.contains($0) }) + predicate
        return name.isEmpty ? nil : name.joined(separator: "_")
    }

    /// Whether a word is a pronoun, contracted or not ("they", "theyve", "its").
    static func isPronoun(_ word: String) -> Bool {
        pronouns.contains(word) || contractions.contains { word.hasSuffix($0) && pronouns.contains(String(word.dropLast($0.count))) }
    }

    /// Whether a word is a past participle ("passed", "seen").
    static func isParticiple(_ word: String) -> Bool {
        word.hasSuffix("ed") || ArchitectLexicon.irregularParticiples.contains(word)
    }
}
