import Shared

/// Turns role names and permission statements into `RoleSpec`s, deciding owner fields on the way.
///
/// - No roles described: `admin` (everything) and `member` (reads everything, creates and
///   updates own rows); every entity gets an owner field.
/// - Statements, as people mean them: "see/view/read/access" → read only; "manage/run/full
///   access" → all four; "edit/update/adjust" → read, update; "create/add/log/book/submit" →
///   create and read; "delete/remove" → read, delete; "approve/reject/assign" → read, update;
///   "cannot …" takes actions away; "their own" limits a statement to own rows.
///   `own` scope needs an owner field: the hinted field ("assigned to them" → `assignee`), the
///   role's own user field (`doctor`), `owner`, `created_by`; else the domain link — a reference
///   to the entity that is the role ("drivers see their own jobs" → `job.driver`, the token's
///   subject being the driver's id), or one through a parent (`prescription` →
///   `appointment.patient`); else an inferred `owner` is added. A role whose own link differs
///   from an owner field another role set (tenants own tenancies through `tenant_party`, landlords
///   through `property.landlord`) gets that link as its permission's `owner_path`.
/// - Entities a role's statements do not mention: what "everything" said, else read-all, except
///   the entity that is the role itself (a customer does not list customers).
/// - Administrator names (`admin`, `administrator` …) get everything. When no role can do
///   everything, an `admin` role is added.
struct RolePlanner {
    /// Creates a planner.
    init() {}

    /// The roles of a draft; may add owner fields and assumptions to it.
    func plan(_ draft: inout DraftSpec) -> [RoleSpec] {
        if let explicit = draft.explicitRoles, !explicit.isEmpty { return explicit }
        if draft.roleNames.isEmpty { return defaultRoles(&draft) }
        var roles = draft.roleNames.map { role(named: $0, in: &draft) }
        let entityNames = draft.entities.map(\.name)
        let someoneHasEverything = roles.contains { role in
            entityNames.allSatisfy { name in
                role.permissions.contains { $0.entity == name && $0.scope == .all && $0.actions.count == CRUDAction.allCases.count }
            }
        }
        if !someoneHasEverything {
            roles.append(RoleSpec(name: "admin", permissions: entityNames.map { .init(entity: $0, actions: CRUDAction.allCases, scope: .all) }, inferred: true))
            draft.assumptions.append("No described role can do everything; added an admin role with full access to every entity.")
        }
        return roles
    }

    private func defaultRoles(_ draft: inout DraftSpec) -> [RoleSpec] {
        for index in draft.entities.indices { ensureOwner(of: index, role: nil, hint: nil, in: &draft, announce: false) }
        draft.assumptions.append("No roles were described; assumed admin (full access) and member (reads everything, creates and updates their own rows, owned through each entity's owner field).")
        let names = draft.entities.map(\.name)
        return [
            RoleSpec(name: "admin", permissions: names.map { .init(entity: $0, actions: CRUDAction.allCases, scope: .all) }, inferred: true),
            RoleSpec(name: "member", permissions: names.flatMap { name in
                [RoleSpec.Permission(entity: name, actions: [.read], scope: .all), .init(entity: name, actions: [.create, .update], scope: .own)]
            }, inferred: true),
        ]
    }

    private func role(named name: String, in draft: inout DraftSpec) -> RoleSpec {
        let count = draft.entities.count
        var all = [Set<CRUDAction>](repeating: [], count: count)
        var own = [Set<CRUDAction>](repeating: [], count: count)
        var ownPaths = [String?](repeating: nil, count: count)
        var everything: Set<CRUDAction>?
        let statements = draft.roleStatements.filter { $0.roles.contains(name) }
        for statement in statements where !statement.negated {
            let actions = Self.actions(for: statement.grants)
            if statement.everything {
                everything = (everything ?? []).union(actions)
                continue
            }
            for entity in statement.entities {
                guard let index = draft.index(of: entity) else { continue }
                switch statement.scope {
                case .all:
                    all[index].formUnion(actions)
                case .own:
                    let path = ensureOwner(of: index, role: name, hint: statement.ownerHint, in: &draft, announce: true)
                    if ownPaths[index] == nil { ownPaths[index] = path }
                    own[index].formUnion(actions)
                }
            }
        }
        for index in 0..<count {
            if RoleNames.isAdministrator(name) {
                all[index] = Set(CRUDAction.allCases)
            } else if all[index].isEmpty, own[index].isEmpty {
                if let everything { all[index] = everything }
                else if draft.entities[index].name != name { all[index] = [.read] }
            }
        }
        for statement in statements where statement.negated {
            let removed = Self.removedActions(for: statement.grants)
            let indices = statement.everything ? Array(0..<count) : statement.entities.compactMap { draft.index(of: $0) }
            for index in indices {
                all[index].subtract(removed)
                own[index].subtract(removed)
            }
        }
        var permissions: [RoleSpec.Permission] = []
        for (index, entity) in draft.entities.enumerated() {
            let allActions = CRUDAction.allCases.filter(all[index].contains)
            let ownActions = CRUDAction.allCases.filter { own[index].contains($0) && !all[index].contains($0) }
            if !allActions.isEmpty { permissions.append(.init(entity: entity.name, actions: allActions, scope: .all)) }
            if !ownActions.isEmpty { permissions.append(.init(entity: entity.name, actions: ownActions, scope: .own, ownerPath: ownPaths[index])) }
        }
        return RoleSpec(name: name, permissions: permissions)
    }

    /// The actions a statement grants, as people mean its verbs: reading verbs read only.
    static func actions(for grants: [RoleStatement.Grant]) -> Set<CRUDAction> {
        var actions: Set<CRUDAction> = []
        for grant in grants {
            switch grant {
            case .readOnly, .visibility: actions.insert(.read)
            case .manage: actions.formUnion(CRUDAction.allCases)
            case .edit, .decide: actions.formUnion([.read, .update])
            case .create: actions.formUnion([.create, .read])
            case .delete: actions.formUnion([.read, .delete])
            }
        }
        return actions
    }

    /// The actions a negated statement takes away ("cannot delete" → delete).
    static func removedActions(for grants: [RoleStatement.Grant]) -> Set<CRUDAction> {
        var actions: Set<CRUDAction> = []
        for grant in grants {
            switch grant {
            case .visibility, .readOnly, .manage: actions.formUnion(CRUDAction.allCases)
            case .edit, .decide: actions.insert(.update)
            case .create: actions.insert(.create)
            case .delete: actions.insert(.delete)
            }
        }
        return actions
    }

    /// The path from an entity to the entity that is a role: its reference to it (`driver`), or
    /// through one parent that has one (`appointment.patient` — a prescription is a patient's own
    /// through its appointment).
    static func domainLink(from entity: DraftEntity, to role: String, in draft: DraftSpec) -> String? {
        let references = entity.fields.filter { $0.type == .reference }
        if let direct = references.first(where: { $0.references == role }) { return direct.name }
        for parent in references {
            guard let target = parent.references, target != entity.name, let index = draft.index(of: target),
                  let link = draft.entities[index].fields.first(where: { $0.type == .reference && $0.references == role }) else { continue }
            return "\(parent.name).\(link.name)"
        }
        return nil
    }

    /// The field or path that makes rows of `entity` the role's own by what they say: the hinted
    /// or role-named user field, else the domain link to the entity that is the role.
    static func ownLink(of entity: DraftEntity, role: String, hint: String?, in draft: DraftSpec) -> String? {
        for candidate in [hint, role].compactMap({ $0 }) {
            if let field = entity.field(named: candidate), field.type == .string { return candidate }
        }
        return domainLink(from: entity, to: role, in: draft)
    }

    /// Makes sure an entity has an owner field: an existing user field, or an inferred one.
    /// Returns the path that decides `role`'s own rows when the entity already had an owner field
    /// and the role's own link differs from it (landlords own tenancies through
    /// `property.landlord`, a tenant owns theirs through `tenant_party`); nil when the owner field decides.
    @discardableResult
    func ensureOwner(of index: Int, role: String?, hint: String?, in draft: inout DraftSpec, announce: Bool) -> String? {
        let entity = draft.entities[index]
        if let current = entity.ownerField {
            guard let role, let link = Self.ownLink(of: entity, role: role, hint: hint, in: draft), link != current else { return nil }
            if announce {
                draft.assumptions.append("\(entity.name).\(link) decides which \(EnglishInflection.pluralName(entity.name)) are \(AcceptanceCriteriaWriter.article(role)) \(role)'s own (for other roles \(entity.name).\(current) does).")
            }
            return link
        }
        for candidate in [hint, role, "owner", "created_by", "creator", "user"].compactMap({ $0 }) {
            if let field = entity.field(named: candidate), field.type == .string {
                draft.entities[index].ownerField = candidate
                return nil
            }
        }
        if let role, let path = Self.domainLink(from: entity, to: role, in: draft) {
            draft.entities[index].ownerField = path
            if announce {
                draft.assumptions.append("\(entity.name).\(path) decides which \(EnglishInflection.pluralName(entity.name)) are \(AcceptanceCriteriaWriter.article(role)) \(role)'s own: the token's subject is the id of the \(role) row.")
            }
            return nil
        }
        let name = hint ?? "owner"
        draft.entities[index].add(DraftField(name: name, type: .string, required: name == "owner", inferred: true, holdsUserID: true))
        draft.entities[index].ownerField = name
        if announce, let role {
            draft.assumptions.append("\(entity.name).\(name) (inferred) holds the id of the user who owns the row; \(AcceptanceCriteriaWriter.article(role)) \(role) sees their own \(EnglishInflection.pluralName(entity.name)) through it.")
        }
        return nil
    }
}
