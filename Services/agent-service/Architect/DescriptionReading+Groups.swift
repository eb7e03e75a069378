import Shared

/// Entities written with their field lists in parentheses, wherever they stand: "Customers (name,
/// email, phone) own vehicles (make, model, mileage in km)", "A rental shop: bikes (size, colour),
/// riders (name, email)".
extension DescriptionReading {
    /// Words that end the noun phrase before a group when looking back from it.
    static let groupPhraseStops: Set<String> = ArchitectLexicon.determiners
        .union(ArchitectLexicon.modals).union(ArchitectLexicon.boundaries)
        .union(["of", "to", "in", "for", "with", "by", "on", "at", "from", "into", "are", "is", "be", "we", "i", "there"])
    /// Particles that stay with the verb between two grouped entities ("sign up for", "enrol in").
    static let verbParticles: Set<String> = ["up", "in", "for", "to", "with", "on", "into", "at", "from", "out"]
    /// Verbs between two grouped entities that make the first belong to the second ("work for").
    static let belongingVerbs: Set<String> = ["belong", "belongs", "work", "works", "report", "reports", "live", "lives", "sit", "sits"]

    /// Pass 4a: every noun phrase followed by a group of at least two fields names an entity with
    /// those fields (unless it is a singular field with values, "a stage (lead, won, lost)"); two
    /// such entities joined by a verb the clause reader does not know (not by "and": "customers
    /// (…) and medicines (…)" is a list) are linked: the second
    /// refers to the first ("customers (…) own vehicles (…)"), or the first to the second after a
    /// verb of belonging ("engineers (…) work for depots (…)").
    mutating func collectGroupedEntities() {
        for (number, sentence) in sentences.enumerated() {
            var run: [DescriptionToken] = []
            var previousEntity: String?
            var runStartsSentence = true
            for token in sentence {
                if token.word != nil {
                    run.append(token)
                    continue
                }
                guard let group = token.groupTokens else {
                    run = []
                    previousEntity = nil
                    runStartsSentence = false
                    continue
                }
                let startsSentence = runStartsSentence
                runStartsSentence = false
                defer { run = [] }
                let parent = previousEntity
                previousEntity = nil
                guard NounPhraseList.groupParts(group).count >= 2, FieldTypeRules.hintedType(NounPhraseList.groupParts(group)) == nil, // "floodlights (yes/no)"
                      let (verb, noun) = Self.verbAndNoun(run, afterEntity: parent != nil),
                      isEntityWithFields(noun, startsSentence: startsSentence && noun.count == run.count),
                      let name = Self.listedEntityName(noun.compactMap(\.word), asSubject: true) else { continue }
                draft.addEntity(name, position: noun[0].position)
                listedFields.append((name, group))
                usedSentences.insert(number)
                if let parent, parent != name,
                   !run.indices.contains(where: { ClauseMarker.match(in: run, at: $0) != nil }) {
                    let verbWords = verb.compactMap(\.word)
                    if verbWords.count == 1, !ArchitectLexicon.boundaries.contains(verbWords[0]) { groupLinks.append((child: name, parent: parent)) }
                    else if let first = verbWords.first, Self.belongingVerbs.contains(first) { groupLinks.append((child: parent, parent: name)) }
                }
                previousEntity = name
            }
        }
    }

    /// The verb (when the run follows a grouped entity) and the noun phrase of a run of words
    /// before a group.
    static func verbAndNoun(_ run: [DescriptionToken], afterEntity: Bool) -> (verb: [DescriptionToken], noun: [DescriptionToken])? {
        var verb: [DescriptionToken] = []
        var rest = run[...]
        if afterEntity, let first = rest.first {
            verb.append(first)
            rest = rest.dropFirst()
            while let particle = rest.first, let word = particle.word, verbParticles.contains(word) {
                verb.append(particle)
                rest = rest.dropFirst()
            }
        }
        var noun = Array(rest)
        if let stop = noun.lastIndex(where: { groupPhraseStops.contains($0.word ?? "") }) { noun = Array(noun[(stop + 1)...]) }
        if let verb = noun.indices.last(where: { ClauseMarker.match(in: noun, at: $0) != nil }) {
            noun = Array(noun[(verb + ClauseMarker.match(in: noun, at: verb)!.length)...])
        }
        if noun.count > 3 { noun = Array(noun.suffix(2)) }
        return noun.isEmpty ? nil : (verb, noun)
    }

    /// Whether a noun phrase before a group names an entity rather than a field with values: a
    /// plural ("bikes (size, colour)"), or a bare singular that opens its sentence ("Customer
    /// (name, email)"); a singular inside a list is a field ("a vehicle (bike, scooter or van)").
    func isEntityWithFields(_ noun: [DescriptionToken], startsSentence: Bool) -> Bool {
        guard let head = noun.last?.word else { return false }
        if ArchitectLexicon.applicationWords.contains(head) { return false }
        if EnglishInflection.isPlural(head) && !ArchitectLexicon.pluralFieldWords.contains(head) { return true }
        return startsSentence && !ArchitectLexicon.valueHeads.contains(head) && FieldTypeRules.enumDefaults[head] == nil
    }
}
