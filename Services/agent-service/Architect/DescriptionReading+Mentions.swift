import Shared

/// Relations written in any verb: "many" on both sides ("pages carry many labels and a label is
/// used on many pages") and references of an entity to itself ("a supervisor who is another
/// engineer", "nested under a parent category").
extension DescriptionReading {
    /// Words that say "more than one" before a noun.
    static let manyWords: Set<String> = ["many", "several", "multiple", "lots", "numerous", "plenty"]
    /// Words before an entity's own name that make a reference to another row of it.
    static let selfReferenceWords: Set<String> = ["another", "parent", "previous", "prior", "earlier", "next", "other", "existing"]
    /// Words that end one statement inside a sentence.
    static let statementBoundaries: Set<String> = ["and", "while", "whereas", "but", "so"]
    /// Words that join a statement to the one before it inside a sentence ("…, so each appearance
    /// has …"): not part of the statement's subject.
    static let statementConnectives: Set<String> = ["so", "then", "and", "also"]

    /// Pass 6a: "X <any verb> many Y" facts, added to `manyOf`; a fact whose reverse is never
    /// written makes Y refer to X ("a filmmaker submits many films" → film.filmmaker).
    mutating func collectManyMentions() {
        var found: [(String, String)] = []
        for (number, sentence) in sentences.enumerated() {
            for statement in Self.statements(of: sentence) {
                guard let many = statement.firstIndex(where: Self.manyWords.contains), many > 0,
                      let owner = matcher.mentions(in: Array(statement[..<many])).first?.name else { continue }
                let after = Array(statement[(many + 1)...].drop { $0 == "of" })
                guard let child = matcher.mention(in: after, at: 0)?.name, child != owner, !found.contains(where: { $0 == (owner, child) }) else { continue }
                found.append((owner, child))
                usedSentences.insert(number)
            }
        }
        for (owner, child) in found {
            if !manyOf.contains(where: { $0 == (owner, child) }) { manyOf.append((owner, child)) }
            let reverse = found.contains { $0 == (child, owner) }
            let linked = draft.index(of: child).map { draft.entities[$0].fields.contains { $0.references == owner } } ?? true
                || draft.index(of: owner).map { draft.entities[$0].fields.contains { $0.references == child } } ?? true
            if !reverse, !linked {
                addField(DraftField(name: owner, type: .reference, required: true, references: owner, fromCollection: true), to: child)
            }
        }
    }

    /// Whether a "belongs to" object says its parent is another row of the subject ("supervised by
    /// a senior groomer, who is simply another groomer"): the self-reference pass reads it.
    func parentIsAnotherRow(_ clause: Clause, of names: [String]) -> Bool {
        let words = clause.object.words
        guard let relative = words.firstIndex(where: ArchitectLexicon.relatives.contains) else { return false }
        return words[relative...].indices.contains { index in
            Self.selfReferenceWords.contains(words[index]) && index + 1 < words.count
                && matcher.mention(in: words, at: index + 1).map { names.contains($0.name) } == true
        }
    }

    /// Pass 6b: a reference of an entity to another row of itself, named by the noun before "who
    /// is another X" ("supervisor"), by "X of another X" ("duplicate_of"), or by the word before
    /// the name ("parent_category", "previous_operation"). A subject that is a subset of X ("a
    /// junior member has a parent contact who is another member") is X.
    mutating func collectSelfReferences() {
        for (number, sentence) in sentences.enumerated() {
            let words = sentence.words
            guard let first = matcher.mentions(in: words).first?.name else { continue }
            for index in words.indices.dropLast() where Self.selfReferenceWords.contains(words[index]) || Self.isAlsoOne(words, at: index) {
                let nameAt = words[index] == "also" ? index + 2 : index + 1
                guard let subject = matcher.mention(in: words, at: nameAt)?.name else { continue }
                let subsetFields = subject == first ? [] : removingSubset(first, of: subject, namedIn: words)
                guard subject == first || subsetFields != nil else { continue }
                let field = DraftField(name: selfReferenceName(words, at: index, entity: subject), type: .reference, references: subject)
                if let entity = draft.index(of: subject), let existing = draft.entities[entity].fields.firstIndex(where: { $0.name == field.name && ($0.holdsUserID || words[index] == "also") }) {
                    draft.entities[entity].fields[existing] = field
                }
                addField(field, to: subject)
                for moved in subsetFields ?? [] { addField(moved, to: subject) }
                usedSentences.insert(number)
                break
            }
        }
    }

    /// Removes `subset` when it is a kind of `whole` named only to say something of some rows of
    /// it: its name ends in `whole`'s ("junior_member" of `member`), no entity refers to it, and
    /// every field it has was named in `words`. Returns the fields it had; nil when it stays.
    private mutating func removingSubset(_ subset: String, of whole: String, namedIn words: [String]) -> [DraftField]? {
        guard subset.hasSuffix("_" + whole), let index = draft.index(of: subset), draft.index(of: whole) != nil,
              !draft.entities.contains(where: { $0.fields.contains { $0.references == subset } }),
              !manyOf.contains(where: { $0.0 == subset || $0.1 == subset }) else { return nil }
        let fields = draft.entities[index].fields.filter { !$0.inferred }
        guard fields.allSatisfy({ $0.name.split(separator: "_").allSatisfy { words.contains(String($0)) } }) else { return nil }
        draft.entities.remove(at: index)
        return fields
    }

    /// Whether "also a/an X" stands at `index` ("a line manager (also an employee)", "a mentor,
    /// who is also a member"): the noun before it is another row of X.
    static func isAlsoOne(_ words: [String], at index: Int) -> Bool {
        words[index] == "also" && index + 2 < words.count && ["a", "an"].contains(words[index + 1])
    }

    /// The name of a self-reference whose marker word stands at `index`.
    private func selfReferenceName(_ words: [String], at index: Int, entity: String) -> String {
        let before = Array(words[..<index])
        if words[index] == "also" {
            // "a line manager (also an employee)", "a mentor, who is also a member": the noun before
            let noun = before.reversed().drop { ["who", "which", "that", "is", "are"].contains($0) }
                .prefix { !ArchitectLexicon.determiners.contains($0) && !["has", "have", "with", "is", "are"].contains($0) }.prefix(2)
            if !noun.isEmpty { return EnglishInflection.snakeCase(Array(noun.reversed())) }
        }
        if before.last == "of", before.count >= 2, !ArchitectLexicon.determiners.contains(before[before.count - 2]) {
            return "\(before[before.count - 2])_of"
        }
        let beforeArticle = Array(before.reversed().drop { ArchitectLexicon.determiners.contains($0) }.reversed())
        if beforeArticle.last == "by", beforeArticle.count >= 2, case let participle = beforeArticle[beforeArticle.count - 2],
           participle.hasSuffix("ed") || ClauseMarker.irregularParticiples.contains(participle) {
            return "\(participle)_by" // "proposed by an existing member"
        }
        if let relative = before.lastIndex(where: ArchitectLexicon.relatives.contains), relative > 0, before.count - relative <= 3 {
            let noun = before[..<relative].suffix(2).drop { ArchitectLexicon.determiners.contains($0) || Self.groupPhraseStops.contains($0) }
            if !noun.isEmpty, !noun.contains(where: Self.groupPhraseStops.contains) {
                return EnglishInflection.snakeCase(Array(noun))
            }
        }
        return words[index] == "another" || words[index] == "other" ? "related_\(entity)" : "\(words[index])_\(entity)"
    }

    /// A sentence cut into statements at `,` `;` and "and"/"while"/"but", groups flattened.
    private static func statements(of sentence: [DescriptionToken]) -> [[String]] {
        var statements: [[String]] = [[]]
        for token in sentence {
            if token.mark == "," || token.word.map(statementBoundaries.contains) == true {
                statements.append([])
            } else if let word = token.word {
                statements[statements.count - 1].append(word)
            }
        }
        return statements.filter { !$0.isEmpty }
    }
}
