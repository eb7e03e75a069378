import Testing
@testable import AgentService
import Shared

/// The deterministic Product Architect on free text: what a reader would extract from ordinary
/// descriptions, vague input, limits and determinism. Domain cases continue in
/// `ProductArchitectTests+Domains.swift`.
@Suite struct ProductArchitectTests {
    static let crm = "A CRM with contacts, companies and deals. Each contact has a name, email and phone and belongs to a company. Deals have an amount, a stage (lead, qualified, won, lost) and an owner. Sales reps see only their own deals; managers see all."

    @Test func crmEntitiesComeInDependencyOrder() throws {
        let spec = try design(Self.crm, title: "Sales CRM")
        #expect(spec.title == "Sales CRM")
        #expect(spec.entities.map(\.name) == ["company", "contact", "deal"])
        #expect(spec.entities.map(\.plural) == ["companies", "contacts", "deals"])
        #expect(spec.entities.allSatisfy { !$0.inferred })
    }

    @Test func crmContactFieldsTypesAndPII() throws {
        let contact = try entity(design(Self.crm), "contact")
        #expect(contact.fields.map(\.name) == ["name", "email", "phone", "company"])
        let name = try field(contact, "name")
        #expect(name.type == .string && name.required && name.pii)
        #expect(try field(contact, "email").type == .email)
        #expect(try field(contact, "phone").type == .phone)
        let company = try field(contact, "company")
        #expect(company.type == .reference && company.references == "company" && company.required)
        #expect(Set(contact.piiFields) == ["name", "email", "phone"])
    }

    @Test func crmDealFieldsAndOwner() throws {
        let deal = try entity(design(Self.crm), "deal")
        #expect(try field(deal, "amount").type == .money)
        let stage = try field(deal, "stage")
        #expect(stage.type == .enum && stage.values == ["lead", "qualified", "won", "lost"])
        let owner = try field(deal, "owner")
        #expect(owner.type == .string && owner.required && !owner.pii)
        #expect(deal.ownerField == "owner")
        #expect(deal.piiFields.isEmpty)
    }

    @Test func crmRelationsAndRoles() throws {
        let spec = try design(Self.crm)
        #expect(spec.relations == [RelationSpec(kind: .oneToMany, from: "company", to: "contact", via: "company")])
        #expect(spec.roles.map(\.name) == ["sales_rep", "manager", "admin"])
        #expect(spec.roles.map(\.inferred) == [false, false, true])
        #expect(permissions(spec, "sales_rep", "deal") == [.init(entity: "deal", actions: [.read], scope: .own)])
        for entity in ["company", "contact", "deal"] {
            #expect(permissions(spec, "manager", entity) == [.init(entity: entity, actions: [.read], scope: .all)])
            #expect(permissions(spec, "admin", entity) == [.init(entity: entity, actions: CRUDAction.allCases, scope: .all)])
        }
    }

    @Test func crmAcceptanceCriteriaAreTestableStatements() throws {
        let criteria = try design(Self.crm).acceptanceCriteria
        #expect(criteria.map(\.id) == (1...criteria.count).map { "AC-\($0)" })
        let rbac = try #require(criteria.first { $0.statement == "A sales_rep cannot read another user's deal" })
        #expect(rbac.kind == .rbac && rbac.entity == "deal" && rbac.role == "sales_rep")
        let validation = try #require(criteria.first { $0.statement == "Creating a deal with stage 'unknown' is rejected" })
        #expect(validation.kind == .validation && validation.entity == "deal")
        #expect(criteria.contains { $0.kind == .crud && $0.entity == "contact" })
        #expect(criteria.contains { $0.kind == .isolation && $0.entity == "deal" && $0.statement.contains("another tenant") })
        let pii = try #require(criteria.first { $0.kind == .pii && $0.entity == "contact" })
        #expect(pii.statement.contains("encrypted at rest"))
        for entity in ["company", "contact", "deal"] {
            #expect(criteria.contains { $0.kind == .crud && $0.entity == entity })
            #expect(criteria.contains { $0.kind == .isolation && $0.entity == entity })
        }
    }

    @Test func shortCRMUsesArchetypeDefaultsMarkedInferred() throws {
        let spec = try design("Build a CRM system with contacts and deals")
        #expect(spec.entities.map(\.name) == ["contact", "deal"])
        #expect(spec.entities.allSatisfy { !$0.inferred })
        let contact = try entity(spec, "contact")
        #expect(contact.fields.allSatisfy { $0.inferred })
        #expect(Array(contact.fields.map(\.name).prefix(3)) == ["name", "email", "phone"])
        #expect(try field(contact, "email").pii)
        let deal = try entity(spec, "deal")
        #expect(deal.fields.allSatisfy { $0.inferred })
        #expect(try field(deal, "amount").type == .money)
        #expect(try field(deal, "stage").values == ["lead", "qualified", "proposal", "won", "lost"])
        #expect(try field(deal, "contact").references == "contact")
        #expect(spec.relations.contains(RelationSpec(kind: .oneToMany, from: "contact", to: "deal", via: "contact", inferred: true)))
        #expect(spec.roles.map(\.name) == ["admin", "member"])
        #expect(permissions(spec, "member", "deal") == [.init(entity: "deal", actions: [.read], scope: .all), .init(entity: "deal", actions: [.create, .update], scope: .own)])
        #expect(spec.assumptions.contains { $0.hasPrefix("contact: no fields were described") })
        #expect(spec.assumptions.contains { $0.hasPrefix("No roles were described") })
    }

    @Test func aKindOfApplicationAloneInfersItsEntities() throws {
        let spec = try design("Build a CRM")
        #expect(spec.entities.map(\.name) == ["company", "contact", "deal"])
        #expect(spec.entities.allSatisfy { $0.inferred })
        #expect(spec.assumptions.contains { $0.contains("usual entities of a CRM") })
    }

    @Test func helpdeskPrioritiesStatusesAndScopes() throws {
        let spec = try design("A helpdesk for customer support. Customers have a name, email and phone. Tickets have a subject, a description, a priority (low/medium/high), a status (open, pending, closed), a customer and an assignee agent. Agents see all tickets, customers only their own.")
        #expect(spec.entities.map(\.name) == ["customer", "ticket"])
        let ticket = try entity(spec, "ticket")
        #expect(try field(ticket, "priority").values == ["low", "medium", "high"])
        #expect(try field(ticket, "status").values == ["open", "pending", "closed"])
        #expect(try field(ticket, "description").type == .text)
        #expect(try field(ticket, "customer").references == "customer")
        let assignee = try field(ticket, "assignee")
        #expect(assignee.type == .string && assignee.references == nil)
        // "customers only their own": the ticket's customer is the domain link, not the row's creator.
        #expect(ticket.ownerField == "customer")
        #expect(!ticket.fields.contains { $0.name == "owner" })
        #expect(try entity(spec, "customer").piiFields == ["name", "email", "phone"])
        #expect(spec.relations == [RelationSpec(kind: .oneToMany, from: "customer", to: "ticket", via: "customer")])
        #expect(spec.roles.map(\.name) == ["agent", "customer", "admin"])
        #expect(permissions(spec, "agent", "ticket") == [.init(entity: "ticket", actions: [.read], scope: .all)])
        #expect(permissions(spec, "customer", "ticket") == [.init(entity: "ticket", actions: [.read], scope: .own)])
        #expect(permissions(spec, "customer", "customer").isEmpty)
        #expect(spec.acceptanceCriteria.contains { $0.statement == "A customer cannot read another user's ticket" && $0.role == "customer" })
        #expect(spec.assumptions.contains { $0.hasPrefix("ticket.customer decides which tickets are a customer's own") })
    }

    @Test func inventoryProductsSuppliersWarehousesAndMovements() throws {
        let spec = try design("An inventory app to track products, suppliers, warehouses and stock movements. Products have a SKU, a name, a quantity and a price, and belong to a supplier. Suppliers have a name, an email and a phone number. Each warehouse has a name and an address. A stock movement has a product, a warehouse, a quantity, a type (in/out) and a moved at datetime.")
        #expect(spec.entities.map(\.name) == ["supplier", "product", "warehouse", "stock_movement"])
        #expect(try entity(spec, "stock_movement").plural == "stock_movements")
        let product = try entity(spec, "product")
        let sku = try field(product, "sku")
        #expect(sku.type == .string && sku.required && sku.unique)
        #expect(try field(product, "quantity").type == .int)
        #expect(try field(product, "price").type == .money)
        #expect(try field(product, "supplier").references == "supplier")
        #expect(try field(entity(spec, "supplier"), "phone").type == .phone)
        let movement = try entity(spec, "stock_movement")
        #expect(try field(movement, "type").values == ["in", "out"])
        #expect(try field(movement, "moved_at").type == .datetime)
        #expect(spec.relations.filter { $0.kind == .oneToMany }.map(\.from) == ["supplier", "product", "warehouse"])
        #expect(try !field(entity(spec, "warehouse"), "address").pii)
    }

    @Test func blogTagsAreManyToMany() throws {
        let spec = try design("A blog with posts, authors, comments and tags. Posts have a title, a body and a published at datetime, and belong to an author. Authors have a name, an email and a bio. Each post has many comments; comments have a body and an author name. Posts can have many tags and tags can be on many posts.")
        #expect(spec.entities.map(\.name) == ["author", "post", "comment", "tag"])
        let post = try entity(spec, "post")
        #expect(try field(post, "body").type == .text)
        #expect(try field(post, "published_at").type == .datetime)
        #expect(try field(post, "author").references == "author")
        #expect(try field(entity(spec, "comment"), "post").references == "post")
        #expect(try !field(entity(spec, "comment"), "author_name").pii) // published with the comment: an attribution
        #expect(try entity(spec, "author").piiFields == ["email"])
        #expect(try entity(spec, "tag").fields.map(\.name).contains("post") == false)
        #expect(spec.relations.contains(RelationSpec(kind: .manyToMany, from: "post", to: "tag", via: "post_tags")))
        #expect(spec.relations.contains(RelationSpec(kind: .oneToMany, from: "post", to: "comment", via: "post")))
        #expect(spec.relations.contains(RelationSpec(kind: .oneToMany, from: "author", to: "post", via: "author")))
    }

    // MARK: Helpers

    func design(_ text: String, title: String = "App") throws -> FormalSpec {
        try ProductArchitect().design(ArchitectInput(title: title, description: text, mode: .freeform))
    }

    func entity(_ spec: FormalSpec, _ name: String) throws -> EntitySpec {
        try #require(spec.entity(named: name), "no entity \(name) in \(spec.entities.map(\.name))")
    }

    func field(_ entity: EntitySpec, _ name: String) throws -> FieldSpec {
        try #require(entity.fields.first { $0.name == name }, "no field \(name) in \(entity.name): \(entity.fields.map(\.name))")
    }

    func permissions(_ spec: FormalSpec, _ role: String, _ entity: String) -> [RoleSpec.Permission] {
        spec.roles.first { $0.name == role }?.permissions.filter { $0.entity == entity } ?? []
    }
}
