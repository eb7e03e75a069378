import Foundation
import Shared
import Testing
@testable import AgentService

/// Own scope through a parent row: a clinic's patients see only the prescriptions of their own
/// appointments (`prescription.owner_field = "appointment.patient"`), and roles owning one
/// entity through different links, in a real scaffold.
extension ScaffoldLoopTests {
    @Test func ownerPathScaffoldPassesAndKeepsPatientsToTheirOwnPrescriptions() async throws {
        let spec = try ProductArchitect().design(ClinicFixture.input())
        #expect(spec.entity(named: "prescription")?.ownerField == "appointment.patient")
        #expect(spec.entity(named: "appointment")?.ownerField == "patient")
        let prescriptions = try #require(spec.acceptanceCriteria.first { $0.statement == "A patient cannot read another user's prescription" })
        let appointments = try #require(spec.acceptanceCriteria.first { $0.statement == "A patient cannot read another user's appointment" })
        let designed = try SystemDesigner().design(DesignerInput(spec: spec))
        let plan = SecurityCompliance().review(SecurityInput(plan: designed, description: nil, targetRepository: nil))
        let table = try #require(plan.migrations.first { $0.name == "create_prescriptions" })
        #expect(table.up.contains("appointment_id uuid NOT NULL"), "the path's reference stays a required column")
        #expect(!table.up.contains("appointment.patient"), "a path adds no owner column")

        let generated = try await run(.codegenEngineer, CodegenInput(plan: plan), as: CodegenOutput.self)
        let runID = "clinic-\(UUID().uuidString.prefix(8).lowercased())"
        let (prepared, report) = try await iteration(plan, run: runID, number: 1, diff: generated.diff)
        #expect(report.passed, "\(describe(report))")
        #expect(report.testsFailed == 0)
        #expect(report.score == 100)
        for criterion in [prescriptions, appointments] {
            let golden = report.checks.first { $0.name == "golden:\(criterion.id)" }
            #expect(golden?.passed == true, "\(criterion.statement): \(golden?.outputTail ?? "missing")")
            #expect(golden?.outputTail.contains("cannot read or list another user's") == true, "\(golden?.outputTail ?? "")")
        }
        #expect(report.checks.first { $0.name == "golden:\(prescriptions.id)" }?.outputTail.contains("owned through appointment.patient") == true)

        // The app's own suite ran the path-owned cases, and they passed.
        let suite = try await pytest(["tests/test_rbac.py", "-k", "prescriptions", "-rA"], run: runID, workspace: prepared.workspace)
        #expect(suite.succeeded, "\(suite.tail(40))")
        expectOutcome("PASSED", in: suite, [
            "test_own_scope_hides_other_users_rows[patient-prescriptions-read]",
            "test_own_scope_follows_the_parent_row[patient-prescriptions]",
            "test_role_may_do_exactly_what_the_spec_grants[patient-prescriptions-read]",
            "test_role_may_do_exactly_what_the_spec_grants[doctor-prescriptions-create]",
        ])

        // An app that ignores the path (own scope on prescriptions then shows every row of the
        // tenant) fails both its own suite and the golden task.
        try breakApp("app/rbac.py", in: prepared.workspace, replacing: #"if scope == "own" and path else None"#, with: #"if scope == "own" and len(path) == 1 else None"#)
        let broken = try await run(.qaEvaluator, QAInput(runID: runID, iteration: 1, plan: plan, workspace: prepared.workspace, timeoutSeconds: 600), as: EvalReport.self)
        #expect(!broken.passed)
        let golden = broken.checks.first { $0.name == "golden:\(prescriptions.id)" }
        #expect(golden?.passed == false, "\(golden?.outputTail ?? "missing")")
        #expect(golden?.outputTail.contains("read another user's prescription") == true, "\(golden?.outputTail ?? "")")
        #expect(broken.checks.first { $0.name == "golden:\(appointments.id)" }?.passed == true)
        let failing = try await pytest(["tests/test_rbac.py", "-k", "prescriptions", "-rA"], run: runID, workspace: prepared.workspace)
        #expect(failing.output.contains("FAILED tests/test_rbac.py::test_own_scope_hides_other_users_rows[patient-prescriptions-read]"), "\(failing.tail(40))")
        #expect(failing.output.contains("FAILED tests/test_rbac.py::test_own_scope_follows_the_parent_row[patient-prescriptions]"), "\(failing.tail(40))")
    }

    /// Patients, and only they, create (and change) their own appointments, prescriptions and
    /// doses (a path of three segments): creating or moving one under another patient's parent
    /// is refused, and the scaffold still passes its suite and QA, whose probes make each parent
    /// with a role allowed to (a doctor makes the patient row whose id a patient's token carries).
    @Test func ownerPathsWithOwnCreateAndUpdatePassTheirSuiteAndQA() async throws {
        let form = ClinicFixture.form(patientActions: ["create", "read", "update"], doses: true, doctorsCreate: false)
        let spec = try ProductArchitect().design(ClinicFixture.input(form))
        #expect(spec.entity(named: "dose")?.ownerField == "prescription.appointment.patient")
        let designed = try SystemDesigner().design(DesignerInput(spec: spec))
        let plan = SecurityCompliance().review(SecurityInput(plan: designed, description: nil, targetRepository: nil))
        let generated = try await run(.codegenEngineer, CodegenInput(plan: plan), as: CodegenOutput.self)
        let runID = "doses-\(UUID().uuidString.prefix(8).lowercased())"
        let (prepared, report) = try await iteration(plan, run: runID, number: 1, diff: generated.diff)
        #expect(report.passed, "\(describe(report))")
        #expect(report.score == 100)
        let crud = try #require(spec.acceptanceCriteria.first { $0.kind == .crud && $0.entity == "dose" })
        #expect(report.checks.first { $0.name == "golden:\(crud.id)" }?.outputTail.hasSuffix("created and read back") == true)
        let suite = try await pytest(["tests/test_rbac.py", "-k", "patient", "-rA"], run: runID, workspace: prepared.workspace)
        expectOutcome("PASSED", in: suite, [
            "test_own_scope_creates_rows_owned_by_the_caller[patient-appointments]",
            "test_own_scope_creates_rows_owned_by_the_caller[patient-prescriptions]",
            "test_own_scope_creates_rows_owned_by_the_caller[patient-doses]",
            "test_own_scope_hides_other_users_rows[patient-prescriptions-update]",
            "test_own_scope_hides_other_users_rows[patient-doses-update]",
            "test_own_scope_follows_the_parent_row[patient-doses]",
        ])

        // An app that does not check whose parent a create or update names fails its own suite.
        let check = "        field = self.entity.parent_of(path)\n        if field is None or (not creating"
        try breakApp("app/crud.py", in: prepared.workspace, replacing: check, with: "        return\n" + check)
        let failing = try await pytest(["tests/test_rbac.py", "-k", "patient", "-rA"], run: runID, workspace: prepared.workspace)
        expectOutcome("FAILED", in: failing, [
            "test_own_scope_creates_rows_owned_by_the_caller[patient-prescriptions]",
            "test_own_scope_creates_rows_owned_by_the_caller[patient-doses]",
            "test_own_scope_hides_other_users_rows[patient-doses-update]",
        ])
    }

    /// Each of the tests named (of `file`, default tests/test_rbac.py) ended with `outcome`
    /// (PASSED, FAILED) in the pytest run.
    /// Two roles own tenancies through different links: landlords through the property
    /// (`property.landlord`, the owner field), a tenant through the tenancy's own `tenant_party`
    /// (the permission's owner path). The scaffold passes its suite and QA; an app that makes
    /// every role follow the owner field fails both.
    @Test func rolesOwningOneEntityThroughDifferentLinksPassTheirSuiteAndQA() async throws {
        let spec = try ProductArchitect().design(LettingFixture.input())
        let designed = try SystemDesigner().design(DesignerInput(spec: spec))
        let plan = SecurityCompliance().review(SecurityInput(plan: designed, description: nil, targetRepository: nil))
        let generated = try await run(.codegenEngineer, CodegenInput(plan: plan), as: CodegenOutput.self)
        let runID = "letting-\(UUID().uuidString.prefix(8).lowercased())"
        let (prepared, report) = try await iteration(plan, run: runID, number: 1, diff: generated.diff)
        #expect(report.passed, "\(describe(report))")
        #expect(report.score == 100)
        let tenants = try #require(spec.acceptanceCriteria.first { $0.statement == "A tenant cannot read another user's tenancy" })
        let landlords = try #require(spec.acceptanceCriteria.first { $0.statement == "A landlord cannot read another user's tenancy" })
        let golden = report.checks.first { $0.name == "golden:\(tenants.id)" }
        #expect(golden?.passed == true, "\(golden?.outputTail ?? "missing")")
        #expect(golden?.outputTail.contains("owned through tenant_party") == true, "\(golden?.outputTail ?? "")")
        #expect(report.checks.first { $0.name == "golden:\(landlords.id)" }?.outputTail.contains("owned through property.landlord") == true)

        let cases = [
            "test_own_scope_hides_other_users_rows[tenant-tenancies-read]",
            "test_own_scope_hides_other_users_rows[tenant-tenancies-update]",
        ]
        let suite = try await pytest(["tests/test_rbac.py", "-k", "tenancies", "-rA"], run: runID, workspace: prepared.workspace)
        #expect(suite.succeeded, "\(suite.tail(40))")
        expectOutcome("PASSED", in: suite, cases + [
            "test_role_may_do_exactly_what_the_spec_grants[tenant-tenancies-read]",
            "test_own_scope_hides_other_users_rows[landlord-tenancies-read]",
            "test_own_scope_follows_the_parent_row[landlord-tenancies]",
        ])

        // An app where every role follows the owner field shows a tenant no tenancy of theirs.
        try breakApp("app/schema.py", in: prepared.workspace, replacing: #"if permission.scope == "own" and permission.owner_path:"#, with: "if False:")
        let broken = try await run(.qaEvaluator, QAInput(runID: runID, iteration: 1, plan: plan, workspace: prepared.workspace, timeoutSeconds: 600), as: EvalReport.self)
        #expect(!broken.passed)
        let failed = broken.checks.first { $0.name == "golden:\(tenants.id)" }
        #expect(failed?.passed == false, "\(failed?.outputTail ?? "missing")")
        #expect(broken.checks.first { $0.name == "golden:\(landlords.id)" }?.passed == true)
        let failing = try await pytest(["tests/test_rbac.py", "-k", "tenancies", "-rA"], run: runID, workspace: prepared.workspace)
        expectOutcome("FAILED", in: failing, cases)
    }

    func expectOutcome(_ outcome: String, in result: ProcessResult, _ ids: [String], file: String = "tests/test_rbac.py", sourceLocation: SourceLocation = #_sourceLocation) {
        for id in ids {
            #expect(result.output.contains("\(outcome) \(file)::\(id)"), "\(id)\n\(result.tail(40))", sourceLocation: sourceLocation)
        }
    }

    /// Breaks the generated app on purpose: replaces `code` (which must be in `file`) with `broken`.
    func breakApp(_ file: String, in workspace: String, replacing code: String, with broken: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = workspace + "/" + file
        let source = try String(contentsOfFile: path, encoding: .utf8)
        try #require(source.contains(code), "\(file) no longer holds the code this test breaks", sourceLocation: sourceLocation)
        try source.replacingOccurrences(of: code, with: broken).write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Runs the generated app's pytest in a prepared workspace, in the run's preview environment.
    func pytest(_ arguments: [String], run: String, workspace: String) async throws -> ProcessResult {
        let sandbox = try AgentTestEnvironment.sandbox()
        let preview = PreviewEnvironment.make(run: run, previewKey: AgentTestEnvironment.previewKey)
        let environment = preview.variables(databaseURL: try sandbox.requirePreviewDatabase(), sandbox: sandbox)
        return try await ProcessRunner.run(sandbox.python, ["-m", "pytest", "-q", "-p", "no:cacheprovider", "--color=no"] + arguments, in: workspace, environment: environment, timeout: .seconds(300))
    }
}
