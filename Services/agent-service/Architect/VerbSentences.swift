/// Sentences whose verb the clause reader does not know, rewritten into ones it does:
///
/// - a join with attributes — "students enrol in courses with a grade" → "enrolments link a
///   student to a course with a grade": the verb's noun (or the pair's names) is the join entity;
/// - a parent's children — "customers place orders with a total" → "orders belong to a customer
///   with a total".
///
/// Only sentences of that exact shape are rewritten: a plural subject of one or two words, one
/// verb (a modal may stand before it), particles for a join ("in", "for", "up for", "to", "on"),
/// a plural object of one or two words, then "with" and the fields.
enum VerbSentences {
    /// Particles after a verb that make its object the other side of a join.
    static let particles: Set<String> = ["in", "for", "to", "on", "onto", "into", "up", "at"]
    /// Nouns of joining verbs.
    static let nouns: [String: String] = [
        "enrol": "enrolment", "enroll": "enrollment", "register": "registration", "sign": "signup",
        "subscribe": "subscription", "attend": "attendance", "join": "membership", "book": "booking",
        "borrow": "loan", "rent": "rental", "apply": "application", "participate": "participation",
        "vote": "vote", "rate": "rating", "review": "review", "perform": "performance", "play": "appearance",
        "appear": "appearance", "compete": "entry", "enter": "entry", "volunteer": "shift", "work": "assignment",
        "bid": "bid", "order": "order", "reserve": "reservation", "visit": "visit", "teach": "teaching_assignment",
    ]

    /// The sentence rewritten, or itself when it has another shape.
    static func rewrite(_ sentence: [DescriptionToken]) -> [DescriptionToken] {
        guard let with = sentence.firstIndex(where: { $0.word == "with" }), with >= 3,
              sentence[..<with].allSatisfy({ $0.word != nil }),
              !sentence[..<with].indices.contains(where: { ClauseMarker.match(in: sentence, at: $0) != nil }) else { return sentence }
        var words = sentence[..<with].compactMap(\.word)
        let position = sentence[0].position
        guard let verbIndex = (1...2).first(where: { $0 < words.count && EnglishInflection.isPlural(words[$0 - 1]) && !EnglishInflection.isPlural(words[$0]) }) else { return sentence }
        var subject = Array(words[..<verbIndex])
        words.removeFirst(verbIndex)
        while let first = words.first, ArchitectLexicon.modals.contains(first) { words.removeFirst() }
        guard let verb = words.first, !ArchitectLexicon.determiners.contains(verb) else { return sentence }
        words.removeFirst()
        var particle: [String] = []
        while let first = words.first, particles.contains(first), particle.count < 2 { particle.append(first); words.removeFirst() }
        while let first = words.first, ArchitectLexicon.determiners.contains(first) || ArchitectLexicon.collectionWords.contains(first) { words.removeFirst() }
        guard (1...2).contains(words.count), let head = words.last, EnglishInflection.isPlural(head),
              (1...2).contains(subject.count), !subject.contains(where: ArchitectLexicon.applicationWords.contains) else { return sentence }
        subject = subject.filter { !ArchitectLexicon.determiners.contains($0) }
        let object = words
        let rest = Array(sentence[(with + 1)...])
        func word(_ text: String) -> DescriptionToken { .word(text, position: position) }
        if particle.isEmpty {
            // "customers place orders with a total" → "orders belong to a customer with a total"
            return object.map(word) + [word("belong"), word("to"), word("a")] + subject.dropLast().map(word)
                + [word(EnglishInflection.singular(subject.last ?? ""))] + [word("with")] + rest
        }
        let stem = stem(of: verb)
        let join = nouns[stem] ?? "\(EnglishInflection.singularName(subject))_\(EnglishInflection.singular(head))"
        // "students enrol in courses with a grade" → "enrolments link a student to a course with a grade"
        return [word(EnglishInflection.plural(join)), word("link"), word("a")] + subject.dropLast().map(word)
            + [word(EnglishInflection.singular(subject.last ?? "")), word("to"), word("a")] + object.dropLast().map(word)
            + [word(EnglishInflection.singular(head)), word("with")] + rest
    }

    /// A verb without its third-person ending: "enrols" → "enrol", "applies" → "apply".
    static func stem(of verb: String) -> String {
        if verb.hasSuffix("ies") { return String(verb.dropLast(3)) + "y" }
        if verb.hasSuffix("es"), nouns[String(verb.dropLast(2))] != nil { return String(verb.dropLast(2)) }
        if verb.hasSuffix("s"), !verb.hasSuffix("ss") { return String(verb.dropLast()) }
        return verb
    }
}
