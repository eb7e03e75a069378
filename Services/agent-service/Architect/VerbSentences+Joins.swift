/// Joins written in other shapes: for a period ("pupils join classes for a term (autumn, spring or
/// summer) with …"), with what is received ("… and receive a mark"), without fields when the
/// text names the join elsewhere ("candidates apply to openings; an application has …", "jurors
/// score films, and every score has …"), and as one statement of a longer sentence.
extension VerbSentences {
    /// Verbs whose object is the other side of a join without a particle ("pupils join classes",
    /// "customers rent skis"): the row made is the verb's noun (membership, rental), not the object.
    static let joinsWithoutParticle: Set<String> = ["join", "rent", "borrow", "hire", "attend"]

    /// Verbs of receiving after "and": what follows is the join's ("students enrol in courses and
    /// receive a mark").
    static let receivingVerbs: Set<String> = ["receive", "receives", "get", "gets", "earn", "earns", "obtain", "obtains"]

    /// Words of a period a join is for ("for an academic year", "for a term"): a field of the join,
    /// not a party.
    static let periodWords: Set<String> = ["year", "term", "semester", "season", "quarter", "month", "week", "day"]

    /// Nouns of a stretch of time before "of" ("for the length of their holiday").
    static let spanWords: Set<String> = ["length", "duration", "course", "rest", "span", "whole"]

    /// Where "for the length of their holiday" starts at the end of a join's words, if it does:
    /// how long the join lasts, which its own dates say, not a party.
    static func spanOfJoin(_ head: [DescriptionToken]) -> Int? {
        guard let preposition = head.lastIndex(where: { ["for", "during", "over"].contains($0.word ?? "") }), preposition >= 3 else { return nil }
        let words = head[(preposition + 1)...].compactMap(\.word).filter { !ArchitectLexicon.determiners.contains($0) }
        guard words.count >= 3, spanWords.contains(words[0]), words[1] == "of" else { return nil }
        return preposition
    }

    /// Whether fields start at `index` with "and" and a verb of receiving.
    static func receivesFields(_ sentence: [DescriptionToken], at index: Int) -> Bool {
        sentence[index].word == "and" && index + 1 < sentence.count && sentence[index + 1].word.map(receivingVerbs.contains) == true
    }

    /// Where "for a term (autumn, spring or summer)", "for an academic year" or "at a date and
    /// time" starts at the end of a join's words, if it does: a period, a thing with values or a
    /// date is the join's field.
    static func periodOfJoin(_ head: [DescriptionToken]) -> Int? {
        guard let preposition = head.lastIndex(where: { ["for", "at", "on"].contains($0.word ?? "") }), preposition >= 3,
              head.count - preposition <= 5 else { return nil }
        let isFor = head[preposition].word == "for"
        let phrase = head[(preposition + 1)...]
        let words = phrase.compactMap(\.word).filter { !ArchitectLexicon.determiners.contains($0) }
        guard let last = words.last, phrase.filter({ $0.groupTokens != nil }).count <= 1 else { return nil }
        if let group = phrase.last?.groupTokens { return isFor && !NounPhraseList.listsFields(group: group) ? preposition : nil }
        guard phrase.allSatisfy({ $0.word != nil }) else { return nil }
        let isTime = [.date, .datetime].contains(FieldTypeRules.type(forName: EnglishInflection.snakeCase(words))) // "at a date and time"
        return isFor && periodWords.contains(last) || isTime ? preposition : nil
    }

    /// "candidates (…) apply to openings" when the text speaks of "an application": the join
    /// the text names, its fields read from the sentences about it; "clients (…) open matters"
    /// when it speaks of "a matter": the subject's children.
    static func joinWithoutFields(_ sentence: [DescriptionToken], subjectGroup: Int?, nounsInText: Set<String>) -> Rewrite? {
        var head = sentence
        if let subjectGroup { head.remove(at: subjectGroup) }
        guard head.allSatisfy({ $0.word != nil }), let shape = Shape(head.compactMap(\.word)), shape.parent.isEmpty,
              head.indices.allSatisfy({ $0 == shape.verbIndex || ClauseMarker.match(in: head, at: $0) == nil }) else { return nil }
        let join = joinNoun(of: shape, in: nounsInText)
        let verbIsRead = ClauseMarker.match(in: head, at: shape.verbIndex) != nil // "clients (…) have sites" reads as it is
        guard join != nil || subjectGroup != nil && !verbIsRead && childrenOfDescribedSubject(shape, nounsInText: nounsInText) else { return nil }
        var result = Rewrite(sentence: shape.rewritten(position: sentence[0].position, join: join))
        if let subjectGroup { result.extra.append(Array(sentence[...subjectGroup])) }
        return result
    }

    /// Whether the things a subject with its own fields acts on are its children: "clients (name,
    /// email) open matters; a matter has …" — no particle, not people, and the text speaks of one.
    static func childrenOfDescribedSubject(_ shape: Shape, nounsInText: Set<String>) -> Bool {
        guard shape.particle.isEmpty, let head = shape.object.last, !ArchitectLexicon.namesPeople(head) else { return false }
        return nounsInText.contains(EnglishInflection.singular(head))
    }

    /// The noun of a join's verb that the text uses: the listed noun (apply → application), the
    /// verb and its particle as one word (check out → checkout) or the verb itself (score).
    static func joinNoun(of shape: Shape, in nounsInText: Set<String>) -> String? {
        let stem = stem(of: shape.verb)
        let candidates = [nouns[stem], stem + shape.particle.joined(), stem].compactMap { $0 }
        return candidates.first { nounsInText.contains($0) && $0 != EnglishInflection.singularName(shape.object) }
    }

    /// One statement after ", and" (or before it) rewritten, the rest of the sentence kept: "we
    /// run coaching sessions with a fee, and members sign up for sessions with a status".
    static func rewritingOneStatement(_ sentence: [DescriptionToken], nounsInText: Set<String>) -> Rewrite? {
        let cuts = sentence.indices.filter { sentence[$0].mark == "," && $0 + 1 < sentence.count && sentence[$0 + 1].word == "and" }
        guard !cuts.isEmpty else { return nil }
        let ends = cuts + [sentence.count]
        for (number, end) in ends.enumerated() {
            let start = number == 0 ? 0 : ends[number - 1] + 2
            guard start < end, let statement = rewritten(Array(sentence[start..<end]), nounsInText: nounsInText) else { continue }
            let rest = number == 0 ? Array(sentence[(end + 2)...]) : Array(sentence[..<(start - 2)]) + Array(sentence[end...])
            return Rewrite(sentence: rest, extra: [statement.sentence] + statement.extra)
        }
        return nil
    }

    /// Words that name things one by one or in number: the noun after one is spoken of as a thing.
    static let countingWords: Set<String> = ["a", "an", "each", "every", "many", "several", "multiple"]

    /// The nouns a description uses after an article or a quantifier ("an application", "every
    /// score", "several bookings" → booking), singular.
    static func nounsAfterArticles(_ sentences: [[DescriptionToken]]) -> Set<String> {
        var nouns: Set<String> = []
        for words in sentences.map(\.words) {
            for index in words.indices.dropFirst() where countingWords.contains(words[index - 1]) {
                nouns.insert(EnglishInflection.singular(words[index]))
            }
        }
        return nouns
    }
}
