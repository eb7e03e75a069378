/// Cuts tokenized sentences into clauses at their verbs (`ClauseMarker`).
///
/// A clause's subject is found by looking back from its verb to the nearest boundary (`,`,
/// "and", "but", "which" …); an empty subject continues the previous clause's. Parenthesised
/// groups that contain a verb ("inventory (products with SKU, price)") become sentences of their own.
struct ClauseSplitter {
    /// Creates a splitter.
    init() {}

    /// The clauses of all sentences, in order.
    func clauses(in sentences: [[DescriptionToken]]) -> [Clause] {
        var clauses: [Clause] = []
        for (index, sentence) in expandGroups(sentences.map(rewritePhrases)).enumerated() {
            clauses += self.clauses(inSentence: sentence, number: index)
        }
        return clauses
    }

    /// Rewrites "as well as", "along with", "together with" to "and", "zero or more", "one or more"
    /// to "many", and "(at) a date and time" to one datetime field ("scheduled datetime"); a passive
    /// placed at a date and time ("rehearsals are held at a date and time") has that field.
    func rewritePhrases(_ tokens: [DescriptionToken]) -> [DescriptionToken] {
        let rewrites: [([String], String)] = [
            (["as", "well", "as"], "and"), (["along", "with"], "and"), (["together", "with"], "and"),
            (["zero", "or", "more"], "many"), (["one", "or", "more"], "many"), (["as", "well"], "and"),
            (["and", "or"], "or"), (["on", "file"], ""), (["on", "record"], ""), (["of", "course"], ""), (["over", "time"], ""), (["too"], ""),
            (["starting", "at", "a", "date", "and", "time"], ", starts datetime"), (["ending", "at", "a", "date", "and", "time"], ", ends datetime"),
            (["at", "a", "date", "and", "time"], ", scheduled datetime"), (["on", "a", "date", "and", "time"], ", scheduled datetime"),
            (["for", "a", "date", "and", "time"], ", scheduled datetime"), (["at", "date", "and", "time"], "datetime"), (["date", "and", "time"], "scheduled datetime"),
        ]
        var result: [DescriptionToken] = []
        var index = 0
        outer: while index < tokens.count {
            if index == 0, let length = Self.requestBeforeLabel(tokens) {
                index += length
                continue
            }
            if let (subject, length) = Self.forEachWeKeep(tokens, at: index) {
                result += [.word("each", position: tokens[index].position)] + subject + [.word("has", position: tokens[index].position)]
                index += length
                continue
            }
            if Self.isPronounAfterVerb(tokens, at: index) {
                index += 2 // "objects come to us from donors" → "objects come from donors"
                continue
            }
            if let length = Self.passiveAtDateAndTime(tokens, at: index) {
                let verb = tokens[index].word == "is" ? "has" : "have" // "rehearsals are held at a date and time, with …"
                result += [verb, "a", "scheduled", "datetime"].map { .word($0, position: tokens[index].position) } + [.mark(",", position: tokens[index].position)]
                index += length
                continue
            }
            if tokens[index].word == "of", index > 0, tokens[index - 1].word.map(Self.headsOfValueLists.contains) == true, Self.listsValues(tokens, after: index) {
                result.append(.mark(":", position: tokens[index].position)) // "a status of open, held or closed" → "a status: open, held or closed"
                index += 1
                continue
            }
            for (phrase, replacement) in rewrites where index + phrase.count <= tokens.count {
                if (0..<phrase.count).allSatisfy({ tokens[index + $0].word == phrase[$0] }) {
                    for word in replacement.split(separator: " ") {
                        result.append(word == "," ? .mark(",", position: tokens[index].position) : .word(String(word), position: tokens[index].position))
                    }
                    index += phrase.count
                    continue outer
                }
            }
            if case .group(let inner, let position) = tokens[index] {
                result.append(.group(rewritePhrases(inner), position: position))
            } else {
                result.append(tokens[index])
            }
            index += 1
        }
        return result
    }

    /// The length of a passive placed at a date and time ("are scheduled at a date and time", "is
    /// held on a date and time"), which gives the subject a datetime field rather than a parent.
    static func passiveAtDateAndTime(_ tokens: [DescriptionToken], at index: Int) -> Int? {
        let phrase = ["a", "date", "and", "time"]
        guard index + 2 + phrase.count < tokens.count, let auxiliary = tokens[index].word, auxiliary == "is" || auxiliary == "are",
              let participle = tokens[index + 1].word, participle.hasSuffix("ed") || ArchitectLexicon.irregularParticiples.contains(participle),
              let preposition = tokens[index + 2].word, ["at", "on", "for"].contains(preposition),
              phrase.indices.allSatisfy({ tokens[index + 3 + $0].word == phrase[$0] }) else { return nil }
        return 3 + phrase.count
    }

    /// Whether a permission verb inside a list of fields is the first word of one ("… a size and
    /// access notes"): after a list separator of a *has* clause, and not before an article.
    private func namesAField(_ marker: ClauseMarker, in tokens: [DescriptionToken], at index: Int, after previous: ClauseMarker?) -> Bool {
        guard previous?.kind == .has, marker.kind == .permits, marker.words.count == 1, index > 0, tokens[index - 1].isListSeparator,
              index + 1 < tokens.count, let next = tokens[index + 1].word else { return false }
        return !ArchitectLexicon.determiners.contains(next) && !ArchitectLexicon.modals.contains(next) && !ArchitectLexicon.ownWords.contains(next)
    }

    /// Heads whose values may follow "of" ("a status of draft, sent or paid", "a condition rating
    /// of excellent, good or poor").
    static let headsOfValueLists: Set<String> = ArchitectLexicon.valueHeads.union(["position", "rating", "era", "result", "outcome"])

    /// Whether the tokens after `index` are a list of values ending in "or" and one more value:
    /// parts of one to three words without an article, separated by commas.
    static func listsValues(_ tokens: [DescriptionToken], after index: Int) -> Bool {
        var parts: [[String]] = [[]]
        var sawOr = false
        for token in tokens[(index + 1)...] {
            if token.word == "or", !sawOr {
                sawOr = true
                parts.append([])
            } else if token.mark == "," || token.mark == "/" {
                if sawOr { break }
                parts.append([])
            } else if let word = token.word, !(sawOr && ["and", "with", "or"].contains(word)) {
                parts[parts.count - 1].append(word)
            } else {
                break
            }
        }
        return sawOr && parts.count >= 2 && parts.allSatisfy { part in
            (1...3).contains(part.count) && !part.contains { ["a", "an", "the"].contains($0) }
        }
    }

    /// "We sell bouquets: name, price" → the length of "we sell" (1 to 3 words before the noun's
    /// colon), dropped so that the sentence is a label.
    static func requestBeforeLabel(_ tokens: [DescriptionToken]) -> Int? {
        guard tokens.count > 3, ["we", "i"].contains(tokens[0].word ?? ""),
              let colon = tokens.indices.first(where: { tokens[$0].mark == ":" }), (2...5).contains(colon),
              tokens[..<colon].allSatisfy({ $0.word != nil }), let noun = tokens[colon - 1].word, EnglishInflection.isPlural(noun),
              let verb = tokens[1].word, !ArchitectLexicon.applicationWords.contains(verb) || verb == "need" || verb == "want" else { return nil }
        let start = tokens[2..<colon].firstIndex { !ArchitectLexicon.determiners.contains($0.word ?? "") && !["also", "to", "keep", "track", "of", "out", "up", "in", "on", "off", "away"].contains($0.word ?? "") } ?? colon - 1
        return start
    }

    /// Verbs of keeping after "for each X we": the object lists X's fields.
    static let keepingVerbs: Set<String> = ["keep", "record", "store", "track", "need", "want", "hold", "capture", "log", "note", "take"]

    /// "for each episode we keep the number, …" → ("episode", length): the noun and how many
    /// tokens the phrase spans, rewritten as "each episode has".
    static func forEachWeKeep(_ tokens: [DescriptionToken], at index: Int) -> (subject: [DescriptionToken], length: Int)? {
        guard index + 4 < tokens.count, tokens[index].word == "for", ArchitectLexicon.eachWords.contains(tokens[index + 1].word ?? "") else { return nil }
        for length in 1...3 where index + 3 + length < tokens.count {
            let noun = Array(tokens[(index + 2)..<(index + 2 + length)])
            guard noun.allSatisfy({ $0.word != nil }) else { return nil }
            if ["we", "i", "you"].contains(tokens[index + 2 + length].word ?? ""),
               let verb = tokens[index + 3 + length].word, keepingVerbs.contains(verb) {
                return (noun, length + 4)
            }
            if tokens[index + 2 + length].word == "there", ["are", "is"].contains(tokens[index + 3 + length].word ?? "") {
                return (noun, length + 4) // "for each client there are jobs: …"
            }
        }
        return nil
    }

    /// Whether "to us"/"to me" at `index` stands between a verb and the preposition that names
    /// where a thing comes from or who sends it ("come to us from donors", "are sent to us by
    /// clinics"): the writer is no party to the link.
    static func isPronounAfterVerb(_ tokens: [DescriptionToken], at index: Int) -> Bool {
        guard index > 0, index + 2 < tokens.count, tokens[index].word == "to", ["us", "me"].contains(tokens[index + 1].word ?? ""),
              ["from", "by", "via"].contains(tokens[index + 2].word ?? "") else { return false }
        return tokens[index - 1].word != nil
    }

    /// Moves groups that contain a verb out into sentences of their own, placed right after.
    func expandGroups(_ sentences: [[DescriptionToken]]) -> [[DescriptionToken]] {
        var result: [[DescriptionToken]] = []
        for sentence in sentences {
            var kept: [DescriptionToken] = []
            var extracted: [[DescriptionToken]] = []
            for (index, token) in sentence.enumerated() {
                guard let inner = token.groupTokens, containsMarker(inner) else {
                    kept.append(token)
                    continue
                }
                if ClauseMarker.match(in: inner, at: 0) != nil {
                    extracted.append(wordRun(before: index, in: sentence) + inner)
                } else {
                    extracted.append(inner)
                }
            }
            result.append(kept)
            result += extracted
        }
        return result
    }

    private func containsMarker(_ tokens: [DescriptionToken]) -> Bool {
        tokens.indices.contains { ClauseMarker.match(in: tokens, at: $0) != nil }
    }

    /// Up to three words right before `index`, stopping at a boundary or "of" ("a history of
    /// grooming notes, each with …" → "grooming notes").
    private func wordRun(before index: Int, in tokens: [DescriptionToken]) -> [DescriptionToken] {
        var run: [DescriptionToken] = []
        var cursor = index - 1
        while cursor >= 0, run.count < 3, let word = tokens[cursor].word, !tokens[cursor].isClauseBoundary,
              ClauseMarker.match(in: tokens, at: cursor) == nil, !ArchitectLexicon.determiners.contains(word), word != "of" {
            run.insert(tokens[cursor], at: 0)
            cursor -= 1
        }
        return run
    }

    private func clauses(inSentence tokens: [DescriptionToken], number: Int) -> [Clause] {
        var found: [(start: Int, end: Int, marker: ClauseMarker)] = []
        var index = 0
        while index < tokens.count {
            if let (marker, length) = ClauseMarker.match(in: tokens, at: index),
               !(Self.attributive.contains(marker.words) && (found.contains { [.links, .belongsTo].contains($0.marker.kind) || $0.marker.linksUser } || followsField(tokens, at: index))),
               !namesAField(marker, in: tokens, at: index, after: found.last?.marker) {
                found.append((index, index + length, marker))
                index += length
            } else if tokens[index].mark == ":", found.isEmpty, index > 0, index <= 6, !introducesClause(tokens, colon: index) {
                found.append((index, index + 1, ClauseMarker(":", .label)))
                index += 1
            } else {
                index += 1
            }
        }
        var clauses: [Clause] = []
        var previousEnd = 0
        for (number2, marker) in found.enumerated() {
            var boundary: Int?
            var cursor = marker.start - 1
            while cursor >= previousEnd {
                if tokens[cursor].isClauseBoundary { boundary = cursor; break }
                cursor -= 1
            }
            var subjectTokens: [DescriptionToken] = []
            var coSubjects: [[String]] = []
            var isRelative = false
            var isLeading = false
            var run = number2 > 0 && Self.attributive.contains(marker.marker.words) ? wordRun(before: marker.start, in: tokens) : []
            run = previousEnd < marker.start ? run.filter { $0.position >= tokens[previousEnd].position } : []
            if !run.isEmpty {
                subjectTokens = run
                clauses[number2 - 1].object = Array(tokens[previousEnd..<marker.start])
                isRelative = true
            } else if let boundary {
                subjectTokens = Array(tokens[(boundary + 1)..<marker.start])
                if number2 > 0 { clauses[number2 - 1].object = Array(tokens[previousEnd..<boundary]) }
                if number2 == 0 { coSubjects = leadingSubjects(Array(tokens[0..<boundary])) }
                if Self.attributive.contains(marker.marker.words),
                   subjectTokens.words.count == 1 && ["each", "every", "both"].contains(subjectTokens.words[0])
                    || subjectTokens.isEmpty && tokens[boundary].mark == "," && boundary > 0 && tokens[boundary - 1].word.map { EnglishInflection.isPlural($0) && !ArchitectLexicon.pluralFieldWords.contains($0) } == true,
                   case let run = wordRun(before: boundary, in: tokens), !run.isEmpty {
                    // "tables too, each with a number", "each client has pets, with a name": the noun
                    // before the comma has the fields
                    subjectTokens = run
                    isRelative = true
                } else if Self.clean(subjectTokens.words).words.isEmpty, let word = tokens[boundary].word,
                   ArchitectLexicon.relatives.contains(word) {
                    subjectTokens = wordRun(before: boundary, in: tokens)
                    isRelative = true
                } else if Self.clean(subjectTokens.words).words.isEmpty, number2 == 0 {
                    subjectTokens = Array(tokens[0..<boundary].prefix { $0.word != nil }.prefix(4))
                    isLeading = true
                }
            } else if number2 == 0 {
                subjectTokens = Array(tokens[0..<marker.start])
                isRelative = Self.attributive.contains(marker.marker.words) && subjectTokens.words.count > 2
            } else {
                clauses[number2 - 1].object = Array(tokens[previousEnd..<marker.start])
            }
            let cleaned = Self.clean(subjectTokens.compactMap(\.word))
            clauses.append(Clause(
                subject: cleaned.words, coSubjects: coSubjects, marker: marker.marker,
                negated: cleaned.negated, restrictive: cleaned.restrictive, object: Array(tokens[marker.end...]), sentence: number,
                position: subjectTokens.first?.position ?? tokens[marker.start].position,
                startsSentence: number2 == 0, isRelative: isRelative, isLeading: isLeading
            ))
            previousEnd = marker.end
        }
        return clauses
    }

    /// Whether a colon after vague words only introduces a clause ("The data: studies have a
    /// code", "We sell bouquets: name, price" is read as "bouquets: name, price" by `rewritePhrases`).
    private func introducesClause(_ tokens: [DescriptionToken], colon: Int) -> Bool {
        let before = Self.clean(tokens[..<colon].compactMap(\.word)).words
        let vague = before.allSatisfy { ArchitectLexicon.nonEntityWords.contains($0) || ArchitectLexicon.applicationWords.contains($0) }
        return vague && tokens.indices.dropFirst(colon + 1).contains { ClauseMarker.match(in: tokens, at: $0) != nil }
    }

    /// Whether the word before `index` ends a field's name ("… at a date and time with a fee"):
    /// "with" after a field goes on listing, it does not open a clause about that word.
    /// A plural compound is a thing with fields of its own ("consultation notes with a diagnosis").
    private func followsField(_ tokens: [DescriptionToken], at index: Int) -> Bool {
        guard index > 0, let word = tokens[index - 1].word else { return false }
        if EnglishInflection.isPlural(word), !NounPhrase.timeUnits.contains(word), index > 1, let modifier = tokens[index - 2].word,
           !ArchitectLexicon.phraseStops.contains(modifier), !ArchitectLexicon.determiners.contains(modifier),
           !ArchitectLexicon.collectionWords.contains(modifier), !modifier.allSatisfy(\.isNumber) {
            return false
        }
        return FieldTypeRules.type(forName: word) != .string || ArchitectLexicon.fieldWords.contains(word)
    }

    /// Markers that attach to the noun right before them ("tasks with a title"): that noun is
    /// both an item of the previous list and the subject of the new clause.
    static let attributive: Set<[String]> = [["with"], ["having"], ["containing"], ["including"]]

    /// The subjects before the first clause's subject: "admins and managers see …" → [admins].
    private func leadingSubjects(_ tokens: [DescriptionToken]) -> [[String]] {
        var subjects: [[String]] = []
        var part: [String] = []
        for token in tokens {
            if token.isListSeparator || token.mark == "," {
                if !part.isEmpty { subjects.append(part) }
                part = []
            } else if let word = token.word {
                part.append(word)
            } else {
                return []
            }
        }
        if !part.isEmpty { subjects.append(part) }
        let cleaned = subjects.map { Self.clean($0).words }
        let plausible = cleaned.allSatisfy { words in
            (1...3).contains(words.count) && !words.contains { ArchitectLexicon.phraseStops.contains($0) || ArchitectLexicon.applicationWords.contains($0) }
        }
        return plausible ? cleaned : []
    }

    /// A subject without leading determiners and trailing modals, and whether it was negated.
    static func clean(_ words: [String]) -> (words: [String], negated: Bool, restrictive: Bool) {
        var words = words
        var removed: [String] = []
        while let first = words.first, ArchitectLexicon.determiners.contains(first) || ArchitectLexicon.modals.contains(first) || ArchitectLexicon.negations.contains(first) {
            removed.append(words.removeFirst())
        }
        let leading = removed
        removed = []
        while let last = words.last, ArchitectLexicon.modals.contains(last) || ArchitectLexicon.negations.contains(last) || last == "are" || last == "is" {
            removed.append(words.removeLast())
        }
        let all = words.isEmpty ? leading + removed : removed
        return (words, all.contains(where: ArchitectLexicon.negations.contains), all.contains("only"))
    }
}
