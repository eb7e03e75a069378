@testable import AgentService
import Shared

/// Scores one spec against a corpus case (rules: `docs/architect-corpus.md#scoring`): a tally per
/// dimension, and the disagreements in words for whoever reads a failing run.
struct CorpusScorer {
    /// The tallies of one case.
    var tallies: [CorpusDimension: CorpusTally] = [:]
    /// What disagreed: "fields +vehicle.colour", "types vehicle.mileage string≠int" …
    var misses: [String] = []

    /// Scores `spec` against `expected`.
    init(spec: FormalSpec, expected: CorpusCase) {
        let entityMap = Self.entityMap(spec: spec, expected: expected)
        let optional = Set(expected.optionalEntities ?? [])
        scoreEntities(spec, expected, entityMap, optional)
        var fieldMaps: [String: [String: CorpusCase.Field]] = [:]
        for entity in spec.entities {
            guard let canonical = entityMap[entity.name],
                  let written = expected.entities.first(where: { $0.name == canonical })?.fields else { continue }
            fieldMaps[canonical] = scoreFields(entity, canonical: canonical, written: written)
        }
        scoreRelations(spec, expected, entityMap, optional)
        scoreRoles(spec, expected, entityMap)
        scorePII(spec, expected, entityMap, fieldMaps)
    }

    /// Each of the spec's entity names → the expected name it matches.
    static func entityMap(spec: FormalSpec, expected: CorpusCase) -> [String: String] {
        var map: [String: String] = [:]
        for entity in spec.entities {
            if let match = expected.entities.first(where: { $0.names.contains(entity.name) }) { map[entity.name] = match.name }
        }
        return map
    }

    private mutating func tally<Item: Hashable>(_ dimension: CorpusDimension, produced: Set<Item>, expected: Set<Item>, describe: (Item) -> String) {
        tallies[dimension, default: CorpusTally()].add(produced: produced, expected: expected)
        for item in produced.subtracting(expected) { misses.append("\(dimension.rawValue) +\(describe(item))") }
        for item in expected.subtracting(produced) { misses.append("\(dimension.rawValue) -\(describe(item))") }
    }

    private mutating func scoreEntities(_ spec: FormalSpec, _ expected: CorpusCase, _ map: [String: String], _ optional: Set<String>) {
        let produced = Set(spec.entities.map { map[$0.name] ?? $0.name }.filter { !optional.contains($0) })
        tally(.entities, produced: produced, expected: Set(expected.entities.map(\.name))) { $0 }
    }

    /// Scores the fields and their types; returns the produced field names → expected fields.
    private mutating func scoreFields(_ entity: EntitySpec, canonical: String, written: [CorpusCase.Field]) -> [String: CorpusCase.Field] {
        let counted = entity.fields.filter { field in
            field.type != .reference && !(field.inferred && field.name == entity.ownerField)
        }
        var map: [String: CorpusCase.Field] = [:]
        for field in counted {
            if let match = written.first(where: { $0.names.contains(field.name) }) { map[field.name] = match }
        }
        let produced = Set(counted.map { map[$0.name]?.name ?? $0.name })
        tally(.fields, produced: produced, expected: Set(written.map(\.name))) { "\(canonical).\($0)" }
        var types = CorpusTally()
        for field in counted {
            guard let match = map[field.name] else { continue }
            types.produced += 1
            types.expected += 1
            if Self.typeAgrees(field, match) {
                types.agreed += 1
            } else {
                let values = field.values.map { "(\($0.joined(separator: ",")))" } ?? ""
                misses.append("types \(canonical).\(match.name) \(field.type.rawValue)\(values)≠\(match.type)\(match.values.map { "(\($0.joined(separator: ",")))" } ?? "")")
            }
        }
        tallies[.types] = (tallies[.types] ?? CorpusTally()) + types
        return map
    }

    /// Whether a produced field has the expected type (an enum's listed values included).
    static func typeAgrees(_ field: FieldSpec, _ expected: CorpusCase.Field) -> Bool {
        if expected.type == "user" { return field.type == .string }
        guard field.type.rawValue == expected.type else { return false }
        guard field.type == .enum, let values = expected.values else { return true }
        return Set(field.values ?? []) == Set(values)
    }

    private mutating func scoreRelations(_ spec: FormalSpec, _ expected: CorpusCase, _ map: [String: String], _ optional: Set<String>) {
        func key(_ kind: String, _ from: String, _ to: String) -> String {
            kind == "many_to_many" ? "\(kind) \([from, to].sorted().joined(separator: " ~ "))" : "\(kind) \(from) → \(to)"
        }
        var produced = Set<String>()
        for relation in spec.relations {
            let from = map[relation.from] ?? relation.from
            let to = map[relation.to] ?? relation.to
            if optional.contains(from) || optional.contains(to) { continue }
            produced.insert(key(relation.kind.rawValue, from, to))
        }
        tally(.relations, produced: produced, expected: Set(expected.relations.map { key($0.kind, $0.from, $0.to) })) { $0 }
    }

    private mutating func scoreRoles(_ spec: FormalSpec, _ expected: CorpusCase, _ map: [String: String]) {
        var roleMap: [String: String] = [:]
        for role in spec.roles {
            if let match = expected.roles.first(where: { $0.names.contains(role.name) }) { roleMap[role.name] = match.name }
        }
        let produced = Set(spec.roles.filter { !$0.inferred || roleMap[$0.name] != nil }.map { roleMap[$0.name] ?? $0.name })
        tally(.roles, produced: produced, expected: Set(expected.roles.map(\.name))) { $0 }
        var producedCells = Set<String>()
        var expectedCells = Set<String>()
        for role in expected.roles {
            let predicted = spec.roles.first { roleMap[$0.name] == role.name }
            for permission in role.permissions {
                for action in permission.actions { expectedCells.insert("\(role.name) \(permission.entity) \(action) \(permission.scope)") }
                for granted in predicted?.permissions ?? [] where (map[granted.entity] ?? granted.entity) == permission.entity {
                    for action in granted.actions { producedCells.insert("\(role.name) \(permission.entity) \(action.rawValue) \(granted.scope.rawValue)") }
                }
            }
        }
        tally(.permissions, produced: producedCells, expected: expectedCells) { $0 }
    }

    private mutating func scorePII(_ spec: FormalSpec, _ expected: CorpusCase, _ map: [String: String], _ fieldMaps: [String: [String: CorpusCase.Field]]) {
        var produced = Set<String>()
        var matchedFields = Set<String>()
        for entity in spec.entities {
            guard let canonical = map[entity.name], let fields = fieldMaps[canonical] else { continue }
            for field in entity.fields {
                guard let match = fields[field.name] else { continue }
                matchedFields.insert("\(canonical).\(match.name)")
                if field.pii { produced.insert("\(canonical).\(match.name)") }
            }
        }
        tally(.pii, produced: produced, expected: Set(expected.pii).intersection(matchedFields)) { $0 }
    }
}
