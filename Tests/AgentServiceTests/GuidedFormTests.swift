import Testing
@testable import AgentService
import Shared

/// The Product Architect on guided forms: each invalid form answers INVALID_ARGUMENT naming the
/// offending field by its JSON path; a valid form gives the expected spec.
@Suite struct GuidedFormTests {
    typealias Field = GuidedForm.Field

    static let company = GuidedForm.Entity(name: "company", fields: [Field(name: "name", type: "string", required: true)])
    static let contact = GuidedForm.Entity(name: "contact", fields: [
        Field(name: "first_name", type: "string", required: true),
        Field(name: "email", type: "email", unique: true),
        Field(name: "company", type: "reference", required: true, references: "company"),
    ])
    static let deal = GuidedForm.Entity(name: "deal", fields: [
        Field(name: "title", type: "string", required: true),
        Field(name: "amount", type: "money"),
        Field(name: "stage", type: "enum", values: ["lead", "won", "lost"]),
        Field(name: "owner", type: "string", required: true),
        Field(name: "contact", type: "reference", references: "contact"),
    ], ownerField: "owner")
    static let tag = GuidedForm.Entity(name: "tag", fields: [Field(name: "label", type: "string", unique: true)])

    static var validForm: GuidedForm {
        GuidedForm(
            entities: [deal, contact, company, tag],
            relations: [.init(kind: "many_to_many", from: "deal", to: "tag")],
            roles: [
                .init(name: "sales_rep", permissions: [
                    .init(entity: "deal", actions: ["read", "create", "update"], scope: "own"),
                    .init(entity: "contact", actions: ["read"]),
                ]),
                .init(name: "manager", permissions: [.init(entity: "deal", actions: ["create", "read", "update", "delete"], scope: "all")]),
            ]
        )
    }

    @Test func validFormGivesTheExpectedSpec() throws {
        let input = ArchitectInput(title: "CRM", description: "", mode: .guided, form: Self.validForm, acceptanceCriteria: ["A deal can be won only once"])
        let spec = try ProductArchitect().design(input)
        #expect(spec.title == "CRM")
        #expect(spec.entities.map(\.name) == ["company", "contact", "deal", "tag"])
        let contact = try #require(spec.entity(named: "contact"))
        #expect(contact.fields.map(\.name) == ["first_name", "email", "company"])
        #expect(contact.piiFields == ["first_name", "email"])
        #expect(contact.fields.allSatisfy { !$0.inferred })
        let deal = try #require(spec.entity(named: "deal"))
        #expect(deal.ownerField == "owner")
        #expect(deal.fields.first { $0.name == "stage" }?.values == ["lead", "won", "lost"])
        #expect(spec.relations == [
            RelationSpec(kind: .oneToMany, from: "company", to: "contact", via: "company"),
            RelationSpec(kind: .oneToMany, from: "contact", to: "deal", via: "contact"),
            RelationSpec(kind: .manyToMany, from: "deal", to: "tag", via: "deal_tags"),
        ])
        #expect(spec.roles.map(\.name) == ["sales_rep", "manager"])
        #expect(spec.roles[0].permissions == [
            .init(entity: "deal", actions: [.create, .read, .update], scope: .own),
            .init(entity: "contact", actions: [.read], scope: .all),
        ])
        #expect(spec.acceptanceCriteria.contains { $0.statement == "A sales_rep cannot read another user's deal" && $0.kind == .rbac })
        #expect(spec.acceptanceCriteria.contains { $0.statement == "Creating a deal with stage 'unknown' is rejected" })
        #expect(spec.acceptanceCriteria.contains { $0.kind == .isolation && $0.entity == "tag" })
        #expect(spec.acceptanceCriteria.last?.kind == .custom)
        #expect(spec.acceptanceCriteria.last?.statement == "A deal can be won only once")
        #expect(spec.assumptions.isEmpty)
        #expect(try ProductArchitect().design(input) == spec)
    }

    @Test func formWithoutRolesGetsDefaultRolesAndOwners() throws {
        let form = GuidedForm(entities: [Self.company])
        let spec = try ProductArchitect().design(ArchitectInput(title: "Companies", description: "", mode: .guided, form: form))
        #expect(spec.roles.map(\.name) == ["admin", "member"])
        let company = try #require(spec.entity(named: "company"))
        #expect(company.ownerField == "owner")
        #expect(company.fields.last?.inferred == true)
    }

    @Test func missingFormIsRejected() throws {
        let error = try #require(throws: WireError.self) {
            try ProductArchitect().design(ArchitectInput(title: "x", description: "contacts", mode: .guided))
        }
        #expect(error.code == .invalidArgument)
        #expect(error.details.first?.field == "form")
    }

    static let invalidForms: [(String, GuidedForm, String)] = [
        ("no entities", GuidedForm(entities: []), "form.entities"),
        ("unknown type", GuidedForm(entities: [company, GuidedForm.Entity(name: "contact", fields: [Field(name: "name", type: "string"), Field(name: "age", type: "number")])]), "form.entities[1].fields[1].type"),
        ("duplicate entity", GuidedForm(entities: [company, company]), "form.entities[1].name"),
        ("duplicate field", GuidedForm(entities: [GuidedForm.Entity(name: "company", fields: [Field(name: "name", type: "string"), Field(name: "name", type: "text")])]), "form.entities[0].fields[1].name"),
        ("empty entity name", GuidedForm(entities: [GuidedForm.Entity(name: "", fields: [Field(name: "name", type: "string")])]), "form.entities[0].name"),
        ("not snake_case", GuidedForm(entities: [GuidedForm.Entity(name: "company", fields: [Field(name: "First Name", type: "string")])]), "form.entities[0].fields[0].name"),
        ("implied field", GuidedForm(entities: [GuidedForm.Entity(name: "company", fields: [Field(name: "id", type: "string")])]), "form.entities[0].fields[0].name"),
        ("entity without fields", GuidedForm(entities: [GuidedForm.Entity(name: "company", fields: [])]), "form.entities[0].fields"),
        ("enum without values", GuidedForm(entities: [GuidedForm.Entity(name: "deal", fields: [Field(name: "stage", type: "enum")])]), "form.entities[0].fields[0].values"),
        ("dangling reference", GuidedForm(entities: [company, GuidedForm.Entity(name: "contact", fields: [Field(name: "account", type: "reference", references: "account")])]), "form.entities[1].fields[0].references"),
        ("reference without target", GuidedForm(entities: [GuidedForm.Entity(name: "contact", fields: [Field(name: "company", type: "reference")])]), "form.entities[0].fields[0].references"),
        ("owner field not a field", GuidedForm(entities: [GuidedForm.Entity(name: "deal", fields: [Field(name: "title", type: "string")], ownerField: "owner")]), "form.entities[0].owner_field"),
        ("unknown relation kind", GuidedForm(entities: [company, tag], relations: [.init(kind: "one_to_one", from: "company", to: "tag")]), "form.relations[0].kind"),
        ("relation to unknown entity", GuidedForm(entities: [company, tag], relations: [.init(kind: "many_to_many", from: "company", to: "label")]), "form.relations[0].to"),
        ("one_to_many without reference", GuidedForm(entities: [company, tag], relations: [.init(kind: "one_to_many", from: "company", to: "tag")]), "form.relations[0].kind"),
        ("permission on unknown entity", GuidedForm(entities: [company], roles: [.init(name: "agent", permissions: [.init(entity: "ticket", actions: ["read"])])]), "form.roles[0].permissions[0].entity"),
        ("unknown action", GuidedForm(entities: [company], roles: [.init(name: "agent", permissions: [.init(entity: "company", actions: ["read", "export"])])]), "form.roles[0].permissions[0].actions[1]"),
        ("unknown scope", GuidedForm(entities: [company], roles: [.init(name: "agent", permissions: [.init(entity: "company", actions: ["read"], scope: "team")])]), "form.roles[0].permissions[0].scope"),
        ("own scope without owner", GuidedForm(entities: [company], roles: [.init(name: "agent", permissions: [.init(entity: "company", actions: ["read"], scope: "own")])]), "form.roles[0].permissions[0].scope"),
        ("bad role name", GuidedForm(entities: [company], roles: [.init(name: "Sales Rep", permissions: [])]), "form.roles[0].name"),
    ]

    @Test(arguments: invalidForms.indices)
    func invalidFormNamesTheField(_ index: Int) throws {
        let (label, form, path) = Self.invalidForms[index]
        let error = try #require(throws: WireError.self, "\(label)") {
            try ProductArchitect().design(ArchitectInput(title: "x", description: "", mode: .guided, form: form))
        }
        #expect(error.code == .invalidArgument, "\(label)")
        #expect(error.details.first?.field == path, "\(label)")
        #expect(error.message.contains(path), "\(label)")
    }

    @Test func unknownTypeMessageListsAllowedTypes() throws {
        let form = GuidedForm(entities: [GuidedForm.Entity(name: "contact", fields: [Field(name: "age", type: "number")])])
        let error = try #require(throws: WireError.self) {
            try ProductArchitect().design(ArchitectInput(title: "x", description: "", mode: .guided, form: form))
        }
        #expect(error.details.first?.reason.contains("allowed: string, text, int, decimal, bool, date, datetime, enum, email, phone, money, reference") == true)
    }

    @Test func everyProblemIsReported() throws {
        let form = GuidedForm(entities: [GuidedForm.Entity(name: "Deal", fields: [Field(name: "stage", type: "enum"), Field(name: "x", type: "blob")])])
        let error = try #require(throws: WireError.self) {
            try ProductArchitect().design(ArchitectInput(title: "x", description: "", mode: .guided, form: form))
        }
        #expect(error.details.compactMap(\.field) == ["form.entities[0].name", "form.entities[0].fields[0].values", "form.entities[0].fields[1].type"])
        #expect(error.message.contains("and 2 more problems"))
    }
}
