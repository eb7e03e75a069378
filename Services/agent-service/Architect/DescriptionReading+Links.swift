import Shared

/// Entities that link others: "Visits link an engineer to a job with an arrival time and notes",
/// "Loans tie a member to a copy, with a due date". The linked parties are entities the subject
/// refers to; what follows "with" (or a comma after the parties) are the subject's own fields.
extension DescriptionReading {
    /// Prepositions that name a further party ("put a crop into a bed", "a student to a tutor for
    /// a subject").
    static let partySeparators: Set<String> = ["at", "into", "in", "on", "onto", "for"]

    /// Words that end the parties of a link and start its fields.
    static let linkAttributeStarts: Set<String> = ["with", "including", "having", "recording", "plus", "storing"]

    /// The linked parties and the fields of a link clause's object.
    static func linkParts(_ object: [DescriptionToken]) -> (parties: [NounPhrase], fields: [NounPhrase]) {
        var parties: [DescriptionToken] = []
        var fields: [DescriptionToken] = []
        var inFields = false
        var sawSecondParty = false
        var skip: Int?
        for (index, token) in object.enumerated() {
            if index == skip { continue }
            if inFields {
                // ", scheduled datetime with a tray count": "with" separates the fields
                fields.append(token.word.map(linkAttributeStarts.contains) == true ? .mark(",", position: token.position) : token)
            } else if let word = token.word, linkAttributeStarts.contains(word) {
                inFields = true
            } else if let word = token.word, word == "and", sawSecondParty, case let next = index + 1,
                      next + 1 < object.count, let verb = object[next].word, !ArchitectLexicon.determiners.contains(verb),
                      object[next + 1].word.map(ArchitectLexicon.determiners.contains) == true {
                // "… to a ticket type and carry a barcode": a verb ends the parties
                inFields = true
                skip = next
            } else if let word = token.word, word == "to" || word == "between" || word == "and" || partySeparators.contains(word) && !parties.isEmpty {
                sawSecondParty = sawSecondParty || word != "between"
                parties.append(.mark(",", position: token.position))
            } else if token.mark == ",", sawSecondParty {
                inFields = true
            } else {
                parties.append(token)
            }
        }
        let named = NounPhraseList.parse(parties)
        let typed = named.filter(isTypedField) // "… to a layout on a date": the date is a field
        return (named.filter { !isTypedField($0) }, typed + NounPhraseList.parse(fields))
    }

    /// Whether a phrase names a field of a type other than text ("a date", "a start time").
    static func isTypedField(_ item: NounPhrase) -> Bool {
        !item.namesMany && (FieldTypeRules.field(from: item.words).type.map { $0 != .string }
            ?? (FieldTypeRules.type(forName: EnglishInflection.snakeCase(item.words)) != .string))
    }

    /// The entity a linked party names: a known entity, else a new one.
    func linkedEntity(_ party: NounPhrase) -> String? {
        matcher.entity(for: party.words) ?? Self.entityName(party.words)
    }

    /// Adds the entities a link clause names.
    mutating func addLinkedEntities(_ clause: Clause) {
        for party in Self.linkParts(clause.object).parties {
            if let name = linkedEntity(party) { draft.addEntity(name, position: party.position) }
        }
    }

    /// "X links a Y to a Z with …": required references to Y and Z, and X's fields.
    mutating func applyLink(_ clause: Clause, to subject: String) {
        let parts = Self.linkParts(clause.object)
        for party in parts.parties {
            guard let target = linkedEntity(party), target != subject else { continue }
            addField(DraftField(name: target, type: .reference, required: true, references: target), to: subject)
        }
        for item in parts.fields { applyHas(item, to: subject) }
    }
}
