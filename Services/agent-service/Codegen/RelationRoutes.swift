import Shared

/// The routes a scaffold serves along its relations (the generated `app/relations.py` decides the
/// same way; the scaffold's `tests/test_openapi.py` holds the two together): a nested list per
/// reference, `GET /<parents>/{id}/<children>`, unless the child references that parent through
/// two fields or the pair also has a many-to-many relation; and for each many-to-many relation,
/// list, link (PUT) and unlink (DELETE) routes in both directions (one for an entity with itself).
struct RelationRoutes {
    /// A nested list: `child` rows whose reference `field` names one `parent` row.
    struct Nested {
        let parent: EntitySpec
        let child: EntitySpec
        let field: FieldSpec
    }

    /// Many-to-many routes from `left` rows to the `right` rows linked to them.
    struct Link {
        let left: EntitySpec
        let right: EntitySpec
    }

    let nested: [Nested]
    let links: [Link]

    /// The routes of a spec.
    init(_ spec: FormalSpec) {
        let joins = spec.relations.filter { $0.kind == .manyToMany }
        let linkedPairs = Set(joins.map { Set([$0.from, $0.to]) })
        nested = spec.entities.flatMap { child -> [Nested] in
            let references = child.fields.filter { $0.type == .reference }
            let byParent = Dictionary(grouping: references) { $0.references ?? "" }
            return references.compactMap { field in
                guard let parentName = field.references, byParent[parentName]?.count == 1,
                      !linkedPairs.contains(Set([child.name, parentName])),
                      let parent = spec.entity(named: parentName) else { return nil }
                return Nested(parent: parent, child: child, field: field)
            }
        }
        links = joins.flatMap { join -> [Link] in
            guard let left = spec.entity(named: join.from), let right = spec.entity(named: join.to) else { return [] }
            return left.name == right.name ? [Link(left: left, right: right)] : [Link(left: left, right: right), Link(left: right, right: left)]
        }
    }
}
