import Shared

/// Fields, references and many-to-many pairs from the clauses about entities.
extension DescriptionReading {
    /// What one item of an entity's list stands for.
    enum ItemMeaning: Equatable {
        /// "many tasks": the subject has many of another entity.
        case collection(String)
        /// "a company", "a primary contact": a reference field to another entity.
        case reference(field: String, target: String)
        /// "an owner", "an assignee", "a doctor" (a role): a field holding a user id.
        case userField(String)
        /// A plain field.
        case plain
        /// Nothing usable.
        case skip
    }

    /// Field names that are required unless the text says "optional".
    static let requiredByDefault: Set<String> = ["name", "title", "subject", "first_name", "last_name", "sku"]
    /// Field names that are unique within a tenant.
    static let uniqueByDefault: Set<String> = [
        "sku", "slug", "username", "invoice_number", "order_number", "employee_number", "isbn",
        "tracking_number", "serial_number", "ticket_number", "reference_number", "barcode",
    ]

    /// What an item of a subject's list stands for.
    func meaning(of item: NounPhrase, in subject: String) -> ItemMeaning {
        let words = item.words
        guard let lastWord = words.last, words.count <= 5, !Self.isPartitive(words) else { return .skip }
        if !item.namesMany, let group = item.group, let known = matcher.entity(for: words), known != subject,
           listedFields.contains(where: { $0.0 == known && $0.1 == group }) {
            return .reference(field: known, target: known) // "one guide (name, languages)": the group is the guide's own fields
        }
        if item.hasValues, !item.namesMany || item.group.map({ FieldTypeRules.hintedType(NounPhraseList.groupParts($0)) != nil }) == true {
            return .plain // "a stage (lead, won)", "life jackets (yes/no)"
        }
        let snake = EnglishInflection.snakeCase(words)
        let whole = EnglishInflection.singularName(words)
        if ArchitectLexicon.userFieldWords.contains(snake) {
            if !item.namesMany, let target = matcher.entity(for: words), target != subject { return .reference(field: target, target: target) }
            return .userField(snake)
        }
        if words.count >= 2, ArchitectLexicon.userFieldWords.contains(words[0]) {
            let tail = RoleNames.name(from: Array(words.dropFirst())) ?? ""
            if draft.roleNames.contains(tail) || tail == "user" || ArchitectLexicon.personWords.contains(EnglishInflection.singular(lastWord)) {
                return .userField(words[0])
            }
        }
        let role = RoleNames.canonical(whole)
        if !item.namesMany, draft.roleNames.contains(role), !entityNames.contains(whole) { return .userField(role) }
        if item.namesMany {
            if let target = matcher.entity(for: words), target != subject { return .collection(target) }
            if let group = item.group, NounPhraseList.groupParts(group).count >= 2, Self.entityName(words, asSubject: true) != nil, whole != subject {
                return .collection(whole)
            }
            if looksLikeCollection(item), whole != subject { return .collection(whole) }
            return .plain
        }
        if let target = matcher.entity(for: words) { return .reference(field: target, target: target) }
        if words.count <= 2, !draft.roleNames.contains(role), whole != subject,
           EntityArchetypes.archetype(named: whole)?.isParent == true, isTalkedAbout(whole) {
            return .reference(field: whole, target: whole)
        }
        for length in [2, 1] where words.count > length && !words.contains("of") {
            if ArchitectLexicon.frequencyWords.contains(words[words.count - length - 1]) { continue } // "a monthly repayment" is an amount, not a repayment
            let suffix = Array(words.suffix(length))
            let suffixName = EnglishInflection.singularName(suffix)
            if entityNames.contains(suffixName) { return .reference(field: snake, target: suffixName) }
            if let name = RoleNames.name(from: suffix), draft.roleNames.contains(name) { return .userField(snake) }
        }
        return .plain
    }

    /// The items of a clause's object as children or fields: the plural objects of a verb of
    /// children ("each vehicle gets repair orders (…)") and a plural followed by fields of its own
    /// ("each appointment can have consultation notes with a diagnosis") name many children; so
    /// does any object of a verb of children introduced with its fields ("every lesson gets a
    /// lesson report with a rating").
    func objectItems(ofClause index: Int) -> [NounPhrase] {
        let clause = clauses[index]
        var items = NounPhraseList.parse(clause.object)
        guard clause.marker.kind == .has, let last = items.indices.last else { return items }
        let next = index + 1 < clauses.count ? clauses[index + 1] : nil
        let introduced = next.map { $0.sentence == clause.sentence && $0.isRelative && ClauseSplitter.attributive.contains($0.marker.words) } ?? false
        for position in items.indices where items[position].quantity != .one || clause.marker.listsChildren {
            let item = items[position]
            let withFields = position == last && introduced || item.group.map { NounPhraseList.groupParts($0).count >= 2 } == true
            let plural = item.words.last.map(EnglishInflection.isPlural) ?? false
            let child = (clause.marker.listsChildren ? item.isPlural || withFields : plural && withFields) && singleParentWithFields(item, in: clause) == nil
            guard child, item.words.count <= 3, Self.entityName(item.words, asSubject: true) != nil else { continue }
            items[position].quantity = .many
        }
        return items
    }

    /// Whether the text speaks of a thing beyond naming it once in a list of fields: its plural
    /// appears ("companies"), or it is named in two sentences. "Members: name, email, company"
    /// keeps `company` a field; "contacts have a company … companies have a domain" makes it an entity.
    func isTalkedAbout(_ name: String) -> Bool {
        let words = name.split(separator: "_").map(String.init)
        let plural = EnglishInflection.pluralName(name).split(separator: "_").map(String.init)
        var sentencesNaming = 0
        for sentence in sentences {
            let text = sentence.flatMap { $0.groupTokens.map { $0.compactMap(\.word) } ?? $0.word.map { [$0] } ?? [] }
            if text.contains(phrase: plural) { return true }
            if text.contains(phrase: words) { sentencesNaming += 1 }
        }
        return sentencesNaming >= 2
    }

    /// Whether a plural phrase names child entities rather than a field ("tags" yes, "notes" no).
    ///
    /// A plural of no known entity or archetype is a field ("dietary needs", "allergens") unless a
    /// quantifier says there are many of them ("many milestones").
    func looksLikeCollection(_ item: NounPhrase) -> Bool {
        let words = item.words
        guard let last = words.last, !ArchitectLexicon.pluralFieldWords.contains(last), FieldTypeRules.type(forName: last) == .string,
              Self.entityName(words) != nil else { return false }
        let name = EnglishInflection.singularName(words)
        if EntityArchetypes.archetype(named: name) != nil { return true }
        return item.quantity == .many && FieldTypeRules.type(forName: name) == .string
    }

    /// Pass 5: fields, references and user fields from every clause about entities.
    mutating func collectFields() {
        for (entity, group) in listedFields {
            for item in NounPhraseList.parse(group) { applyHas(item, to: entity) }
        }
        for link in groupLinks {
            addField(DraftField(name: link.parent, type: .reference, required: true, references: link.parent), to: link.child)
        }
        for (index, (clause, subject)) in zip(clauses, subjects).enumerated() {
            let items = objectItems(ofClause: index)
            switch subject {
            case .entities(let names):
                for name in names {
                    if let parent = subjectParent(clause) { applyParent(parent, to: name) }
                    if clause.marker.kind == .links {
                        applyLink(clause, to: name)
                        continue
                    }
                    if clause.marker.kind == .belongsTo {
                        let (parents, fields) = Self.parentsAndFields(clause.object)
                        for item in parents where !parentIsAnotherRow(clause, of: names) { applyParent(item, to: name) }
                        for item in fields { applyHas(item, to: name) }
                        continue
                    }
                    if case .userLink(let field) = clause.marker.kind {
                        // "a job is assigned to a translator with a due at and a fee": the fields are the job's
                        let (users, fields) = Self.parentsAndFields(clause.object)
                        for item in users { applyUserLink(item, field: field, to: name) }
                        if users.isEmpty { // "room, assigned to, due at" in a list of fields
                            addField(DraftField(name: field, type: .string, required: field == "owner", holdsUserID: true), to: name)
                        }
                        for item in fields { applyHas(item, to: name) }
                        continue
                    }
                    for item in items {
                        switch clause.marker.kind {
                        case .has, .tracks, .label: applyHas(item, to: name)
                        case .belongsTo: break
                        case .userLink(let field): applyUserLink(item, field: field, to: name)
                        case .permits, .links: break
                        }
                    }
                }
            case .application, .entityList:
                guard [.has, .tracks, .label].contains(clause.marker.kind) else { continue }
                for item in items {
                    guard let name = Self.entityName(item.words), entityNames.contains(name) else { continue }
                    let written = Self.writtenWords(of: item, in: clause.object)
                    if let split = Self.forSplit(written),
                       let parent = matcher.entity(for: written[(split + 1)...].filter { !ArchitectLexicon.determiners.contains($0) }), parent != name {
                        addField(DraftField(name: parent, type: .reference, required: true, references: parent), to: name) // "copies of each book (…)"
                    }
                    guard let group = item.group else { continue }
                    for fieldItem in NounPhraseList.parse(group) { applyHas(fieldItem, to: name) }
                }
            default:
                break
            }
        }
    }

    /// "X has …": a field, a reference, a user field, or children.
    mutating func applyHas(_ item: NounPhrase, to subject: String) {
        switch meaning(of: item, in: subject) {
        case .collection(let child):
            manyOf.append((subject, child))
            if let group = item.group, NounPhraseList.groupParts(group).count >= 2 {
                for fieldItem in NounPhraseList.parse(group) { applyHas(fieldItem, to: child) }
            }
            if archetypeLinks(of: subject).contains(child), !archetypeLinks(of: child).contains(subject) {
                addField(DraftField(name: child, type: .reference, references: child), to: subject)
            } else {
                addField(DraftField(name: subject, type: .reference, required: true, references: subject, fromCollection: true), to: child)
            }
        case .reference(let field, let target):
            addField(DraftField(name: field, type: .reference, required: item.required ?? false, references: target), to: subject)
        case .userField(let name):
            addField(DraftField(name: name, type: .string, required: item.required ?? (name == "owner"), holdsUserID: true), to: subject)
        case .plain:
            guard let field = plainField(item, of: subject) else { return }
            if field.type == .enum, item.values == nil, FieldTypeRules.hintedType(item.group.map(NounPhraseList.groupParts) ?? []) == nil,
               (item.group.map(NounPhraseList.groupParts)?.count ?? 0) < 2, draft.index(of: subject).flatMap({ draft.entities[$0].field(named: field.name) }) == nil {
                draft.assumptions.append("\(subject).\(field.name): no values were written; assumed \((field.values ?? []).joined(separator: ", ")).")
            }
            addField(field, to: subject)
        case .skip:
            break
        }
    }

    /// "X belongs to Y": a required reference (or user field); "belongs to many Y" is many-to-many.
    mutating func applyParent(_ item: NounPhrase, to subject: String) {
        var item = item
        if let group = item.group, let name = parentEntity(item), listedFields.contains(where: { $0.0 == name && $0.1 == group }) {
            item.group = nil // the parent's own fields, read with it
        }
        let meaning = meaning(of: item, in: subject)
        if item.quantity == .many {
            if case .collection(let target) = meaning { draft.addManyToMany(subject, target) }
            return
        }
        switch meaning {
        case .collection(let target) where target == subject:
            addField(DraftField(name: "parent_\(target)", type: .reference, references: target), to: subject)
        case .collection(let target):
            addField(DraftField(name: target, type: .reference, required: true, references: target), to: subject)
        case .reference(let field, let target):
            addField(DraftField(name: field, type: .reference, required: item.required ?? true, references: target), to: subject)
        case .userField(let name):
            addField(DraftField(name: name, type: .string, required: true, holdsUserID: true), to: subject)
        case .plain:
            if let parent = parentEntity(item), entityNames.contains(parent), parent != subject {
                addField(DraftField(name: parent, type: .reference, required: true, references: parent), to: subject)
            } else if let field = plainField(item, of: subject), field.type != .string {
                addField(field, to: subject)
            }
        case .skip:
            break
        }
    }

    /// "X is assigned to Y" / "X is owned by Y": a user field, or a reference when Y is an entity;
    /// people assigned to things ("loss adjusters are assigned to claims") are the things' reference.
    mutating func applyUserLink(_ item: NounPhrase, field: String, to subject: String) {
        let role = RoleNames.name(from: item.words) ?? ""
        if item.isPlural, item.quantity != .one, let target = matcher.entity(for: item.words), target != subject,
           ArchitectLexicon.namesPeople(subject.split(separator: "_").last.map(String.init) ?? ""),
           !(item.words.last.map(ArchitectLexicon.namesPeople) ?? false) {
            // "loss adjusters are assigned to claims": people are given to things, each thing has one
            addField(DraftField(name: subject, type: .reference, references: subject), to: target)
        } else if let target = matcher.entity(for: item.words), !draft.roleNames.contains(role) || entityNames.contains(role) {
            addField(DraftField(name: target, type: .reference, required: field == "owner", references: target), to: subject)
        } else {
            addField(DraftField(name: field, type: .string, required: field == "owner", holdsUserID: true), to: subject)
        }
    }

    /// A plain field from an item: its name, type, values and flags.
    func plainField(_ item: NounPhrase, of entity: String) -> DraftField? {
        let (name, trailingType) = FieldTypeRules.field(from: item.words)
        guard EnglishInflection.isValidName(name), !ArchitectLexicon.impliedFields.contains(name), name.count <= 63 else { return nil }
        var field = DraftField(name: name, type: trailingType ?? .string, required: item.required ?? false, unique: item.unique, pii: item.personal ? true : nil)
        var saidRequired = item.required
        var type = trailingType
        var values = item.values
        if let group = item.group {
            var parts = NounPhraseList.groupParts(group).filter { part in
                let word = part.joined(separator: " ")
                if NounPhrase.requiredWords.contains(word) { saidRequired = true; return false }
                if NounPhrase.optionalWords.contains(word) { saidRequired = false; return false }
                if NounPhrase.uniqueWords.contains(word) { field.unique = true; return false }
                if NounPhrase.personalWords.contains(word) { field.pii = true; return false }
                return true
            }
            let fillers: Set<String> = ["eg", "ie", "such", "as", "like", "one", "of", "either", "values", "options", "etc"]
            parts = parts.map { Array($0.drop(while: fillers.contains)) }.filter { !$0.isEmpty }
            if let hinted = FieldTypeRules.hintedType(parts) {
                type = hinted
            } else if parts.count >= 2, parts.allSatisfy({ $0.count <= 3 }) {
                values = parts.map(EnglishInflection.snakeCase)
            }
        }
        if let written = values, !written.isEmpty, type == nil || type == .enum {
            type = .enum
        } else {
            values = nil
        }
        field.type = type ?? FieldTypeRules.type(forName: name)
        if let unit = item.unit, [.string, .int, .decimal].contains(field.type), let measured = FieldTypeRules.measuredType(unit: unit, name: name) {
            field.type = measured
        }
        if field.type == .enum {
            field.values = Self.unique((values ?? defaultValues(for: name, of: entity)).filter(EnglishInflection.isValidName))
            if field.values?.isEmpty ?? true { field.values = ["active", "inactive"] }
        }
        field.required = saidRequired ?? Self.requiredByDefault.contains(name)
        if Self.uniqueByDefault.contains(name) { field.unique = true }
        return field
    }

    /// Values for an enum written without any: the archetype's, else the name's defaults.
    func defaultValues(for name: String, of entity: String) -> [String] {
        if let values = EntityArchetypes.archetype(named: entity)?.fields.first(where: { $0.name == name })?.values { return values }
        return FieldTypeRules.defaultValues(forName: name) ?? ["active", "inactive"]
    }

    /// The entities an entity's archetype links to (candidate names).
    func archetypeLinks(of entity: String) -> [String] {
        EntityArchetypes.archetype(named: entity)?.fields.flatMap(\.candidates) ?? []
    }

    /// Adds a field to an entity; a reference to an entity that is not in the draft is dropped,
    /// and a reference named `tenant` becomes `tenant_party` (see `ReferenceColumn`).
    mutating func addField(_ field: DraftField, to entity: String) {
        guard let index = draft.index(of: entity), field.name != entity || field.type == .reference else { return }
        if field.type == .reference, !entityNames.contains(field.references ?? "") { return }
        if field.type == .reference, field.references == entity, field.name == entity { return }
        var field = field
        if field.type == .reference { field.name = ReferenceColumn.fieldName(for: field.name) }
        draft.entities[index].add(field)
    }

    /// Many-to-many from "X has many Y" both ways, and from "many-to-many" in a sentence.
    mutating func collectManyToMany() {
        for (first, second) in manyOf where manyOf.contains(where: { $0.0 == second && $0.1 == first }) {
            draft.addManyToMany(first, second)
        }
        for (number, sentence) in sentences.enumerated() where sentence.words.contains("many_to_many") {
            usedSentences.insert(number)
            var named: [(String, Int)] = []
            var phrase: [DescriptionToken] = []
            let separators: Set<String> = ["and", "are", "is", "between", "with", "have", "has", "relation", "relationship", "many_to_many", "to", "linked", "related"]
            for token in sentence + [.mark(",", position: Int.max)] {
                if let word = token.word, !separators.contains(word) {
                    phrase.append(token)
                    continue
                }
                let words = phrase.compactMap(\.word)
                if let name = matcher.entity(for: words) ?? Self.listedEntityName(words), !named.contains(where: { $0.0 == name }) {
                    named.append((name, phrase[0].position))
                }
                phrase = []
            }
            guard named.count >= 2 else { continue }
            for (name, position) in named.prefix(2) { draft.addEntity(name, position: position) }
            draft.addManyToMany(named[0].0, named[1].0)
        }
    }

    /// The values without repeats, in their first order.
    static func unique(_ values: [String]) -> [String] {
        var result: [String] = []
        for value in values where !result.contains(value) { result.append(value) }
        return result
    }
}
