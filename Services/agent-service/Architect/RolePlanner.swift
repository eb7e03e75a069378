import Shared

/// Turns role names and permission statements into `RoleSpec`s, deciding owner fields on the way.
///
/// - No roles described: `admin` (everything) and `member` (reads everything, creates and
///   updates own rows); every entity gets an owner field.
/// - Statements: "see/view/access" → read, implying create and update (and delete for elevated
///   roles such as managers seeing all) unless the role is read-only or another statement limits
///   that action to own rows; "manage" → all four; "edit" → read, update; "create/submit/book" →
///   create (plus read of own rows when nothing else grants read); "delete" → read, delete;
///   "approve/assign" → read, update; "cannot …" takes actions away.
///   `own` scope needs an owner field: the hinted field ("assigned to them" → `assignee`), the
///   role's own user field (`doctor`), `owner`, `created_by` — else an inferred `owner` is added.
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
            roles.append(RoleSpec(name: "admin", permissions: entityNames.map { .init(entity: $0, actions: CRUDAction.allCases, scope: .all) }))
            draft.assumptions.append("No described role can do everything; added an admin role with full access to every entity.")
        }
        return roles
    }

    private func defaultRoles(_ draft: inout DraftSpec) -> [RoleSpec] {
        for index in draft.entities.indices { ensureOwner(of: index, role: nil, hint: nil, in: &draft, announce: false) }
        draft.assumptions.append("No roles were described; assumed admin (full access) and member (reads everything, creates and updates their own rows, owned through each entity's owner field).")
        let names = draft.entities.map(\.name)
        return [
            RoleSpec(name: "admin", permissions: names.map { .init(entity: $0, actions: CRUDAction.allCases, scope: .all) }),
            RoleSpec(name: "member", permissions: names.flatMap { name in
                [RoleSpec.Permission(entity: name, actions: [.read], scope: .all), .init(entity: name, actions: [.create, .update], scope: .own)]
            }),
        ]
    }

    private func role(named name: String, in draft: inout DraftSpec) -> RoleSpec {
        let count = draft.entities.count
        var grants = [EntityGrants](repeating: EntityGrants(), count: count)
        var everything: EntityGrants?
        let statements = draft.roleStatements.filter { $0.roles.contains(name) }
        for statement in statements where !statement.negated {
            let actions = Self.actions(for: statement.grants, scope: statement.scope, role: name)
            if statement.everything {
                everything = (everything ?? EntityGrants()).adding(actions, scope: .all)
                continue
            }
            for entity in statement.entities {
                guard let index = draft.index(of: entity) else { continue }
                if statement.scope == .own { ensureOwner(of: index, role: name, hint: statement.ownerHint, in: &draft, announce: true) }
                grants[index] = grants[index].adding(actions, scope: statement.scope)
            }
        }
        var all = [Set<CRUDAction>](repeating: [], count: count)
        var own = [Set<CRUDAction>](repeating: [], count: count)
        for index in 0..<count {
            if RoleNames.isAdministrator(name) {
                all[index] = Set(CRUDAction.allCases)
            } else if grants[index].isEmpty {
                if let everything { all[index] = everything.allActions }
                else if draft.entities[index].name != name { all[index] = [.read] }
            } else {
                all[index] = grants[index].allActions
                own[index] = grants[index].ownActions
                if !all[index].contains(.read), !own[index].contains(.read), all[index].contains(.create) || own[index].contains(.create) {
                    own[index].insert(.read)
                    ensureOwner(of: index, role: name, hint: nil, in: &draft, announce: true)
                }
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
            if !ownActions.isEmpty { permissions.append(.init(entity: entity.name, actions: ownActions, scope: .own)) }
        }
        return RoleSpec(name: name, permissions: permissions)
    }

    /// What statements grant a role on one entity: actions said outright, and actions implied by
    /// "see" (create and update), which an explicit own-scoped grant of the same action overrides.
    struct EntityGrants: Sendable {
        /// Said outright for all rows.
        var explicitAll: Set<CRUDAction> = []
        /// Implied for all rows.
        var impliedAll: Set<CRUDAction> = []
        /// Said outright for own rows.
        var explicitOwn: Set<CRUDAction> = []
        /// Implied for own rows.
        var impliedOwn: Set<CRUDAction> = []

        /// Whether nothing was granted.
        var isEmpty: Bool { explicitAll.isEmpty && impliedAll.isEmpty && explicitOwn.isEmpty && impliedOwn.isEmpty }
        /// The actions on all rows: explicit ones, and implied ones not limited to own rows elsewhere.
        var allActions: Set<CRUDAction> { explicitAll.union(impliedAll.subtracting(explicitOwn)) }
        /// The actions on own rows.
        var ownActions: Set<CRUDAction> { explicitOwn.union(impliedOwn) }

        /// These grants with more actions at a scope.
        func adding(_ actions: (explicit: Set<CRUDAction>, implied: Set<CRUDAction>), scope: RoleSpec.Scope) -> EntityGrants {
            var copy = self
            switch scope {
            case .all:
                copy.explicitAll.formUnion(actions.explicit)
                copy.impliedAll.formUnion(actions.implied)
            case .own:
                copy.explicitOwn.formUnion(actions.explicit)
                copy.impliedOwn.formUnion(actions.implied)
            }
            return copy
        }
    }

    /// The actions a statement grants outright, and those it implies.
    static func actions(for grants: [RoleStatement.Grant], scope: RoleSpec.Scope, role: String) -> (explicit: Set<CRUDAction>, implied: Set<CRUDAction>) {
        var explicit: Set<CRUDAction> = []
        var implied: Set<CRUDAction> = []
        for grant in grants {
            switch grant {
            case .readOnly: explicit.insert(.read)
            case .visibility:
                explicit.insert(.read)
                if RoleNames.isReadOnly(role) || grants.contains(.readOnly) { continue }
                implied.formUnion(scope == .all && RoleNames.isElevated(role) ? [.create, .update, .delete] : [.create, .update])
            case .manage: explicit.formUnion(CRUDAction.allCases)
            case .edit, .decide: explicit.formUnion([.read, .update])
            case .create: explicit.insert(.create)
            case .delete: explicit.formUnion([.read, .delete])
            }
        }
        return (explicit, implied.subtracting(explicit))
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

    /// Makes sure an entity has an owner field: an existing user field, or an inferred one.
    func ensureOwner(of index: Int, role: String?, hint: String?, in draft: inout DraftSpec, announce: Bool) {
        guard draft.entities[index].ownerField == nil else { return }
        let entity = draft.entities[index]
        for candidate in [hint, role, "owner", "created_by", "creator", "user"].compactMap({ $0 }) {
            if let field = entity.field(named: candidate), field.type == .string {
                draft.entities[index].ownerField = candidate
                return
            }
        }
        let name = hint ?? "owner"
        draft.entities[index].add(DraftField(name: name, type: .string, required: name == "owner", inferred: true, holdsUserID: true))
        draft.entities[index].ownerField = name
        if announce, let role {
            draft.assumptions.append("\(entity.name).\(name) (inferred) holds the id of the user who owns the row; \(AcceptanceCriteriaWriter.article(role)) \(role) sees their own \(EnglishInflection.pluralName(entity.name)) through it.")
        }
    }
}
