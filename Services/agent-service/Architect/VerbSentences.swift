/// Sentences whose verb the clause reader does not know, rewritten into ones it does:
///
/// - a join with attributes — "students enrol in courses with a grade" → "enrolments link a
///   student to a course with a grade": the verb's noun (or the pair's names) is the join entity;
/// - a join of people — "clients hire sitters for a holiday with a price" → "bookings link a
///   client to a sitter and a holiday with a price";
/// - a thing becoming another — "approved applications become loans with a principal" → "loans
///   belong to an application with a principal" (`VerbSentences+Becoming`);
/// - a participle of a joining verb with the join's fields — "licences assigned to employees
///   (assigned on)" → "assignments link a licence to an employee with assigned on";
/// - a parent's children — "customers place orders with a total" → "orders belong to a customer
///   with a total"; a parent after the object goes with it ("tenants sign tenancies for a
///   property with a deposit" → "tenancies belong to a tenant and a property with a deposit").
///
/// Only sentences of that shape are rewritten: a plural subject of one or two words (its fields
/// in parentheses may follow: they are kept as a sentence of their own), one verb (a modal may
/// stand before it), particles for a join ("in", "for", "up for", "to", "on"), a plural object of
/// one to three words, an optional "for/on/against … a Y" (or ", each <join> "), then "with" or
/// fields in parentheses. People who create such rows ("carers log care notes for residents with the
/// time") keep their permission as a sentence of its own.
enum VerbSentences {
    /// A sentence rewritten, and the sentences it leaves behind (the subject's own fields, a
    /// role's permission), which the reader appends after the description.
    struct Rewrite {
        /// The sentence as the clause reader reads it.
        var sentence: [DescriptionToken]
        /// Sentences split off from it.
        var extra: [[DescriptionToken]] = []
    }

    /// Particles after a verb that make its object the other side of a join.
    static let particles: Set<String> = ["in", "for", "to", "on", "onto", "into", "up", "at", "out"]
    /// Prepositions after the object that name the object's parent.
    static let parentPrepositions: Set<String> = ["for", "on", "against", "to", "at", "in", "about", "from"]
    /// Verbs of people creating rows: the sentence is also their permission.
    static let creatingVerbs: Set<String> = [
        "log", "logs", "record", "records", "add", "adds", "write", "writes", "take", "takes", "file", "files",
        "raise", "raises", "submit", "submits", "create", "creates", "keep", "keeps", "enter", "enters", "make", "makes",
        "open", "opens", "issue", "issues", "fill", "fills",
    ]
    /// Nouns of joining verbs.
    static let nouns: [String: String] = [
        "enrol": "enrolment", "enroll": "enrollment", "register": "registration", "sign": "signup",
        "subscribe": "subscription", "attend": "attendance", "join": "membership", "book": "booking",
        "borrow": "loan", "rent": "rental", "apply": "application", "participate": "participation",
        "vote": "vote", "rate": "rating", "review": "review", "perform": "performance", "play": "appearance",
        "appear": "appearance", "compete": "entry", "enter": "entry", "volunteer": "shift", "work": "assignment",
        "bid": "bid", "order": "order", "reserve": "reservation", "visit": "visit", "teach": "teaching_assignment",
        "hire": "booking", "employ": "employment", "assign": "assignment", "sponsor": "sponsorship", "mentor": "mentorship",
    ]

    /// The sentence rewritten, or itself when it has another shape. A statement after ", and" may
    /// be rewritten alone ("…, and members sign up for sessions with a status"); `nounsInText` are
    /// the nouns the description uses after an article, which name a join written without fields
    /// ("candidates apply to openings; an application has …").
    static func rewrite(_ sentence: [DescriptionToken], nounsInText: Set<String> = []) -> Rewrite {
        becoming(sentence) ?? participleJoin(sentence) ?? rewritten(sentence, nounsInText: nounsInText) ?? rewritingOneStatement(sentence, nounsInText: nounsInText) ?? Rewrite(sentence: sentence)
    }

    /// The whole sentence rewritten, if it has the shape.
    static func rewritten(_ sentence: [DescriptionToken], nounsInText: Set<String>) -> Rewrite? {
        let subjectGroup = sentence.indices.first { $0 <= 2 && sentence[$0].groupTokens != nil }.flatMap { isSubjectGroup(sentence, at: $0) ? $0 : nil }
        if let colon = sentence.firstIndex(where: { $0.mark == ":" }), colon >= 5, sentence[..<colon].allSatisfy({ $0.word != nil }),
           let kept = keptForEach(sentence[..<colon].compactMap(\.word), position: sentence[0].position) {
            return Rewrite(sentence: kept + [.word("with", position: sentence[colon].position)] + sentence[(colon + 1)...]) // "we take readings in each greenhouse: …"
        }
        guard let fieldsStart = sentence.indices.first(where: { index in
            index >= 3 && index != subjectGroup && (sentence[index].word == "with" || sentence[index].groupTokens.map(NounPhraseList.listsFields(group:)) == true
                || receivesFields(sentence, at: index))
        }) else { return joinWithoutFields(sentence, subjectGroup: subjectGroup, nounsInText: nounsInText) }
        guard subjectGroup == nil || sentence[fieldsStart].word != nil else { return nil }
        var head = Array(sentence[..<fieldsStart])
        var rest = Array(sentence[(fieldsStart + (receivesFields(sentence, at: fieldsStart) ? 2 : 1))...])
        if sentence[fieldsStart].groupTokens != nil, let first = rest.first?.word, parentPrepositions.contains(first),
           rest.count <= 4, rest.allSatisfy({ $0.word != nil }) {
            // "developers leave comments (body, posted at) on issues": the parent follows the fields
            head += rest
            rest = []
        }
        if let subjectGroup { head.remove(at: subjectGroup) }
        if let comma = head.lastIndex(where: { $0.mark == "," }), comma + 1 < head.count, ArchitectLexicon.eachWords.contains(head[comma + 1].word ?? ""),
           head.count - comma - 2 <= 3, head[(comma + 1)...].allSatisfy({ $0.word != nil }) {
            head.removeSubrange(comma...) // "singers sign up for concerts, each sign-up with a position"
        }
        var fields = (sentence[fieldsStart].groupTokens ?? []) + rest
        if let span = spanOfJoin(head) { head = Array(head[..<span]) } // "… for the length of their holiday"
        if let period = periodOfJoin(head) {
            // "pupils join classes for a term (autumn, spring or summer) with …": the term is the join's
            fields = Array(head[(period + 1)...]) + [.mark(",", position: head[period].position)] + fields
            head = Array(head[..<period])
        }
        guard head.allSatisfy({ $0.word != nil }) else { return nil }
        if let kept = keptForEach(head.compactMap(\.word), position: sentence[0].position) {
            return Rewrite(sentence: kept + [.word("with", position: sentence[fieldsStart].position)] + fields)
        }
        guard let shape = Shape(head.compactMap(\.word)) else { return nil }
        let isPerson = shape.subject.last.map(ArchitectLexicon.namesPeople) ?? false
        let markers = head.indices.filter { ClauseMarker.match(in: head, at: $0) != nil }
        let creates = isPerson && creatingVerbs.contains(shape.verb)
        guard markers.isEmpty || creates && markers == [shape.verbIndex] else { return nil }
        let position = sentence[0].position
        let namedJoin = shape.particle.isEmpty ? nouns[stem(of: shape.verb)].flatMap { nounsInText.contains($0) ? $0 : nil } : nil // "teams book rooms …; each booking …"
        var result = Rewrite(sentence: shape.rewritten(position: position, join: namedJoin) + [.word("with", position: sentence[fieldsStart].position)] + fields)
        if let subjectGroup { result.extra.append(Array(sentence[...subjectGroup])) }
        if creates {
            // "carers log care notes" as a permission: "carers can log care notes"
            let verb = head[shape.verbIndex]
            let modal = ArchitectLexicon.modals.contains(head[shape.verbIndex - 1].word ?? "") ? [] : [DescriptionToken.word("can", position: verb.position)]
            result.extra.append(Array(head[..<shape.verbIndex]) + modal + Array(head[shape.verbIndex..<shape.objectEnd]))
        }
        return result
    }

    /// "we record test results for each learner" → "test results belong to a learner": what we
    /// keep for (or in) each of a thing is its child. An adverb may stand after "we" ("we also
    /// take sensor readings in each greenhouse").
    private static func keptForEach(_ words: [String], position: Int) -> [DescriptionToken]? {
        let words = words.count > 2 && ["we", "i"].contains(words[0]) && (words[1] == "also" || ArchitectLexicon.isAdverb(words[1]))
            ? [words[0]] + words.dropFirst(2) : words
        guard words.count >= 5, ["we", "i"].contains(words[0]), ClauseSplitter.keepingVerbs.union(creatingVerbs).contains(words[1]),
              let each = words.firstIndex(where: ArchitectLexicon.eachWords.contains), each >= 4, ["for", "of", "on", "per", "in"].contains(words[each - 1]) else { return nil }
        let object = words[2..<(each - 1)].filter { !ArchitectLexicon.determiners.contains($0) }
        let parent = Array(words[(each + 1)...])
        guard (1...3).contains(object.count), object.last.map(EnglishInflection.isPlural) == true, (1...2).contains(parent.count) else { return nil }
        return ([compound(Array(object))] + ["belong", "to", "a"] + parent).map { .word($0, position: position) }
    }

    /// The words of a thing's name as one token ("reading_records"), so that none of them reads as
    /// a verb; frequencies dropped ("daily care notes" → "care_notes").
    static func compound(_ words: [String]) -> String {
        let kept = words.count > 1 && ArchitectLexicon.frequencyWords.contains(words[0]) ? Array(words.dropFirst()) : words
        return kept.joined(separator: "_")
    }

    /// Whether the group at `index` follows the sentence's subject ("Patients (name, phone) book …").
    private static func isSubjectGroup(_ sentence: [DescriptionToken], at index: Int) -> Bool {
        (1...2).contains(index) && sentence[..<index].allSatisfy { $0.word != nil }
            && sentence[index - 1].word.map(EnglishInflection.isPlural) == true
    }

    /// The parts of a sentence of the rewritten shape, as words.
    struct Shape {
        /// Who does it ("customers").
        var subject: [String]
        /// The verb ("place") and where it stands.
        var verb: String
        var verbIndex: Int
        /// Particles after the verb ("up for"): the object is the other side of a join.
        var particle: [String]
        /// What is done ("orders") and where it ends.
        var object: [String]
        var objectEnd: Int
        /// The object's parent after a preposition ("for a property"), if any.
        var parent: [String]
        /// Whether "many" stood before the object ("recipes use many ingredients"): each row of
        /// the subject has many of the object, and the object many of the subject's — a join.
        var many: Bool

        /// Reads the words before the fields; nil when they have another shape.
        init?(_ words: [String]) {
            guard let verbIndex = (1...2).first(where: { $0 < words.count && EnglishInflection.isPlural(words[$0 - 1]) && !EnglishInflection.isPlural(words[$0]) }) else { return nil }
            var subject = Array(words[..<verbIndex])
            var index = verbIndex
            while index < words.count, ArchitectLexicon.modals.contains(words[index]) { index += 1 }
            guard index < words.count, !ArchitectLexicon.determiners.contains(words[index]) || words[index] == "own", !ArchitectLexicon.phraseStops.contains(words[index]),
                  !VerbSentences.parentPrepositions.contains(words[index]), words[index] != "of",
                  !ArchitectLexicon.boundaries.contains(words[index]), !NounPhrase.verbLike.contains(words[index]) else { return nil }
            verb = words[index]
            self.verbIndex = index
            index += 1
            particle = []
            while index < words.count, VerbSentences.particles.contains(words[index]), particle.count < 2 { particle.append(words[index]); index += 1 }
            many = false
            while index < words.count, ArchitectLexicon.determiners.contains(words[index]) || ArchitectLexicon.collectionWords.contains(words[index]) {
                many = many || DescriptionReading.manyWords.contains(words[index])
                index += 1
            }
            let objectStart = index
            while index < words.count, !VerbSentences.parentPrepositions.contains(words[index]) { index += 1 }
            object = Array(words[objectStart..<index])
            objectEnd = index
            parent = []
            if index < words.count {
                parent = words[(index + 1)...].filter { !ArchitectLexicon.determiners.contains($0) }
                guard (1...2).contains(parent.count), !parent.contains(where: ArchitectLexicon.phraseStops.contains) else { return nil }
            }
            guard (1...3).contains(object.count), let head = object.last, EnglishInflection.isPlural(head), !object.contains(where: NounPhrase.verbLike.contains),
                  !ArchitectLexicon.pluralFieldWords.contains(head) || object.count > 1,
                  (1...2).contains(subject.count), !subject.contains(where: ArchitectLexicon.applicationWords.contains) else { return nil }
            subject = subject.filter { !ArchitectLexicon.determiners.contains($0) }
            self.subject = subject
        }

        /// "orders belong to a customer (and a Y)" or "enrolments link a student to a course"; a
        /// join `named` by the text ("scores link a juror to a film").
        func rewritten(position: Int, join named: String? = nil) -> [DescriptionToken] {
            func word(_ text: String) -> DescriptionToken { .word(text, position: position) }
            func singular(_ words: [String]) -> [DescriptionToken] {
                words.dropLast().map(word) + [word(EnglishInflection.singular(words.last ?? ""))]
            }
            let parentWords = parent.isEmpty ? [] : [word("and"), word("a")] + singular(parent)
            let objectIsPeople = object.last.map(ArchitectLexicon.namesPeople) ?? false
            if named == nil, particle.isEmpty && !objectIsPeople && !many && !joinsWithoutParticle.contains(VerbSentences.stem(of: verb)) {
                return [word(VerbSentences.compound(object)), word("belong"), word("to"), word("a")] + singular(subject) + parentWords
            }
            let join = named ?? nouns[VerbSentences.stem(of: verb)] ?? "\(EnglishInflection.singularName(subject))_\(EnglishInflection.singular(object.last ?? ""))"
            return [word(EnglishInflection.plural(join)), word("link"), word("a")] + singular(subject) + [word("to"), word("a")]
                + singular(object) + parentWords
        }
    }

    /// A verb without its third-person ending: "enrols" → "enrol", "applies" → "apply".
    static func stem(of verb: String) -> String {
        if verb.hasSuffix("ies") { return String(verb.dropLast(3)) + "y" }
        if verb.hasSuffix("es"), nouns[String(verb.dropLast(2))] != nil { return String(verb.dropLast(2)) }
        if verb.hasSuffix("s"), !verb.hasSuffix("ss") { return String(verb.dropLast()) }
        return verb
    }
}
