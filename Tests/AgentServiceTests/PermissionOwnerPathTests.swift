import Foundation
import Shared
import Testing
@testable import AgentService

/// A role that owns an entity's rows through a link of its own (`RoleSpec.Permission.ownerPath`):
/// landlords own tenancies through `property.landlord`, a tenant through `tenant_party`. Forms,
/// specs and the architect's reading of a text give each role its path; a path that does not
/// resolve is INVALID_ARGUMENT naming the permission's `owner_path`.
@Suite struct PermissionOwnerPathTests {
    @Test func eachRoleOwnsRowsThroughItsOwnPath() throws {
        let spec = try ProductArchitect().design(LettingFixture.input())
        let tenancy = try #require(spec.entity(named: "tenancy"))
        #expect(tenancy.ownerField == "property.landlord")
        #expect(spec.ownerPath(of: "tenant", on: tenancy) == OwnerPath("tenant_party"))
        #expect(spec.ownerPath(of: "landlord", on: tenancy) == OwnerPath("property.landlord"))
        #expect(spec.ownerPath(of: "agent", on: tenancy) == OwnerPath("property.landlord"), "a role with no path of its own follows the owner field")
        #expect(spec.ownerPaths(of: tenancy) == [OwnerPath("property.landlord"), OwnerPath("tenant_party")])
        #expect(spec.ownerRowEntity(of: tenancy, along: OwnerPath("tenant_party"))?.name == "tenant")
        #expect(spec.ownerRowEntity(of: tenancy)?.name == "landlord")
        #expect(spec.ownershipProblems(at: "spec").isEmpty)
    }

    @Test func aFormPathEqualToTheOwnerFieldIsTheOwnerField() throws {
        let form = LettingFixture.form(tenantPermissions: [.init(entity: "tenancy", actions: ["read"], scope: "own", ownerPath: "property.landlord")])
        let spec = try ProductArchitect().design(LettingFixture.input(form))
        let permission = try #require(spec.roles.first { $0.name == "tenant" }?.permissions.first)
        #expect(permission.ownerPath == nil)
    }

    static let invalidFormPaths: [(permissions: [GuidedForm.Permission], field: String, reason: String)] = [
        ([.init(entity: "tenancy", actions: ["read"], scope: "all", ownerPath: "tenant_party")], "permissions[0].owner_path", "only a permission with scope 'own' takes an owner_path"),
        ([.init(entity: "tenancy", actions: ["read"], ownerPath: "tenant_party")], "permissions[0].owner_path", "only a permission with scope 'own'"),
        ([.init(entity: "tenancy", actions: ["read"], scope: "own", ownerPath: "nobody")], "permissions[0].owner_path", "'nobody' is not a field of tenancy"),
        ([.init(entity: "tenancy", actions: ["read"], scope: "own", ownerPath: "start_date")], "permissions[0].owner_path", "must be a string (the owning user's id) or a reference"),
        ([.init(entity: "tenancy", actions: ["read"], scope: "own", ownerPath: "property.nobody")], "permissions[0].owner_path", "'nobody' of the owner path 'property.nobody' is not a field of property"),
        ([.init(entity: "tenant", actions: ["read"], scope: "own")], "permissions[0].scope", "or an owner_path on the permission"),
        ([
            .init(entity: "tenancy", actions: ["read"], scope: "own", ownerPath: "tenant_party"),
            .init(entity: "tenancy", actions: ["update"], scope: "own"),
        ], "permissions[1].owner_path", "role 'tenant' already owns tenancy rows through 'tenant_party'"),
    ]

    @Test(arguments: invalidFormPaths)
    func aFormPermissionPathIsCheckedLikeAnOwnerField(permissions: [GuidedForm.Permission], field: String, reason: String) throws {
        let error = try #require(throws: WireError.self) { try GuidedFormValidator.validate(LettingFixture.form(tenantPermissions: permissions)) }
        #expect(error.code == .invalidArgument)
        #expect(error.details.map(\.field) == ["form.roles[2].\(field)"], "\(error.details)")
        #expect(error.details.first?.reason.contains(reason) == true, "\(error.details.first?.reason ?? "")")
    }

    @Test func theDesignerRefusesAPermissionPathThatDoesNotResolve() throws {
        var spec = try ProductArchitect().design(LettingFixture.input())
        let role = try #require(spec.roles.firstIndex { $0.name == "tenant" })
        spec.roles[role].permissions[0].ownerPath = "property.nobody"
        let error = try #require(throws: WireError.self) { try SystemDesigner().design(DesignerInput(spec: spec)) }
        #expect(error.details.map(\.field) == ["spec.roles[\(role)].permissions[0].owner_path"])
        spec.roles[role].permissions[0].ownerPath = "tenant_party"
        spec.roles[role].permissions[0].scope = .all
        let all = try #require(throws: WireError.self) { try SystemDesigner().design(DesignerInput(spec: spec)) }
        #expect(all.details.first?.reason == "only a permission with scope 'own' takes an owner_path")
    }

    @Test func thePathTravelsInTheSpecsJSONAndTheReadme() throws {
        let spec = try ProductArchitect().design(LettingFixture.input())
        let json = try #require(try JSONSerialization.jsonObject(with: JSONCoding.encode(spec)) as? [String: Any])
        let permissions = Dictionary(uniqueKeysWithValues: ((json["roles"] as? [[String: Any]]) ?? []).map {
            ($0["name"] as? String ?? "", ($0["permissions"] as? [[String: Any]]) ?? [])
        })
        #expect(permissions["tenant"]?.first?["owner_path"] as? String == "tenant_party")
        #expect(permissions["landlord"]?.allSatisfy { $0["owner_path"] == nil } == true, "no path of its own: the key is left out")
        #expect(try JSONDecoder().decode(FormalSpec.self, from: JSONCoding.encode(spec)) == spec)
        let plan = try SystemDesigner().design(DesignerInput(spec: spec))
        let roles = try #require(ScaffoldRenderModel.root(for: plan)["roles"] as? [[String: Any]])
        let rows = roles.flatMap { ($0["grants"] as? [[String: Any]]) ?? [] }.compactMap { $0["rows"] as? String }
        #expect(rows.contains("own through `tenant_party`"))
        #expect(rows.filter { $0 == "own" }.count == 2, "the landlord's grants follow the owner field")
    }

    @Test func eachRolesSeedAccountOwnsSeedRowsAlongItsPath() throws {
        let spec = try ProductArchitect().design(LettingFixture.input())
        let plan = try SystemDesigner().design(DesignerInput(spec: spec))
        let users = SeedUsers.users(for: spec)
        let tenant = try #require(users.first { $0.role == "tenant" })
        let landlord = try #require(users.first { $0.role == "landlord" })
        #expect(plan.seed.contains { $0.entity == "tenant" && $0.values["id"] == .string(tenant.id) }, "the tenant's account is a seed tenant")
        #expect(plan.seed.contains { $0.entity == "landlord" && $0.values["id"] == .string(landlord.id) })
        let tenancies = plan.seed.filter { $0.entity == "tenancy" }
        #expect(tenancies.contains { $0.values["tenant_party_id"] == .string(tenant.id) }, "the tenant's token sees a seed tenancy")
    }

    // MARK: the architect reading a text

    @Test(arguments: [
        (
            "We are a letting agency. Landlords have a name and email. Each property belongs to a landlord and has an address and a monthly rent. Tenants (full name, email) sign tenancies for a property with a start date and a deposit. Agents manage properties, tenants and tenancies; landlords see only their own properties and tenancies; tenants view their own tenancy.",
            "tenancy", "landlord", "property.landlord", "tenant", "tenant_party"
        ),
        (
            "A clinic books appointments. Patients have a full name and date of birth. Doctors have a name and a specialty. Each appointment has a patient, a doctor, a start time and notes. Receptionists manage patients, doctors and appointments; patients see their own appointments; doctors see and update their own appointments.",
            "appointment", "patient", "patient", "doctor", "doctor"
        ),
    ])
    func aSecondRoleOwningAnEntityKeepsItsOwnLink(text: String, entity: String, first: String, ownerField: String, second: String, path: String) throws {
        let spec = try ProductArchitect().design(ArchitectInput(title: "T", description: text, mode: .freeform))
        let owned = try #require(spec.entity(named: entity))
        #expect(owned.ownerField == ownerField)
        let firstPermission = spec.roles.first { $0.name == first }?.permissions.first { $0.entity == entity && $0.scope == .own }
        #expect(firstPermission != nil && firstPermission?.ownerPath == nil, "\(spec.roles)")
        let secondPermission = spec.roles.first { $0.name == second }?.permissions.first { $0.entity == entity && $0.scope == .own }
        #expect(secondPermission?.ownerPath == path, "\(spec.roles)")
        #expect(spec.assumptions.contains { $0.contains("\(entity).\(path) decides which") && $0.contains("\(second)'s own") }, "\(spec.assumptions)")
        #expect(spec.ownershipProblems(at: "spec").isEmpty)
    }
}
