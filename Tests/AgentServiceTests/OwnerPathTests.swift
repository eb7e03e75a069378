import Foundation
import Shared
import Testing
@testable import AgentService

/// Owner fields as paths (`prescription.owner_field = "appointment.patient"`): where forms, specs
/// and plans are checked, a path that does not resolve is INVALID_ARGUMENT naming the owner
/// field; a valid one adds no owner column and leaves its first reference an ordinary field.
@Suite struct OwnerPathTests {
    @Test func aPathIsReadAsItsSegments() {
        let path = OwnerPath("appointment.patient")
        #expect(path.segments == ["appointment", "patient"])
        #expect(path.goesThroughParent)
        #expect(path.first == "appointment")
        #expect(path.description == "appointment.patient")
        #expect(!OwnerPath("owner").goesThroughParent)
        #expect(OwnerPath("appointment.").segments == ["appointment", ""])
    }

    @Test func guidedFormsMayOwnRowsThroughParentsAndReferences() throws {
        let spec = try ProductArchitect().design(ClinicFixture.input(ClinicFixture.form(doses: true)))
        #expect(spec.entity(named: "appointment")?.ownerField == "patient")
        #expect(spec.entity(named: "prescription")?.ownerField == "appointment.patient")
        #expect(spec.entity(named: "dose")?.ownerField == "prescription.appointment.patient")
        let prescription = try #require(spec.entity(named: "prescription"))
        #expect(prescription.fields.map(\.name) == ["appointment", "medication", "dosage"], "a path adds no field")
        #expect(prescription.fields.first?.required == true)
        #expect(spec.acceptanceCriteria.contains { $0.statement == "Creating a prescription without appointment is rejected" })
        #expect(spec.acceptanceCriteria.contains { $0.statement == "A patient cannot read another user's dose" })
    }

    @Test func theSeedAccountOfARoleOwningRowsThroughAReferenceIsTheReferencedSeedRow() throws {
        let spec = try ProductArchitect().design(ClinicFixture.input(ClinicFixture.form(doses: true)))
        let plan = try SystemDesigner().design(DesignerInput(spec: spec))
        let patient = try #require(SeedUsers.users(for: spec).first { $0.role == "patient" })
        let appointments = plan.seed.filter { $0.entity == "appointment" }
        #expect(!appointments.isEmpty)
        #expect(appointments.allSatisfy { $0.values["patient_id"] == .string(patient.id) }, "the patient's token sees the seed appointments")
        #expect(plan.seed.contains { $0.entity == "patient" && $0.values["id"] == .string(patient.id) })
    }

    static let invalidPaths: [(owner: String, reason: String)] = [
        ("appointment.nobody", "'nobody' of the owner path 'appointment.nobody' is not a field of appointment"),
        ("nothing.patient", "'nothing' of the owner path 'nothing.patient' is not a field of prescription"),
        ("medication.patient", "'medication' of the owner path 'medication.patient' must be a reference field of prescription"),
        ("appointment.starts_at", "the owner field 'starts_at' of appointment must be a string (the owning user's id) or a reference"),
        ("appointment.patient.full_name.x", "'full_name' of the owner path 'appointment.patient.full_name.x' must be a reference field of patient"),
        ("appointment.", "'' is not snake_case"),
        (".patient", "'' is not snake_case"),
        ("appointment..patient", "'' is not snake_case"),
        ("Appointment.Patient", "'Appointment' is not snake_case"),
        ("appointment.patient.a.b.c", "has 5 segments; an owner path has at most 4"),
    ]

    @Test(arguments: invalidPaths)
    func aFormWhoseOwnerPathDoesNotResolveNamesTheOwnerField(owner: String, reason: String) throws {
        let error = try #require(throws: WireError.self, "\(owner)") {
            try ProductArchitect().design(ClinicFixture.input(ClinicFixture.form(prescriptionOwner: owner)))
        }
        #expect(error.code == .invalidArgument)
        #expect(error.details.map(\.field) == ["form.entities[2].owner_field"], "\(owner): \(error.details)")
        #expect(error.details.first?.reason.contains(reason) == true, "\(owner): \(error.details.first?.reason ?? "")")
        #expect(error.message.contains("form.entities[2].owner_field"))
    }

    @Test func aFormOwnerFieldMayBeAReferenceButNotAnotherType() throws {
        var form = ClinicFixture.form()
        form.entities[1].ownerField = "starts_at"
        let error = try #require(throws: WireError.self) { try GuidedFormValidator.validate(form) }
        #expect(error.details.map(\.field) == ["form.entities[1].owner_field"])
        #expect(error.details.first?.reason.contains("must be a string (the owning user's id) or a reference") == true)
        #expect(GuidedFormValidator.problems(in: ClinicFixture.form()).isEmpty)
    }

    @Test func aPersonalDataFieldCannotDecideOwnership() throws {
        var form = ClinicFixture.form(prescriptionOwner: "appointment.patient.full_name")
        form.entities[0].fields[0].pii = true
        let problems = GuidedFormValidator.problems(in: form)
        #expect(problems.map(\.field) == ["form.entities[2].owner_field"])
        #expect(problems.first?.reason.contains("holds personal data") == true)
    }

    // MARK: specs written by hand or by a model, checked by the System Designer

    static func clinicSpec() throws -> FormalSpec {
        try ProductArchitect().design(ClinicFixture.input(ClinicFixture.form(doses: true)))
    }

    static func spec(_ spec: FormalSpec, owner: String?, of entity: String) -> FormalSpec {
        var spec = spec
        if let index = spec.entities.firstIndex(where: { $0.name == entity }) { spec.entities[index].ownerField = owner }
        return spec
    }

    @Test(arguments: [
        ("prescription", "appointment.nobody", "is not a field of appointment"),
        ("prescription", "appointment.starts_at", "must be a string (the owning user's id) or a reference"),
        ("dose", "prescription.medication.patient", "must be a reference field of prescription"),
        ("prescription", "appointment.patient.a.b.c", "an owner path has at most 4"),
        ("prescription", "id", "is a column every table has"),
        ("prescription", "Owner Name", "must be a field name or a dotted path"),
        ("appointment", "reason", "must be a string (the owning user's id) or a reference (whose row's id is the user's), not text"),
    ])
    func theDesignerRefusesAnOwnerFieldThatDoesNotResolve(entity: String, owner: String, reason: String) throws {
        let spec = Self.spec(try Self.clinicSpec(), owner: owner, of: entity)
        let index = try #require(spec.entities.firstIndex { $0.name == entity })
        let error = try #require(throws: WireError.self, "\(owner)") { try SystemDesigner().design(DesignerInput(spec: spec)) }
        #expect(error.code == .invalidArgument)
        #expect(error.details.first?.field == "spec.entities[\(index)].owner_field", "\(owner): \(error.details)")
        #expect(error.details.first?.reason.contains(reason) == true, "\(owner): \(error.details.first?.reason ?? "")")
    }

    @Test func aPathThroughAnEntityTheSpecLacksIsRefusedNotACrash() throws {
        var spec = try Self.clinicSpec()
        spec.entities.removeAll { $0.name == "appointment" }
        let problems = spec.ownershipProblems(at: "spec")
        #expect(problems.map(\.field) == ["spec.entities[1].owner_field", "spec.entities[2].owner_field"])
        #expect(problems.first?.reason.contains("is not a field of appointment") == true)
    }

    @Test func pathsMayLoopThroughSelfReferencesUpToTheLimit() {
        let node = EntitySpec(name: "node", plural: "nodes", fields: [
            FieldSpec(name: "parent", type: .reference, references: "node"),
            FieldSpec(name: "owner", type: .string, required: true),
        ], ownerField: "parent.parent.parent.owner")
        var spec = FormalSpec(title: "Tree", summary: "", entities: [node], relations: [], roles: [], acceptanceCriteria: [])
        #expect(spec.ownershipProblems(at: "spec").isEmpty)
        spec.entities[0].ownerField = "parent.parent.parent.parent.owner"
        #expect(spec.ownershipProblems(at: "spec").first?.reason.contains("at most 4") == true)
    }

    @Test func anImplicitOwnerColumnMayEndAPath() {
        let spec = FormalSpec(title: "CRM", summary: "", entities: [
            EntitySpec(name: "deal", plural: "deals", fields: [FieldSpec(name: "title", type: .string)], ownerField: "owner"),
            EntitySpec(name: "note", plural: "notes", fields: [FieldSpec(name: "deal", type: .reference, required: true, references: "deal")], ownerField: "deal.owner"),
        ], relations: [], roles: [], acceptanceCriteria: [])
        #expect(spec.ownershipProblems(at: "spec").isEmpty)
        #expect(spec.entities[0].hasImplicitOwnerColumn)
        #expect(!spec.entities[1].hasImplicitOwnerColumn)
    }

    @Test func ownScopeWithoutAnOwnerFieldIsRefused() throws {
        let spec = Self.spec(try Self.clinicSpec(), owner: nil, of: "prescription")
        let error = try #require(throws: WireError.self) { try SystemDesigner().design(DesignerInput(spec: spec)) }
        let role = try #require(spec.roles.firstIndex { $0.name == "patient" })
        let permission = try #require(spec.roles[role].permissions.firstIndex { $0.entity == "prescription" })
        #expect(error.details.map(\.field) == ["spec.roles[\(role)].permissions[\(permission)].scope"])
    }

    // MARK: what the plan and the render model make of a path

    @Test func aPathAddsNoOwnerColumnAndItsReferenceStaysRequired() throws {
        let spec = try Self.clinicSpec()
        let plan = try SystemDesigner().design(DesignerInput(spec: spec))
        let prescriptions = try #require(plan.migrations.first { $0.name == "create_prescriptions" })
        #expect(prescriptions.up.contains("appointment_id uuid NOT NULL"))
        #expect(!prescriptions.up.contains("appointment.patient"))
        #expect(plan.seed.filter { $0.entity == "prescription" }.allSatisfy { $0.values.keys.sorted() == ["appointment_id", "dosage", "id", "medication"] })
        let entity = try #require(spec.entity(named: "prescription"))
        let model = try ScaffoldRenderModel.entity(entity, in: plan, first: false, last: false)
        #expect(model["owner_implicit"] as? Bool == false)
        #expect(model["owner_is_path"] as? Bool == true)
        #expect(model["required_json"] as? String == #"["appointment_id","medication"]"#)
        let fields = try #require(model["fields"] as? [[String: Any]])
        #expect(fields.map { $0["is_owner_parent"] as? Bool } == [true, false, false])
        #expect(fields.map { $0["is_owner"] as? Bool } == [false, false, false])
        // A single owner field that is not declared still gets its column.
        let deals = SQLSchemaWriter().tableMigration(for: CRMFixture.spec.entities[2], in: CRMFixture.spec, version: 4)
        #expect(deals.up.contains("owner text NOT NULL"))
    }

    @Test func codegenRefusesAPlanWhoseOwnerPathDoesNotResolve() async throws {
        var plan = try SystemDesigner().design(DesignerInput(spec: try Self.clinicSpec()))
        plan.spec = Self.spec(plan.spec, owner: "appointment.nobody", of: "prescription")
        let codegen = CodegenEngineer(renderer: try ScaffoldRenderer(), repositories: BaseRepositories(root: nil))
        let error = await #expect(throws: WireError.self) { try await codegen.generate(CodegenInput(plan: plan)) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.details.first?.field == "input.plan.spec.entities[2].owner_field")
    }
}
