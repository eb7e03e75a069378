/// The Product Architect's output: what the application is made of, in a form the other agents
/// (and a person reviewing it) can work from.
public struct FormalSpec: Codable, Sendable, Equatable {
    /// The application's title.
    public var title: String
    /// One-paragraph summary.
    public var summary: String
    /// The entities, in dependency order (referenced entities first).
    public var entities: [EntitySpec]
    /// Relations between entities.
    public var relations: [RelationSpec]
    /// Roles and what each may do.
    public var roles: [RoleSpec]
    /// Testable statements the result must satisfy.
    public var acceptanceCriteria: [AcceptanceCriterion]
    /// What was assumed where the description was silent.
    public var assumptions: [String]
    /// The parts of a free-text description that were not understood (empty for a guided form).
    public var unrecognized: [UnrecognizedClause]
    /// Every permission of every role, cell by cell, with the clause it comes from.
    public var permissionMatrix: [PermissionCell]

    /// Creates a spec.
    public init(title: String, summary: String, entities: [EntitySpec], relations: [RelationSpec], roles: [RoleSpec], acceptanceCriteria: [AcceptanceCriterion], assumptions: [String] = [], unrecognized: [UnrecognizedClause] = [], permissionMatrix: [PermissionCell] = []) {
        self.title = title
        self.summary = summary
        self.entities = entities
        self.relations = relations
        self.roles = roles
        self.acceptanceCriteria = acceptanceCriteria
        self.assumptions = assumptions
        self.unrecognized = unrecognized
        self.permissionMatrix = permissionMatrix
    }

    enum CodingKeys: String, CodingKey {
        case title, summary, entities, relations, roles, assumptions, unrecognized
        case acceptanceCriteria = "acceptance_criteria"
        case permissionMatrix = "permission_matrix"
    }

    /// Decodes a spec; `unrecognized` and `permission_matrix` are optional (empty in specs stored
    /// before they existed).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        title = try container.decode(String.self, forKey: .title)
        summary = try container.decode(String.self, forKey: .summary)
        entities = try container.decode([EntitySpec].self, forKey: .entities)
        relations = try container.decode([RelationSpec].self, forKey: .relations)
        roles = try container.decode([RoleSpec].self, forKey: .roles)
        acceptanceCriteria = try container.decode([AcceptanceCriterion].self, forKey: .acceptanceCriteria)
        assumptions = try container.decode([String].self, forKey: .assumptions)
        unrecognized = try container.decodeIfPresent([UnrecognizedClause].self, forKey: .unrecognized) ?? []
        permissionMatrix = try container.decodeIfPresent([PermissionCell].self, forKey: .permissionMatrix) ?? []
    }

    /// The entity of a name.
    public func entity(named name: String) -> EntitySpec? {
        entities.first { $0.name == name }
    }
}

/// One entity (table, resource) of the application.
public struct EntitySpec: Codable, Sendable, Equatable {
    /// snake_case singular name, e.g. `contact`.
    public var name: String
    /// Plural used in routes and tables, e.g. `contacts`.
    public var plural: String
    /// The fields (an `id`, tenant and timestamps are implied and not listed).
    public var fields: [FieldSpec]
    /// True when the entity was not named in the description but added from an archetype.
    public var inferred: Bool
    /// What decides which rows a role with scope `own` may touch, when rows are owned. Either one
    /// field of the entity: a string holding the owning user's id (the token's `sub`, e.g.
    /// `owner`; added as a text column when no field has that name), or a reference whose row's
    /// id is the user's `sub` (`job.driver`). Or a dotted path (`OwnerPath`) through reference
    /// fields to such a field of a parent row: on `prescription`, `appointment.patient` makes a
    /// user's own prescriptions those whose appointment's `patient` is the user. A path adds no
    /// column; its first reference stays an ordinary (required if so declared) field of the create
    /// payload. At most `OwnerPath.maximumSegments` segments.
    public var ownerField: String?

    /// Creates an entity.
    public init(name: String, plural: String, fields: [FieldSpec], inferred: Bool = false, ownerField: String? = nil) {
        self.name = name
        self.plural = plural
        self.fields = fields
        self.inferred = inferred
        self.ownerField = ownerField
    }

    enum CodingKeys: String, CodingKey {
        case name, plural, fields, inferred
        case ownerField = "owner_field"
    }

    /// The names of the PII fields.
    public var piiFields: [String] { fields.filter(\.pii).map(\.name) }
}

/// One field of an entity.
public struct FieldSpec: Codable, Sendable, Equatable {
    /// snake_case name.
    public var name: String
    /// Its type.
    public var type: FieldType
    /// Whether a value is required on create.
    public var required: Bool
    /// Whether values are unique within a tenant.
    public var unique: Bool
    /// Whether the field holds personal data (encrypted at rest, redacted in logs).
    public var pii: Bool
    /// Allowed values, for `enum` fields.
    public var values: [String]?
    /// The referenced entity, for `reference` fields.
    public var references: String?
    /// True when the field came from an archetype's defaults, not from the description.
    public var inferred: Bool

    /// Creates a field.
    public init(name: String, type: FieldType, required: Bool = false, unique: Bool = false, pii: Bool? = nil, values: [String]? = nil, references: String? = nil, inferred: Bool = false) {
        self.name = name
        self.type = type
        self.required = required
        self.unique = unique
        self.pii = pii ?? type.isPIIByNature
        self.values = values
        self.references = references
        self.inferred = inferred
    }
}

/// A relation between two entities.
public struct RelationSpec: Codable, Sendable, Equatable {
    /// The kinds of relation.
    public enum Kind: String, Codable, Sendable {
        case oneToMany = "one_to_many"
        case manyToMany = "many_to_many"
    }

    /// The kind.
    public var kind: Kind
    /// The "one" side (or the first side of many-to-many).
    public var from: String
    /// The "many" side (or the second side).
    public var to: String
    /// The reference field on `to` (one-to-many) or the join table (many-to-many).
    public var via: String
    /// True when the description did not state the relation: it came with an entity's usual
    /// fields or an entity added because another needs it.
    public var inferred: Bool

    /// Creates a relation.
    public init(kind: Kind, from: String, to: String, via: String, inferred: Bool = false) {
        self.kind = kind
        self.from = from
        self.to = to
        self.via = via
        self.inferred = inferred
    }

    enum CodingKeys: String, CodingKey {
        case kind, from, to, via, inferred
    }

    /// Decodes a relation; `inferred` is optional (false in specs stored before it existed).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(Kind.self, forKey: .kind)
        from = try container.decode(String.self, forKey: .from)
        to = try container.decode(String.self, forKey: .to)
        via = try container.decode(String.self, forKey: .via)
        inferred = try container.decodeIfPresent(Bool.self, forKey: .inferred) ?? false
    }
}

/// A role of the generated application and its permissions.
public struct RoleSpec: Codable, Sendable, Equatable {
    /// snake_case name, e.g. `sales_rep`.
    public var name: String
    /// Permissions per entity.
    public var permissions: [Permission]
    /// True when the role was not described but added by default (an `admin` when no described
    /// role can do everything; `admin` and `member` when no roles were described).
    public var inferred: Bool

    /// Creates a role.
    public init(name: String, permissions: [Permission], inferred: Bool = false) {
        self.name = name
        self.permissions = permissions
        self.inferred = inferred
    }

    enum CodingKeys: String, CodingKey {
        case name, permissions, inferred
    }

    /// Decodes a role; `inferred` is optional (false when absent: specs stored before it existed).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        permissions = try container.decode([Permission].self, forKey: .permissions)
        inferred = try container.decodeIfPresent(Bool.self, forKey: .inferred) ?? false
    }

    /// What a role may do with one entity.
    public struct Permission: Codable, Sendable, Equatable {
        /// The entity.
        public var entity: String
        /// Allowed actions.
        public var actions: [CRUDAction]
        /// `all` rows of the tenant, or only `own` rows (those whose owner field is the user).
        public var scope: Scope
        /// With scope `own`: the path that decides this role's own rows when it is not the
        /// entity's owner field (a tenant's own tenancies through `tenant` where the entity's
        /// owner is `property.landlord`); nil means the owner field.
        public var ownerPath: String?

        /// Creates a permission.
        public init(entity: String, actions: [CRUDAction], scope: Scope = .all, ownerPath: String? = nil) {
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

    /// Row scope of a permission.
    public enum Scope: String, Codable, Sendable {
        case all, own
    }
}

/// Create, read, update, delete.
public enum CRUDAction: String, Codable, Sendable, CaseIterable {
    case create, read, update, delete
}

/// A testable statement about the generated application.
public struct AcceptanceCriterion: Codable, Sendable, Equatable {
    /// Stable id, e.g. `AC-3`.
    public var id: String
    /// The statement.
    public var statement: String
    /// What kind of check proves it.
    public var kind: Kind
    /// The entity it is about, if any.
    public var entity: String?
    /// The role it is about, if any.
    public var role: String?

    /// Creates a criterion.
    public init(id: String, statement: String, kind: Kind, entity: String? = nil, role: String? = nil) {
        self.id = id
        self.statement = statement
        self.kind = kind
        self.entity = entity
        self.role = role
    }

    /// Kinds of check.
    public enum Kind: String, Codable, Sendable {
        case crud, rbac, isolation, validation, pii, custom
    }
}
