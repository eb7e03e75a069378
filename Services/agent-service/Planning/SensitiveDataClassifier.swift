import Shared

/// Decides which fields of a spec hold sensitive data, and of which `SensitiveDataCategory`, from
/// the structure of their names read in the context of their entity: names are cut into words
/// (snake_case and camelCase), abbreviations expanded (`acct_no` → account number, `pwd` →
/// password), plurals singularised, and matched against each category's phrases. A generic name
/// (`number`, `details`) is read with its entity's name (`passport.number` → passport number), and
/// the text fields of an entity that is itself sensitive (`prescription.notes`) share its category.
///
/// Context decides the ambiguous cases: pay and ambiguous medical words (`treatment`, `drug`,
/// `condition`) count only on people or records about a person (a reference to a person entity); a
/// company's tax number is not a government identifier of a person; children's data is the
/// personal data of an entity whose rows are children — by its name (`child`, `pupil`, `minor`)
/// or by the description ("students under 16", "pupils aged 8 to 11"). Pure: same input, same
/// answer.
struct SensitiveDataClassifier: Sendable {
    /// What is known about one entity.
    struct EntityContext: Sendable, Equatable {
        /// Whether its rows are people or records about a person.
        var aboutPerson: Bool
        /// Whether its rows are organisations (companies, suppliers, shops …).
        var isOrganisation: Bool
        /// Whether its rows are children.
        var isChild: Bool
    }

    /// Contexts by entity name.
    let contexts: [String: EntityContext]

    /// Nouns whose rows are organisations rather than people.
    static let organisationNouns: Set<String> = [
        "company", "organization", "organisation", "business", "firm", "supplier", "vendor", "manufacturer",
        "store", "shop", "restaurant", "hotel", "agency", "branch", "office", "warehouse", "venue", "location",
        "site", "department", "team", "school", "university", "hospital", "clinic", "pharmacy", "bank", "brand",
        "publisher", "carrier", "enterprise", "corporation", "charity", "institution", "employer",
        "garage", "subcontractor", "practice", "sponsor", "insurer", "wholesaler", "distributor", "retailer", "studio",
        "workshop", "label",
    ]

    /// Nouns whose rows are children.
    static let childNouns: Set<String> = ["child", "children", "kid", "minor", "infant", "baby", "toddler", "newborn", "pupil", "juvenile"]

    /// Medical words that mean health data only about a person (a pharmacy's catalogue of drugs is not).
    static let ambiguousHealthWords: Set<String> = [
        "treatment", "therapy", "drug", "medicine", "medication", "condition", "injury", "test", "dose", "dosage",
        "vaccine", "vaccination", "strength", "controlled",
    ]

    /// Names that say nothing on their own and are read with their entity's name.
    static let genericNames: Set<String> = ["number", "id", "code", "value", "detail", "details", "data", "info", "information", "identifier"]

    /// Abbreviations and variants, expanded before matching.
    static let expansions: [String: [String]] = [
        "no": ["number"], "num": ["number"], "nr": ["number"], "nbr": ["number"], "acct": ["account"], "acc": ["account"],
        "pwd": ["password"], "passwd": ["password"], "pw": ["password"], "apikey": ["api", "key"], "licence": ["license"],
        "meds": ["medication"], "rx": ["prescription"], "dx": ["diagnosis"], "dob": ["date", "of", "birth"],
        "birthdate": ["date", "of", "birth"], "birthday": ["date", "of", "birth"],
    ]

    /// Each category's phrases in the form of `words(_:)`, in the order categories are tried.
    static let phrases: [(category: SensitiveDataCategory, phrases: [[String]])] = SensitiveDataCategory.allCases.map { category in
        (category, category.phrases.map { words($0.joined(separator: "_")) })
    }

    /// Reads the entities of a spec; `description` may say which entities are children.
    init(entities: [EntitySpec], roleNames: [String], description: String = "") {
        let children = ChildrenStatements.entities(in: description, names: entities.map(\.name))
        let people = children.union(entities.filter {
            PersonalDataRules.isPersonEntity(name: $0.name, fieldNames: $0.fields.map(\.name), roleNames: roleNames)
        }.map(\.name))
        var contexts: [String: EntityContext] = [:]
        for entity in entities {
            let words = Self.words(entity.name)
            let referencesPerson = entity.fields.contains { $0.type == .reference && people.contains($0.references ?? "") }
            contexts[entity.name] = EntityContext(
                aboutPerson: people.contains(entity.name) || referencesPerson,
                isOrganisation: words.last.map(Self.organisationNouns.contains) ?? false,
                isChild: words.contains(where: Self.childNouns.contains) || children.contains(entity.name)
            )
        }
        self.contexts = contexts
    }

    /// The category of a field of an entity, or nil. Children's data is the fields of a child
    /// entity already flagged PII (`field.pii`).
    func category(of field: FieldSpec, in entity: String) -> SensitiveDataCategory? {
        guard field.type != .reference else { return nil }
        let context = contexts[entity] ?? EntityContext(aboutPerson: false, isOrganisation: false, isChild: false)
        let own = Self.words(field.name)
        let named = own.allSatisfy(Self.genericNames.contains) ? Self.words(entity) + own : own
        if let category = match(named, type: field.type, context: context) { return category }
        let content: Set<FieldType> = [.string, .text, .int, .decimal, .money]
        if content.contains(field.type), let category = match(Self.words(entity), type: field.type, context: context) {
            return category
        }
        return context.isChild && field.pii ? .children : nil
    }

    /// The category whose phrase the words contain, under the context's conditions.
    private func match(_ words: [String], type: FieldType, context: EntityContext) -> SensitiveDataCategory? {
        Self.phrases.first { category, phrases in
            guard let phrase = phrases.first(where: { words.contains(phrase: $0) }) else { return false }
            switch category {
            case .governmentID: return !context.isOrganisation
            case .compensation: return context.aboutPerson && !context.isOrganisation
            case .health: return context.aboutPerson || !phrase.contains(where: Self.ambiguousHealthWords.contains)
            case .credentials: return ![.date, .datetime, .bool].contains(type)
            case .financialAccount, .biometric, .children: return true
            }
        }?.category
    }

    /// The words of a name: snake_case and camelCase cut, abbreviations expanded, singular.
    static func words(_ name: String) -> [String] {
        var parts: [String] = []
        var current = ""
        for character in name {
            if character == "_" || character == "-" || character == " " {
                if !current.isEmpty { parts.append(current) }
                current = ""
            } else if character.isUppercase, !current.isEmpty, current.last?.isLowercase == true {
                parts.append(current)
                current = String(character)
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { parts.append(current) }
        return parts.flatMap { part -> [String] in
            let word = part.lowercased()
            return expansions[word] ?? [EnglishInflection.singular(word)]
        }
    }
}

extension Array where Element == String {
    /// Whether the words contain the phrase's words in a row.
    func contains(phrase: [String]) -> Bool {
        guard !phrase.isEmpty, phrase.count <= count else { return false }
        return (0...(count - phrase.count)).contains { start in Array(self[start..<(start + phrase.count)]) == phrase }
    }
}
