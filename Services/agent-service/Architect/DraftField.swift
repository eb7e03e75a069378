import Shared

/// A field while a spec is being worked out; becomes a `FieldSpec` once PII is decided.
struct DraftField: Sendable, Equatable {
    /// snake_case name.
    var name: String
    /// Type.
    var type: FieldType
    /// Whether a value is required.
    var required: Bool = false
    /// Whether values are unique within a tenant.
    var unique: Bool = false
    /// An explicit PII flag (guided form, or "sensitive" in text); nil when unsaid.
    var pii: Bool?
    /// Enum values.
    var values: [String]?
    /// The referenced entity.
    var references: String?
    /// Whether the field came from an archetype or a default rather than the input.
    var inferred: Bool = false
    /// Whether the field holds the id of a user of the generated app (`owner`, `assignee`).
    var holdsUserID: Bool = false
    /// Whether the field was created by "X has many Y" (dropped if X and Y turn out many-to-many).
    var fromCollection: Bool = false

    /// The finished field.
    func spec(pii: Bool) -> FieldSpec {
        FieldSpec(name: name, type: type, required: required, unique: unique, pii: pii,
                  values: type == .enum ? values : nil, references: type == .reference ? references : nil,
                  inferred: inferred)
    }
}
