import Foundation
import Shared

/// Finishes a draft into a `FormalSpec`: archetype defaults for undescribed entities (free text),
/// needed entities, many-to-many clean-up, owner fields, dependency order, roles, PII flags (the
/// rules, the description's statements and sensitive data), relations, acceptance criteria and a
/// summary.
struct SpecAssembler {
    /// The most entities a spec may have.
    static let maximumEntities = GuidedFormValidator.maximumEntities
    /// The most fields an entity may have.
    static let maximumFields = GuidedFormValidator.maximumFields

    /// Creates an assembler.
    init() {}

    /// The spec of a draft; `inputField` names the input in errors (`description` or `form.entities`).
    func assemble(_ draft: DraftSpec, inputField: String) throws -> FormalSpec {
        var draft = draft
        try checkSize(draft, field: inputField)
        if draft.usesArchetypes { applyArchetypes(&draft) }
        try checkSize(draft, field: inputField)
        removeCollectionLinks(&draft)
        for index in draft.entities.indices where draft.entities[index].ownerField == nil {
            if draft.entities[index].field(named: "owner")?.type == .string { draft.entities[index].ownerField = "owner" }
        }
        draft.entities = DependencyOrder.sorted(draft.entities)
        relaxCircularReferences(&draft)
        let roles = RolePlanner().plan(&draft)
        let roleNames = roles.map(\.name)
        for statement in PersonalDataStatement.read(draft.description) { statement.apply(to: &draft.entities) }
        let children = ChildrenStatements.entities(in: draft.description, names: draft.entities.map(\.name))
        let finished = draft.entities.map { finish($0, roleNames: roleNames, isChild: children.contains($0.name)) }
        let entities = markingSensitiveData(finished, roleNames: roleNames, description: draft.description)
        let relations = relations(of: entities, manyToMany: draft.manyToMany, positions: draft.entities)
        let criteria = AcceptanceCriteriaWriter().criteria(entities: entities, roles: roles, custom: draft.customCriteria)
        let title = draft.title.trimmingCharacters(in: .whitespacesAndNewlines)
        let finalTitle = title.isEmpty ? "Untitled application" : title
        return FormalSpec(
            title: finalTitle,
            summary: summary(title: finalTitle, entities: entities, relations: relations, roles: roles),
            entities: entities, relations: relations, roles: roles, acceptanceCriteria: criteria,
            assumptions: draft.assumptions, unrecognized: draft.unrecognized,
            permissionMatrix: PermissionMatrix.cells(roles: roles, statements: draft.roleStatements, guided: draft.explicitRoles != nil)
        )
    }

    private func checkSize(_ draft: DraftSpec, field: String) throws {
        if draft.entities.count > Self.maximumEntities {
            throw WireError.invalidArgument(field: field, "describes \(draft.entities.count) entities; at most \(Self.maximumEntities) are supported, split the application into smaller ones")
        }
        if let entity = draft.entities.first(where: { $0.fields.count > Self.maximumFields }) {
            throw WireError.invalidArgument(field: field, "entity '\(entity.name)' has \(entity.fields.count) fields; at most \(Self.maximumFields) are supported")
        }
    }

    /// Gives undescribed entities their archetype's fields (or a `name`), adding needed entities.
    private func applyArchetypes(_ draft: inout DraftSpec) {
        var index = 0
        while index < draft.entities.count, draft.entities.count <= Self.maximumEntities {
            let entity = draft.entities[index]
            defer { index += 1 }
            guard !entity.isDescribed else { continue }
            guard let archetype = EntityArchetypes.archetype(named: entity.name) else {
                guard entity.field(named: "name") == nil else { continue }
                draft.entities[index].fields.insert(DraftField(name: "name", type: .string, required: true, inferred: true), at: 0)
                draft.assumptions.append("\(entity.name): no fields were described; assumed a required name.")
                continue
            }
            var added: [String] = []
            for template in archetype.fields {
                if let field = field(from: template, for: entity, in: &draft) {
                    if draft.entities[index].field(named: field.name) == nil { added.append(field.name) }
                    draft.entities[index].add(field)
                }
            }
            let kind = archetype.name == entity.name ? "" : " (like a \(archetype.name))"
            draft.assumptions.append("\(entity.name): no fields were described; used the usual fields\(kind): \(added.joined(separator: ", ")).")
        }
    }

    /// A field from an archetype template; links resolve to a present entity or add a needed one.
    private func field(from template: ArchetypeField, for entity: DraftEntity, in draft: inout DraftSpec) -> DraftField? {
        guard template.type == .reference else {
            return DraftField(name: template.name ?? "", type: template.type, required: template.required, unique: template.unique,
                              values: template.values, inferred: true, holdsUserID: template.holdsUserID)
        }
        let present = template.candidates.first { draft.index(of: $0) != nil }
        var target = present
        if target == nil, template.needed, let first = template.candidates.first {
            draft.addEntity(first, position: entity.position, inferred: true)
            draft.assumptions.append("Added \(first) (inferred): \(AcceptanceCriteriaWriter.article(entity.name)) \(entity.name) needs one.")
            target = first
        }
        guard let target, target != entity.name,
              !entity.fields.contains(where: { $0.references == target }),
              !draft.manyToMany.contains(where: { Set([$0.0, $0.1]) == Set([entity.name, target]) }) else { return nil }
        return DraftField(name: ReferenceColumn.fieldName(for: template.name ?? target), type: .reference, required: template.required, references: target, inferred: true)
    }

    /// Makes optional every required reference to the entity itself or to one placed after it in
    /// dependency order (the reference that closes a cycle): the first such row could never be
    /// created, and the table it points to does not exist yet when this one is created. Each change
    /// is said in the assumptions.
    private func relaxCircularReferences(_ draft: inout DraftSpec) {
        var placed: Set<String> = []
        for index in draft.entities.indices {
            let name = draft.entities[index].name
            placed.insert(name)
            for f in draft.entities[index].fields.indices {
                let field = draft.entities[index].fields[f]
                guard field.type == .reference, field.required, let target = field.references, target == name || !placed.contains(target) else { continue }
                draft.entities[index].fields[f].required = false
                let why = target == name
                    ? "the first \(name) has no other \(name) to point to"
                    : "the references of \(name) and \(target) go round in a circle, so one of them is made first"
                draft.assumptions.append("\(name).\(field.name) is optional: \(why).")
            }
        }
    }

    /// Drops "has many" back-references between entities that are many-to-many.
    private func removeCollectionLinks(_ draft: inout DraftSpec) {
        for (first, second) in draft.manyToMany {
            for (owner, target) in [(first, second), (second, first)] {
                guard let index = draft.index(of: owner) else { continue }
                draft.entities[index].fields.removeAll { $0.fromCollection && $0.references == target }
                if draft.entities[index].fields.isEmpty {
                    draft.entities[index].fields = [DraftField(name: "name", type: .string, required: true, inferred: true)]
                }
            }
        }
    }

    /// The finished entity: PII decided by the rules and explicit flags (children are people),
    /// plural computed.
    private func finish(_ entity: DraftEntity, roleNames: [String], isChild: Bool) -> EntitySpec {
        let person = isChild || PersonalDataRules.isPersonEntity(name: entity.name, fieldNames: entity.fields.map(\.name), roleNames: roleNames)
        let fields = entity.fields.map { field in
            let byRule = !field.holdsUserID && field.type != .reference
                && PersonalDataRules.isPersonal(field: field.name, type: field.type, entity: entity.name, onPersonEntity: person)
            return field.spec(pii: field.pii.map { $0 || byRule && field.type.isPIIByNature } ?? byRule)
        }
        return EntitySpec(name: entity.name, plural: EnglishInflection.pluralName(entity.name), fields: fields,
                          inferred: entity.inferred, ownerField: entity.ownerField)
    }

    /// The entities with every field of a sensitive-data category marked PII.
    private func markingSensitiveData(_ entities: [EntitySpec], roleNames: [String], description: String) -> [EntitySpec] {
        let classifier = SensitiveDataClassifier(entities: entities, roleNames: roleNames, description: description)
        return entities.map { entity in
            var entity = entity
            for index in entity.fields.indices where entity.fields[index].name != entity.ownerField && classifier.category(of: entity.fields[index], in: entity.name) != nil {
                entity.fields[index].pii = true
            }
            return entity
        }
    }

    /// One-to-many relations from reference fields, then many-to-many pairs (first-mentioned first).
    private func relations(of entities: [EntitySpec], manyToMany: [(String, String)], positions: [DraftEntity]) -> [RelationSpec] {
        var relations: [RelationSpec] = []
        for entity in entities {
            for field in entity.fields where field.type == .reference {
                guard let target = field.references else { continue }
                relations.append(RelationSpec(kind: .oneToMany, from: target, to: entity.name, via: field.name, inferred: field.inferred))
            }
        }
        let position = { (name: String) in positions.first { $0.name == name }?.position ?? Int.max }
        for (first, second) in manyToMany where entities.contains(where: { $0.name == first }) && entities.contains(where: { $0.name == second }) {
            let (from, to) = position(first) <= position(second) ? (first, second) : (second, first)
            relations.append(RelationSpec(kind: .manyToMany, from: from, to: to, via: "\(from)_\(EnglishInflection.pluralName(to))"))
        }
        return relations
    }

    private func summary(title: String, entities: [EntitySpec], relations: [RelationSpec], roles: [RoleSpec]) -> String {
        let pii = entities.flatMap { entity in entity.piiFields.map { "\(entity.name).\($0)" } }
        return "\(title): \(entities.count) entities (\(entities.map(\.name).joined(separator: ", "))), "
            + "\(relations.count) relations, roles \(roles.map(\.name).joined(separator: ", ")); "
            + "personal data in \(pii.isEmpty ? "no fields" : pii.joined(separator: ", "))."
    }
}
