import Foundation
import Shared
import Testing
@testable import AgentService

/// The heart of the product: Codegen → DevOps → QA Evaluator (→ Auto-Fixer) on real git, the
/// real preview Postgres and the generated app's own pytest suite.
@Suite(.serialized) struct ScaffoldLoopTests {
    let registry: AgentRegistry

    init() throws {
        registry = try AgentTestEnvironment.registry()
    }

    func plan(from description: String, title: String) async throws -> ScaffoldPlan {
        let spec = try ProductArchitect().design(ArchitectInput(title: title, description: description, mode: .freeform))
        let designed = try SystemDesigner().design(DesignerInput(spec: spec))
        return SecurityCompliance().review(SecurityInput(plan: designed, description: description, targetRepository: nil))
    }

    func run<Output: Decodable>(_ role: AgentRole, _ input: some Encodable, as type: Output.Type) async throws -> Output {
        let output = try await registry.agent(for: role).runDeterministic(try AgentJSON.encode(input))
        return try AgentJSON.decode(Output.self, from: output, field: "output")
    }

    /// Generates, applies and evaluates one iteration.
    func iteration(_ plan: ScaffoldPlan, run: String, number: Int, diff: String, expectReady: Bool = true) async throws -> (DevOpsOutput, EvalReport) {
        let prepared = try await self.run(.devOps, DevOpsInput(runID: run, iteration: number, diff: diff), as: DevOpsOutput.self)
        if expectReady { #expect(prepared.ready, "\(prepared.steps.filter { !$0.passed }.map(\.outputTail))") }
        let report = try await self.run(.qaEvaluator, QAInput(runID: run, iteration: number, plan: plan, workspace: prepared.workspace, timeoutSeconds: 600), as: EvalReport.self)
        return (prepared, report)
    }

    func describe(_ report: EvalReport) -> String {
        report.checks.filter { $0.status == "failed" }.map { "\($0.name): \($0.outputTail.suffix(1500))" }.joined(separator: "\n---\n")
    }

    @Test func crmScaffoldPassesItsOwnSuiteSmokeGoldenTasksAndRollback() async throws {
        let plan = try await plan(from: "A CRM with contacts, companies and deals. Each contact has a name, email and phone and belongs to a company. Deals have an amount, a stage (lead, qualified, won, lost) and an owner. Sales reps see only their own deals; managers see all.", title: "CRM")
        let generated = try await run(.codegenEngineer, CodegenInput(plan: plan), as: CodegenOutput.self)
        let again = try await run(.codegenEngineer, CodegenInput(plan: plan), as: CodegenOutput.self)
        #expect(generated.diff == again.diff, "same plan, byte-identical diff")
        #expect(generated.files.contains("app/resources/deals.py"))
        #expect(generated.files.contains("tests/test_isolation.py"))
        let run = "crm-\(UUID().uuidString.prefix(8).lowercased())"
        let (_, report) = try await iteration(plan, run: run, number: 1, diff: generated.diff)
        #expect(report.passed, "\(describe(report))")
        #expect(report.testsPassed > 20)
        #expect(report.checks.contains { $0.name == "smoke" && $0.passed })
        #expect(report.checks.contains { $0.name.hasPrefix("golden:") && $0.passed })
        let permissions = report.checks.filter { $0.name.hasPrefix("golden:permissions:") }
        #expect(Set(permissions.map(\.name)) == Set(plan.spec.roles.map { "golden:permissions:\($0.name)" }))
        #expect(permissions.allSatisfy { $0.passed }, "\(describe(report))")
        #expect(report.checks.contains { $0.name == "rollback:down" && $0.passed })
        #expect(report.score == 100)
        // The report states the sandbox the code ran in.
        #expect(report.sandbox?.isolation == "bubblewrap" && report.sandbox?.network == "none" && report.sandbox?.limits?.cpuSeconds == 900)
    }

    @Test(arguments: [
        ("Blog", "A blog with authors, posts and tags. Each post has a title, a body, a published flag and a published at time, and belongs to an author. Posts can have many tags and tags can be on many posts. Admins manage everything; writers edit only their own posts."),
        ("Tasks", "A project tracker with projects and tasks. Each task has a title, a due date, a priority (low, medium, high) and a status (todo, doing, done) and belongs to a project."),
        ("Inventory", "An inventory system with products, suppliers, warehouses and stock movements. Each product has a SKU, a name, a price and a quantity and belongs to a supplier. Each stock movement has a quantity and a moved at time and belongs to a product and a warehouse."),
        // Sensitive data of every column type is PII, stored encrypted: money, decimal, date, int, string.
        // "Their own" through a parent: a prescription is a patient's through its appointment (owner path).
        ("Prescriptions", "Patients have a name and an email. Appointments have a starts at and belong to a patient. Prescriptions have a drug and a dose in mg and belong to an appointment. Doctors manage everything; patients see only their own appointments and prescriptions."),
        // An entity named tenant in a many-to-many, a self-reference, two entities referencing each other.
        ("Centre", PlanningAgentsTests.centre),
        ("Payroll", "A payroll app with departments and employees. Each employee has a first name, a last name, a date of birth, a national insurance number, a bank account number, a salary, a pay rate in pounds per hour and a number of dependants, and belongs to a department. Numbers of dependants are confidential. Payroll clerks manage everything."),
    ])
    func otherShapesGenerateScaffoldsThatPass(title: String, description: String) async throws {
        let plan = try await plan(from: description, title: title)
        let generated = try await run(.codegenEngineer, CodegenInput(plan: plan), as: CodegenOutput.self)
        let (_, report) = try await iteration(plan, run: "\(title.lowercased())-\(UUID().uuidString.prefix(8).lowercased())", number: 1, diff: generated.diff)
        #expect(report.passed, "\(title): \(describe(report))")
        #expect(report.testsFailed == 0)
        #expect(report.score == 100, "\(title): score \(report.score)")
    }

    /// Ten descriptions of the architect's corpus, of different shapes and styles (a paragraph with
    /// roles and own scopes, terse notes without roles, a colon-led list, units of measure, bullets
    /// with health data, Markdown tables, self-references, links and join entities).
    static let corpusSample = [
        "a01-heating-dispatch", "a05-corner-shop-stock", "a07-coastal-bike-rental", "a16-marina-berths", "b02-dental-practice",
        "b07-primary-school-admin", "b10-hr-payroll", "c01-bug-tracker", "c11-library-loans", "c16-choir",
    ]

    /// The corpus descriptions run through the loop: the sample, or all 80 with
    /// `META_BUILDER_CORPUS_LOOP=all` (about 25 minutes, one after another).
    static var loopCorpus: [String] {
        guard ProcessInfo.processInfo.environment["META_BUILDER_CORPUS_LOOP"] == "all" else { return corpusSample }
        return (try? CorpusCase.all().map(\.id)) ?? corpusSample
    }

    /// Each plan's scaffold passes its own suite and QA at 100.
    @Test(arguments: loopCorpus)
    func corpusDescriptionsGenerateScaffoldsThatPass(id: String) async throws {
        let corpusCase = try #require(try CorpusCase.all().first { $0.id == id })
        let plan = try await plan(from: corpusCase.description, title: id)
        let generated = try await run(.codegenEngineer, CodegenInput(plan: plan), as: CodegenOutput.self)
        let (_, report) = try await iteration(plan, run: "\(id.prefix(3))-\(UUID().uuidString.prefix(8).lowercased())", number: 1, diff: generated.diff)
        #expect(report.passed, "\(id): \(describe(report))")
        #expect(report.testsFailed == 0)
        #expect(report.score == 100, "\(id): score \(report.score)")
    }

    /// A plan that disagrees with its text: here one role may also delete what the text lets it
    /// only read, and another may no longer delete what the text lets it manage. The scaffold follows the plan, so it
    /// passes its own suite; QA holds the running app to the permission matrix read from the text
    /// and fails it, naming each disagreement (with the clause, where one granted it).
    @Test func aPlanThatGrantsOtherThanItsTextIsCaughtByQA() async throws {
        var plan = try await plan(from: "A helpdesk with customers and tickets. Each ticket has a subject and a status (open, pending, closed) and belongs to a customer. Customers have a name and an email. Support agents manage everything; customers see only their own tickets.", title: "Helpdesk")
        let reader = try #require(plan.spec.permissionMatrix.first { $0.entity == "ticket" && $0.action == .read && $0.scope == .own }?.role)
        let creator = try #require(plan.spec.permissionMatrix.first { $0.entity == "ticket" && $0.action == .delete && $0.role != reader })
        #expect(!plan.spec.permissionMatrix.contains { $0.role == reader && $0.entity == "ticket" && $0.action == .delete })
        for index in plan.spec.roles.indices {
            if plan.spec.roles[index].name == reader {
                plan.spec.roles[index].permissions.append(.init(entity: "ticket", actions: [.delete], scope: .all))
            }
            if plan.spec.roles[index].name == creator.role {
                plan.spec.roles[index].permissions = plan.spec.roles[index].permissions.map { permission in
                    var permission = permission
                    if permission.entity == "ticket" { permission.actions.removeAll { $0 == .delete } }
                    return permission
                }
            }
        }
        let generated = try await run(.codegenEngineer, CodegenInput(plan: plan), as: CodegenOutput.self)
        let (_, report) = try await iteration(plan, run: "drift-\(UUID().uuidString.prefix(8).lowercased())", number: 1, diff: generated.diff)
        #expect(report.testsFailed == 0, "the scaffold's own suite follows the plan: \(describe(report))")
        #expect(!report.passed)
        let widened = try #require(report.checks.first { $0.name == "golden:permissions:\(reader)" })
        #expect(!widened.passed)
        #expect(widened.outputTail.contains("no clause lets \(reader) delete tickets but the app answered 204"), "\(widened.outputTail)")
        #expect(widened.files == ["app/schema.json"])
        let narrowed = try #require(report.checks.first { $0.name == "golden:permissions:\(creator.role)" })
        #expect(!narrowed.passed)
        #expect(narrowed.outputTail.contains("the text lets \(creator.role) delete tickets (\"\(creator.source)\") but the app answered 403"), "\(narrowed.outputTail)")
    }

    @Test(arguments: InjectedFault.allCases)
    func injectedFaultIsCaughtAndFixedWithinTheCap(fault: InjectedFault) async throws {
        let plan = try await plan(from: "A helpdesk with customers and tickets. Each ticket has a subject, a priority (low, medium, high) and a status (open, pending, closed) and belongs to a customer. Customers have a name and an email.", title: "Helpdesk")
        let generated = try await run(.codegenEngineer, CodegenInput(plan: plan, fault: fault), as: CodegenOutput.self)
        let target = try fault.target(in: plan)
        let run = "fault-\(fault.rawValue.replacingOccurrences(of: "_", with: "-"))-\(UUID().uuidString.prefix(6).lowercased())"
        // A broken migration may already fail the seed: DevOps reports it, QA still evaluates.
        let (prepared, broken) = try await iteration(plan, run: run, number: 1, diff: generated.diff, expectReady: false)
        #expect(!broken.passed, "the evaluator must catch \(fault.rawValue)")
        #expect(broken.failingFiles.contains(target), "\(broken.failingFiles)")
        let fix = try await self.run(.autoFixer, FixerInput(plan: plan, report: broken, workspace: prepared.workspace), as: FixerOutput.self)
        #expect(fix.files == [target], "the fixer touches only the failing file")
        let touched = Set(MigrationFailure.matches(#"diff --git a/(\S+)"#, in: fix.diff, group: 1))
        #expect(touched == [target])
        let (_, repaired) = try await iteration(plan, run: run, number: 2, diff: fix.diff)
        #expect(repaired.passed, "\(describe(repaired))")
    }

    @Test func unknownFieldTypeIsInvalidArgumentNamingTheField() async throws {
        var plan = try await plan(from: "A CRM with contacts that have a name and an email.", title: "CRM")
        var json = try AgentJSON.encode(CodegenInput(plan: plan))
        let text = String(decoding: try JSONEncoder().encode(json), as: UTF8.self).replacingOccurrences(of: #""type":"email""#, with: #""type":"e-mail""#)
        json = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        let error = await #expect(throws: WireError.self) { try await registry.agent(for: .codegenEngineer).runDeterministic(json) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.details.first?.field?.hasPrefix("input.plan.spec.entities") == true)
        plan.spec.entities = []
        let empty = await #expect(throws: WireError.self) { try await run(.codegenEngineer, CodegenInput(plan: plan, fault: .missingColumn), as: CodegenOutput.self) }
        #expect(empty?.code == .invalidArgument)
    }
}
