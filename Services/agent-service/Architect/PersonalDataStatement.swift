/// A sentence that says which data is personal: "patients' contact details are personal data",
/// "treat employee addresses as confidential", "salaries must be encrypted", "company phone
/// numbers are not personal data".
///
/// The sentence has a subject — the data — and a predicate of personal data (personal data,
/// personal information, PII, sensitive, confidential, private, encrypted) after a copula
/// (is, are, count as, must be kept …) or inside "treat/mark/handle X as …"; "not" before the
/// predicate says the opposite. The subject names entities (by their names, singular or plural)
/// and what of them: "contact details" (e-mail, phone, address and name fields), data in general
/// ("data", "details", "records": every field of their own), or fields by name ("addresses and
/// phone numbers"). Fields named without an entity are those of every entity.
struct PersonalDataStatement: Sendable, Equatable {
    /// The subject's words, singular, determiners left out.
    var subject: [String]
    /// Whether the data is personal (false for "… are not personal data").
    var personal: Bool

    /// Words of a personal-data predicate.
    static let predicates: Set<String> = ["personal", "pii", "sensitive", "confidential", "private", "encrypted", "secret"]
    /// Verbs after which the predicate follows the subject.
    static let copulas: Set<String> = ["is", "are", "count", "counts", "be", "considered", "kept", "remain", "remains", "stay", "must", "should"]
    /// Words between a copula and the predicate: "must always be treated as", "are not".
    static let linkers: Set<String> = ["not", "as", "treated", "always", "also", "strictly", "highly", "to", "regarded"]
    /// Verbs that put the subject after them: "treat X as confidential", "keep X private".
    static let treatVerbs: Set<String> = ["treat", "mark", "flag", "handle", "classify", "consider", "keep"]
    /// Words that say nothing about which data.
    static let fillers: Set<String> = ["the", "a", "an", "all", "any", "their", "its", "our", "every", "each", "of", "and", "or", "'", "s", "own"]
    /// Words that mean an entity's data in general.
    static let generalWords: Set<String> = ["data", "detail", "information", "info", "record", "field", "everything", "profile"]
    /// Last words of a contact field's name.
    static let contactWords: Set<String> = ["email", "phone", "mobile", "telephone", "address", "name", "fax", "postcode", "zip"]

    /// The statements of a description, in order.
    static func read(_ description: String) -> [PersonalDataStatement] {
        DescriptionTokenizer().sentences(description).compactMap(statement(in:))
    }

    /// The statement of one sentence, if it is one: in words, or as a label ("employee names +
    /// emails = personal data", "contact bits: PII") whose colon is followed by the predicate alone.
    static func statement(in tokens: [DescriptionToken]) -> PersonalDataStatement? {
        func words(_ tokens: ArraySlice<DescriptionToken>) -> [String] {
            Array(tokens).words.map { $0.replacingOccurrences(of: "'", with: "") }.filter { !$0.isEmpty }
        }
        if let colon = tokens.firstIndex(where: { $0.mark == ":" }), colon > 0, tokens[..<colon].allSatisfy({ $0.mark == nil }) {
            let predicate = words(tokens[(colon + 1)...])
            let kept = words(tokens[..<colon]).filter { !fillers.contains($0) }.map(EnglishInflection.singular)
            if !kept.isEmpty, !predicate.isEmpty, predicate.contains(where: predicates.contains),
               predicate.allSatisfy({ predicates.contains($0) || labelPredicateWords.contains($0) }) {
                return PersonalDataStatement(subject: kept, personal: !predicate.contains("not"))
            }
        }
        return statement(words(tokens[...]))
    }

    /// Words that may stand with a predicate after a label's colon ("= not personal data").
    static let labelPredicateWords: Set<String> = ["data", "information", "info", "not", "all", "both"]

    /// The statement of one sentence's words, if it is one.
    static func statement(_ words: [String]) -> PersonalDataStatement? {
        guard let predicate = words.firstIndex(where: predicates.contains),
              predicate + 1 == words.count || words[predicate + 1] != "to" else { return nil }
        var start = predicate
        while start > 0, copulas.contains(words[start - 1]) || linkers.contains(words[start - 1]) { start -= 1 }
        let subject: ArraySlice<String>
        if let verb = words[..<start].lastIndex(where: treatVerbs.contains) {
            subject = words[(verb + 1)..<start]
        } else if start < predicate, copulas.contains(words[start]) {
            subject = words[..<start]
        } else {
            return nil
        }
        let kept = subject.filter { !fillers.contains($0) }.map(EnglishInflection.singular)
        guard !kept.isEmpty else { return nil }
        return PersonalDataStatement(subject: kept, personal: !words[start..<predicate].contains("not"))
    }

    /// Sets the explicit PII flag of the fields the statement names.
    func apply(to entities: inout [DraftEntity]) {
        let named = entities.map(\.name).filter { name in
            let words = name.split(separator: "_").map(String.init)
            // "staff names" name `staff_member`: the first word of an entity of people
            return subject.contains(phrase: words) || words.count > 1 && ArchitectLexicon.namesPeople(words[0]) && subject.contains(words[0])
        }
        let rest = subject.filter { word in !named.contains { $0.split(separator: "_").contains(Substring(word)) } }
        for index in entities.indices where named.isEmpty || named.contains(entities[index].name) {
            for fieldIndex in entities[index].fields.indices {
                let field = entities[index].fields[fieldIndex]
                guard field.type != .reference, !field.holdsUserID, names(field, rest: rest, entityNamed: !named.isEmpty) else { continue }
                entities[index].fields[fieldIndex].pii = personal
            }
        }
    }

    /// Whether the rest of the subject (without entity names) names a field.
    private func names(_ field: DraftField, rest: [String], entityNamed: Bool) -> Bool {
        let words = SensitiveDataClassifier.words(field.name)
        if rest.contains("contact") {
            // "captains' contact details": the contact fields that name the captain
            let whose = rest.filter { !["contact", "detail"].contains($0) && !Self.generalWords.contains($0) }
            return (field.type.isPIIByNature || words.last.map(Self.contactWords.contains) == true) && whose.allSatisfy(words.contains)
        }
        if rest.allSatisfy(Self.generalWords.contains) { return entityNamed }
        let meaningful = words.filter { !SensitiveDataClassifier.genericNames.contains($0) && !Self.fillers.contains($0) }
        return !meaningful.isEmpty && meaningful.allSatisfy(rest.contains)
    }
}
