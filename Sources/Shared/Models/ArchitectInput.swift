/// What the Product Architect receives: a free-text description or a guided form.
public struct ArchitectInput: Codable, Sendable, Equatable {
    /// How the application is described.
    public enum Mode: String, Codable, Sendable {
        case freeform, guided
    }

    /// The application's title.
    public var title: String
    /// The free-text description (freeform; optional context in guided mode).
    public var description: String
    /// The mode.
    public var mode: Mode
    /// The form (guided mode).
    public var form: GuidedForm?
    /// Extra acceptance criteria the user wrote.
    public var acceptanceCriteria: [String]?

    /// Creates an input.
    public init(title: String, description: String, mode: Mode, form: GuidedForm? = nil, acceptanceCriteria: [String]? = nil) {
        self.title = title
        self.description = description
        self.mode = mode
        self.form = form
        self.acceptanceCriteria = acceptanceCriteria
    }

    enum CodingKeys: String, CodingKey {
        case title, description, mode, form
        case acceptanceCriteria = "acceptance_criteria"
    }
}

/// The guided form: the same structure as a formal spec, written by a person.
public struct GuidedForm: Codable, Sendable, Equatable {
    /// The keys a form may carry at every level, for refusing unknown (mistyped) fields.
    public static let shape: JSONShape = .object([
        "entities": .array(.object([
            "name": .scalar,
            "owner_field": .scalar,
            "fields": .array(.object([
                "name": .scalar, "type": .scalar, "required": .scalar, "unique": .scalar,
                "pii": .scalar, "values": .array(.scalar), "references": .scalar,
            ])),
        ])),
        "relations": .array(.object(["kind": .scalar, "from": .scalar, "to": .scalar])),
        "roles": .array(.object([
            "name": .scalar,
            "permissions": .array(.object(["entity": .scalar, "actions": .array(.scalar), "scope": .scalar, "owner_path": .scalar])),
        ])),
    ])

    /// Entities with their fields.
    public var entities: [Entity]
    /// Many-to-many relations (one-to-many ones follow from reference fields).
    public var relations: [Relation]?
    /// Roles and permissions.
    public var roles: [Role]?

    /// Creates a form.
    public init(entities: [Entity], relations: [Relation]? = nil, roles: [Role]? = nil) {
        self.entities = entities
        self.relations = relations
        self.roles = roles
    }

    /// An entity of the form.
    public struct Entity: Codable, Sendable, Equatable {
        public var name: String
        public var fields: [Field]
        /// The field naming the owning user, if rows are owned.
        public var ownerField: String?

        /// Creates an entity.
        public init(name: String, fields: [Field], ownerField: String? = nil) {
            self.name = name
            self.fields = fields
            self.ownerField = ownerField
        }

        enum CodingKeys: String, CodingKey {
            case name, fields
            case ownerField = "owner_field"
        }
    }

    /// A field of the form; `type` is validated against `FieldType`.
    public struct Field: Codable, Sendable, Equatable {
        public var name: String
        public var type: String
        public var required: Bool?
        public var unique: Bool?
        public var pii: Bool?
        public var values: [String]?
        public var references: String?

        /// Creates a field.
        public init(name: String, type: String, required: Bool? = nil, unique: Bool? = nil, pii: Bool? = nil, values: [String]? = nil, references: String? = nil) {
            self.name = name
            self.type = type
            self.required = required
            self.unique = unique
            self.pii = pii
            self.values = values
            self.references = references
        }
    }

    /// A many-to-many relation of the form.
    public struct Relation: Codable, Sendable, Equatable {
        public var kind: String
        public var from: String
        public var to: String

        /// Creates a relation.
        public init(kind: String, from: String, to: String) {
            self.kind = kind
            self.from = from
            self.to = to
        }
    }

    /// A role of the form.
    public struct Role: Codable, Sendable, Equatable {
        public var name: String
        public var permissions: [Permission]

        /// Creates a role.
        public init(name: String, permissions: [Permission]) {
            self.name = name
            self.permissions = permissions
        }
    }

    /// A permission of the form; actions, scope and owner path are validated.
    public struct Permission: Codable, Sendable, Equatable {
        public var entity: String
        public var actions: [String]
        public var scope: String?
        /// With scope `own`: the path deciding this role's own rows, when not the owner field.
        public var ownerPath: String?

        /// Creates a permission.
        public init(entity: String, actions: [String], scope: String? = nil, ownerPath: String? = nil) {
            self.entity = entity
            self.actions = actions
            self.scope = scope
            self.ownerPath = ownerPath
        }

        enum CodingKeys: String, CodingKey {
            case entity, actions, scope
            case ownerPath = "owner_path"
        }
    }
}
