/// The rules a permission's scope and owner path follow, for guided forms and specs alike: an
/// `owner_path` only with scope `own`; it resolves like an owner field; scope `own` needs an owner
/// field on the entity or a path on the permission; one role owns an entity's rows through one
/// path.
enum PermissionOwnership {
    /// The first problem of one permission, as the permission's key it is about (`scope` or
    /// `owner_path`) and why; nil when there is none. `earlier` holds the paths through which the
    /// role's earlier `own` permissions on the entity own its rows; `field` looks up a field of an
    /// entity as an owner path sees it.
    static func problem(
        role: String, entity: String, isOwn: Bool, ownerPath: String?, ownerField: String?, earlier: [String],
        field: (_ entity: String, _ name: String) -> OwnerPath.Field?
    ) -> (key: String, reason: String)? {
        if let ownerPath {
            guard isOwn else { return ("owner_path", "only a permission with scope 'own' takes an owner_path") }
            if let problem = OwnerPath(ownerPath).problem(from: entity, field: field) { return ("owner_path", problem) }
        }
        guard isOwn else { return nil }
        guard let path = ownerPath ?? ownerField else {
            return ("scope", "scope 'own' needs an owner_field on entity '\(entity)' or an owner_path on the permission")
        }
        guard let other = earlier.first(where: { $0 != path }) else { return nil }
        return ("owner_path", "role '\(role)' already owns \(entity) rows through '\(other)'; one role owns an entity's rows through one path")
    }
}
