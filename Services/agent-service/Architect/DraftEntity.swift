/// An entity while a spec is being worked out.
struct DraftEntity: Sendable, Equatable {
    /// snake_case singular name.
    var name: String
    /// Fields in the order they were mentioned.
    var fields: [DraftField] = []
    /// Whether the entity was added without being named.
    var inferred: Bool = false
    /// The owner field, once decided.
    var ownerField: String?
    /// Where the entity was first mentioned (orders entities that do not depend on each other).
    var position: Int = 0

    /// The field of a name.
    func field(named name: String) -> DraftField? {
        fields.first { $0.name == name }
    }

    /// Adds a field unless one of that name exists; a plain field of the same name is upgraded
    /// to a reference when the new one is a reference.
    mutating func add(_ field: DraftField) {
        if let index = fields.firstIndex(where: { $0.name == field.name }) {
            if field.type == .reference, fields[index].type != .reference, !fields[index].holdsUserID {
                fields[index].type = .reference
                fields[index].references = field.references
                fields[index].values = nil
            }
            if field.required, !field.fromCollection { fields[index].required = true }
            fields[index].fromCollection = fields[index].fromCollection && field.fromCollection
            return
        }
        fields.append(field)
    }

    /// Whether the input described any field of the entity's own: references and user fields
    /// alone ("each contact belongs to a company") leave it undescribed.
    var isDescribed: Bool {
        fields.contains { !$0.inferred && $0.type != .reference && !$0.holdsUserID }
    }
}
