import Shared

/// A letting agency where two roles own the same entity's rows through different links: a
/// tenancy belongs to a property, the property to a landlord, and landlords see the tenancies of
/// their own properties (the tenancy's owner field, `property.landlord`); a tenant sees only the
/// tenancies they signed (the tenant permission's `owner_path`, `tenant_party`). Agents may do
/// everything.
enum LettingFixture {
    typealias Field = GuidedForm.Field

    /// The form; `tenantPermissions` replaces the tenant role's permissions.
    static func form(tenantPermissions: [GuidedForm.Permission]? = nil) -> GuidedForm {
        let all = ["create", "read", "update", "delete"]
        let entities = [
            GuidedForm.Entity(name: "landlord", fields: [Field(name: "name", type: "string", required: true)]),
            GuidedForm.Entity(name: "property", fields: [
                Field(name: "landlord", type: "reference", required: true, references: "landlord"),
                Field(name: "address", type: "string", required: true),
            ], ownerField: "landlord"),
            GuidedForm.Entity(name: "tenant", fields: [Field(name: "full_name", type: "string", required: true)]),
            GuidedForm.Entity(name: "tenancy", fields: [
                Field(name: "property", type: "reference", required: true, references: "property"),
                Field(name: "tenant_party", type: "reference", required: true, references: "tenant"),
                Field(name: "start_date", type: "date", required: true),
                Field(name: "deposit", type: "money"),
            ], ownerField: "property.landlord"),
        ]
        return GuidedForm(entities: entities, roles: [
            .init(name: "agent", permissions: entities.map { .init(entity: $0.name, actions: all, scope: "all") }),
            .init(name: "landlord", permissions: [
                .init(entity: "property", actions: ["read", "update"], scope: "own"),
                .init(entity: "tenancy", actions: ["read"], scope: "own"),
            ]),
            .init(name: "tenant", permissions: tenantPermissions ?? [
                .init(entity: "tenancy", actions: ["read", "update"], scope: "own", ownerPath: "tenant_party"),
            ]),
        ])
    }

    /// The architect's input for the form.
    static func input(_ form: GuidedForm = form()) -> ArchitectInput {
        ArchitectInput(title: "Lettings", description: "", mode: .guided, form: form)
    }
}
