import Shared

/// The CRM formal spec of DESIGN's example, written out by hand so the planning agents can be
/// tested independently of the architect.
enum CRMFixture {
    static let spec = FormalSpec(
        title: "CRM",
        summary: "Contacts, companies and deals; sales reps see only their own deals.",
        entities: [
            EntitySpec(name: "company", plural: "companies", fields: [
                FieldSpec(name: "name", type: .string, required: true),
            ]),
            EntitySpec(name: "contact", plural: "contacts", fields: [
                FieldSpec(name: "name", type: .string, required: true, pii: true),
                FieldSpec(name: "email", type: .email),
                FieldSpec(name: "phone", type: .phone),
                FieldSpec(name: "company", type: .reference, references: "company"),
            ]),
            EntitySpec(name: "deal", plural: "deals", fields: [
                FieldSpec(name: "amount", type: .money, required: true),
                FieldSpec(name: "stage", type: .enum, required: true, values: ["lead", "qualified", "won", "lost"]),
            ], ownerField: "owner"),
        ],
        relations: [RelationSpec(kind: .oneToMany, from: "company", to: "contact", via: "company")],
        roles: [
            RoleSpec(name: "sales_rep", permissions: [
                .init(entity: "company", actions: [.read]),
                .init(entity: "contact", actions: [.create, .read, .update]),
                .init(entity: "deal", actions: [.create, .read, .update], scope: .own),
            ]),
            RoleSpec(name: "manager", permissions: [
                .init(entity: "company", actions: CRUDAction.allCases),
                .init(entity: "contact", actions: CRUDAction.allCases),
                .init(entity: "deal", actions: CRUDAction.allCases),
            ]),
        ],
        acceptanceCriteria: [
            AcceptanceCriterion(id: "AC-1", statement: "A sales_rep cannot read another user's deal", kind: .rbac, entity: "deal", role: "sales_rep"),
        ]
    )
}
