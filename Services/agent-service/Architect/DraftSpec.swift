import Shared

/// What the reader of a description (or a guided form) produced, before archetype defaults,
/// ordering, relations, roles and acceptance criteria are worked out by `SpecAssembler`.
struct DraftSpec: Sendable {
    /// The application's title.
    var title: String
    /// Entities in order of first mention.
    var entities: [DraftEntity] = []
    /// Many-to-many pairs, each in the order written.
    var manyToMany: [(String, String)] = []
    /// Role names in order of first mention.
    var roleNames: [String] = []
    /// Permission statements (free text).
    var roleStatements: [RoleStatement] = []
    /// Roles given outright (guided form); nil in free text.
    var explicitRoles: [RoleSpec]?
    /// Whether undescribed entities get their archetype's fields (free text only).
    var usesArchetypes: Bool = true
    /// What was assumed.
    var assumptions: [String] = []
    /// The parts of the text that were not understood.
    var unrecognized: [UnrecognizedClause] = []
    /// Criteria written by the user.
    var customCriteria: [String] = []
    /// The free text read (empty for a guided form): its sentences about the data ("patients'
    /// contact details are personal data", "pupils aged 8 to 11") decide personal data.
    var description: String = ""

    /// The index of an entity.
    func index(of name: String) -> Int? {
        entities.firstIndex { $0.name == name }
    }

    /// Adds an entity unless present; returns its index.
    @discardableResult
    mutating func addEntity(_ name: String, position: Int, inferred: Bool = false) -> Int {
        if let index = index(of: name) {
            if position < entities[index].position { entities[index].position = position }
            return index
        }
        entities.append(DraftEntity(name: name, inferred: inferred, position: position))
        return entities.count - 1
    }

    /// Records a many-to-many pair once.
    mutating func addManyToMany(_ first: String, _ second: String) {
        guard first != second else { return }
        if manyToMany.contains(where: { Set([$0.0, $0.1]) == Set([first, second]) }) { return }
        manyToMany.append((first, second))
    }
}
