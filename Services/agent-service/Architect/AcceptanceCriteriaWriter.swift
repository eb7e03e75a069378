import Foundation
import Shared

/// Writes the testable statements of a spec, grouped by kind: CRUD per entity, validation per
/// constrained field, PII per entity with personal data, tenant isolation per entity, RBAC per
/// role and entity, then the user's own criteria. Ids run `AC-1`, `AC-2`, … in that order.
struct AcceptanceCriteriaWriter {
    /// Creates a writer.
    init() {}

    /// The criteria of a spec's parts.
    func criteria(entities: [EntitySpec], roles: [RoleSpec], custom: [String]) -> [AcceptanceCriterion] {
        var drafts: [(String, AcceptanceCriterion.Kind, String?, String?)] = []
        for entity in entities {
            drafts.append(("\(Self.article(entity.name).capitalizedFirst) \(entity.name) can be created, read back, listed, updated and deleted through the API", .crud, entity.name, nil))
        }
        for entity in entities {
            for field in entity.fields {
                for statement in validations(of: field, in: entity) { drafts.append((statement, .validation, entity.name, nil)) }
            }
        }
        for entity in entities where !entity.piiFields.isEmpty {
            drafts.append(("The personal data of each \(entity.name) (\(entity.piiFields.joined(separator: ", "))) is encrypted at rest and redacted from logs and events", .pii, entity.name, nil))
        }
        for entity in entities {
            drafts.append(("A user of another tenant cannot read, list, update or delete \(Self.article(entity.name)) \(entity.name); its id answers 404", .isolation, entity.name, nil))
        }
        for role in roles {
            for entity in entities {
                for statement in rbac(role: role, entity: entity) { drafts.append((statement, .rbac, entity.name, role.name)) }
            }
        }
        for text in custom {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { drafts.append((trimmed, .custom, nil, nil)) }
        }
        return drafts.enumerated().map { index, draft in
            AcceptanceCriterion(id: "AC-\(index + 1)", statement: draft.0, kind: draft.1, entity: draft.2, role: draft.3)
        }
    }

    private func validations(of field: FieldSpec, in entity: EntitySpec) -> [String] {
        let subject = "Creating \(Self.article(entity.name)) \(entity.name)"
        var statements: [String] = []
        if field.required, field.name != entity.ownerField { statements.append("\(subject) without \(field.name) is rejected") }
        switch field.type {
        case .enum:
            let invalid = (field.values ?? []).contains("unknown") ? "not_a_valid_value" : "unknown"
            statements.append("\(subject) with \(field.name) '\(invalid)' is rejected")
        case .email:
            statements.append("\(subject) with \(field.name) 'not-an-email' is rejected")
        case .reference:
            statements.append("\(subject) whose \(field.name) does not exist in the tenant is rejected")
        case .int, .money, .decimal:
            statements.append("\(subject) with \(field.name) 'abc' is rejected")
        case .date, .datetime:
            statements.append("\(subject) with \(field.name) 'not-a-date' is rejected")
        default:
            break
        }
        if field.unique { statements.append("Creating two \(entity.plural) with the same \(field.name) in one tenant is rejected") }
        return statements
    }

    private func rbac(role: RoleSpec, entity: EntitySpec) -> [String] {
        let permissions = role.permissions.filter { $0.entity == entity.name }
        let subject = "\(Self.article(role.name).capitalizedFirst) \(role.name)"
        guard !permissions.isEmpty else {
            return ["\(subject) cannot create, read, update or delete \(Self.article(entity.name)) \(entity.name)"]
        }
        var statements: [String] = []
        let allActions = permissions.filter { $0.scope == .all }.flatMap(\.actions)
        for permission in permissions {
            let verbs = Self.list(permission.actions.map(\.rawValue), conjunction: "and")
            switch permission.scope {
            case .all:
                statements.append("\(subject) can \(verbs) any \(entity.name) of the tenant")
            case .own:
                statements.append("\(subject) can \(verbs) their own \(entity.plural)")
                if !allActions.contains(.read) { statements.append("\(subject) cannot read another user's \(entity.name)") }
                if permission.actions.contains(.update), !allActions.contains(.update) {
                    statements.append("\(subject) cannot update another user's \(entity.name)")
                }
            }
        }
        let granted = Set(permissions.flatMap(\.actions))
        let missing = CRUDAction.allCases.filter { !granted.contains($0) }.map(\.rawValue)
        if !missing.isEmpty {
            statements.append("\(subject) cannot \(Self.list(missing, conjunction: "or")) \(Self.article(entity.name)) \(entity.name)")
        }
        return statements
    }

    /// "a" or "an" before a snake_case name.
    static func article(_ name: String) -> String {
        guard let first = name.first else { return "a" }
        if "aeio".contains(first) { return "an" }
        if first == "u", !(name.hasPrefix("us") || name.hasPrefix("uni") || name.hasPrefix("use")) { return "an" }
        return "a"
    }

    /// "a, b and c".
    static func list(_ items: [String], conjunction: String) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " \(conjunction) " + items[items.count - 1]
    }
}

private extension String {
    /// The string with its first letter uppercased.
    var capitalizedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
