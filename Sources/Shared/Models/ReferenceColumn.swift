/// How a reference to an entity is named in a generated table: `<entity>_id`, except for an
/// entity named `tenant` (a letting agency's tenants, a shopping centre's), whose plain column
/// would be `tenant_id`, the tenancy column every table already has.
public enum ReferenceColumn {
    /// The name a reference field to `entity` takes when the text gives it the entity's own name:
    /// `tenant_party` for `tenant`, else `entity` itself.
    public static func fieldName(for entity: String) -> String {
        entity == "tenant" ? "tenant_party" : entity
    }

    /// The column of a many-to-many join table that holds the id of an `entity` row.
    public static func joinColumn(for entity: String) -> String {
        "\(fieldName(for: entity))_id"
    }
}
