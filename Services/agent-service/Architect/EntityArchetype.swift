import Shared

/// A common kind of entity (contact, ticket, invoice …) and its usual fields: what the
/// Product Architect assumes when a description names the entity without describing it.
struct EntityArchetype: Sendable {
    /// The snake_case singular name.
    let name: String
    /// Other names of the same thing (`opportunity` for `deal`, `vendor` for `supplier`).
    let synonyms: [String]
    /// Whether rows are people (their names and addresses are personal data).
    let isPerson: Bool
    /// Whether "has a X" / "for a X" makes it a referenced parent entity even when it is not
    /// otherwise described (`company`, `project`), rather than a plain field.
    let isParent: Bool
    /// The usual fields.
    let fields: [ArchetypeField]

    /// Creates an archetype.
    init(_ name: String, synonyms: [String] = [], person: Bool = false, parent: Bool = false, _ fields: [ArchetypeField]) {
        self.name = name
        self.synonyms = synonyms
        self.isPerson = person
        self.isParent = parent
        self.fields = fields
    }
}

/// One usual field of an archetype.
struct ArchetypeField: Sendable {
    /// The name; nil for a link named after the entity it reaches.
    let name: String?
    /// The type.
    let type: FieldType
    /// Whether a value is required.
    let required: Bool
    /// Whether values are unique within a tenant.
    let unique: Bool
    /// Values of an enum.
    let values: [String]?
    /// For links: the entities it may reference, in order of preference.
    let candidates: [String]
    /// For links: whether the first candidate is added (inferred) when none is in the spec.
    let needed: Bool
    /// Whether the field holds a user id (`owner`, `assignee`).
    let holdsUserID: Bool

    /// A plain field.
    static func field(_ name: String, _ type: FieldType, required: Bool = false, unique: Bool = false) -> ArchetypeField {
        ArchetypeField(name: name, type: type, required: required, unique: unique, values: nil, candidates: [], needed: false, holdsUserID: false)
    }

    /// An enum field.
    static func choice(_ name: String, _ values: [String], required: Bool = true) -> ArchetypeField {
        ArchetypeField(name: name, type: .enum, required: required, unique: false, values: values, candidates: [], needed: false, holdsUserID: false)
    }

    /// A reference to the first of `candidates` present in the spec; named after it unless `name` is given.
    static func link(_ candidates: [String], name: String? = nil, needed: Bool = false, required: Bool = false) -> ArchetypeField {
        ArchetypeField(name: name, type: .reference, required: required || needed, unique: false, values: nil, candidates: candidates, needed: needed, holdsUserID: false)
    }

    /// A field holding the id of a user of the generated application.
    static func user(_ name: String, required: Bool = false) -> ArchetypeField {
        ArchetypeField(name: name, type: .string, required: required, unique: false, values: nil, candidates: [], needed: false, holdsUserID: true)
    }
}
