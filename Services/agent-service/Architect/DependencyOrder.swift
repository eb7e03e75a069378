/// Orders entities so that referenced entities come first (company before contact before deal).
///
/// A stable topological sort: at each step the earliest-mentioned entity whose references are
/// all placed goes next. Self-references are ignored; a cycle is broken at its earliest-mentioned
/// entity.
enum DependencyOrder {
    /// The entities in dependency order.
    static func sorted(_ entities: [DraftEntity]) -> [DraftEntity] {
        let names = Set(entities.map(\.name))
        var remaining = entities.enumerated().sorted { ($0.element.position, $0.offset) < ($1.element.position, $1.offset) }.map(\.element)
        var placed: Set<String> = []
        var result: [DraftEntity] = []
        while !remaining.isEmpty {
            let next = remaining.firstIndex { entity in
                dependencies(of: entity).allSatisfy { placed.contains($0) || $0 == entity.name || !names.contains($0) }
            } ?? 0
            let entity = remaining.remove(at: next)
            placed.insert(entity.name)
            result.append(entity)
        }
        return result
    }

    /// The entities an entity references.
    static func dependencies(of entity: DraftEntity) -> [String] {
        entity.fields.compactMap { $0.type == .reference ? $0.references : nil }
    }
}
