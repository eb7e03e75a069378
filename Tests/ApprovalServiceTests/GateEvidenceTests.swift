import Foundation
import Shared
import Testing
@testable import ApprovalService

/// How a gate's evidence is built from the run-service's and spec-service's documents, and the
/// request bodies and list cursor, without I/O.
@Suite struct GateEvidenceTests {
    typealias Diff = RunServiceClient.Diff
    typealias Check = RunServiceClient.Report.Check

    @Test func theDiffUnderReviewIsTheUnionOfTheIterations() {
        let summary = DiffSummary([
            Diff(iteration: 2, role: "auto_fixer", files: [.init(path: "app/models.py", additions: 3, deletions: 2)], additions: 3, deletions: 2),
            Diff(iteration: 1, role: "codegen_engineer", files: [
                .init(path: "app/models.py", additions: 40, deletions: 0), .init(path: "README.md", additions: 10, deletions: 0),
                .init(path: "app/api.py", additions: 25, deletions: 0),
            ], additions: 75, deletions: 0),
        ])
        #expect(summary.files == [
            .init(path: "README.md", additions: 10, deletions: 0), .init(path: "app/api.py", additions: 25, deletions: 0),
            .init(path: "app/models.py", additions: 43, deletions: 2),
        ])
        #expect(summary.additions == 78)
        #expect(summary.deletions == 2)
        #expect(summary.iterations.map(\.iteration) == [1, 2])
        #expect(summary.iterations.map(\.role) == ["codegen_engineer", "auto_fixer"])
    }

    @Test func rollbackEvidenceComesFromTheDownAndUpChecks() {
        func check(_ name: String, _ status: String) -> Check { Check(name: name, status: status, durationMilliseconds: 5, outputTail: "out of \(name)") }
        let passed = RollbackEvidence([check("pytest", "passed"), check("rollback:down", "passed"), check("rollback:up", "passed")])
        #expect(passed.status == .passed)
        #expect(passed.checks == [.init(name: "rollback:down", status: "passed"), .init(name: "rollback:up", status: "passed")])
        let failed = RollbackEvidence([check("rollback:down", "failed")])
        #expect(failed.status == .failed)
        #expect(failed.checks.first?.outputTail == "out of rollback:down")
        #expect(RollbackEvidence([check("rollback:down", "passed"), check("rollback:up", "failed")]).status == .failed)
        #expect(RollbackEvidence([check("pytest", "passed")]).status == .missing)
        #expect(RollbackEvidence([check("rollback:down", "passed")]).status == .missing)
        #expect(RollbackEvidence([check("rollback:down", "passed"), check("rollback:up", "skipped")]).status == .missing)
    }

    @Test func theRollbackPlanRunsTheDownMigrationsNewestFirstAndNamesTheTablesLost() {
        let run = UUID()
        let plan = RollbackPlan(run: run, migrations: [
            PlannedMigration(version: 1, name: "audit", up: "…", down: "DROP FUNCTION IF EXISTS audit_row_change();\nDROP TABLE IF EXISTS audit_log;"),
            PlannedMigration(version: 3, name: "create_deals", up: "…", down: "-- the deals\nDROP TABLE IF EXISTS deals CASCADE;"),
            PlannedMigration(version: 2, name: "create_contacts", up: "…", down: "drop table \"contacts\", contact_tags;"),
        ])
        #expect(plan.downMigrations.map(\.version) == [3, 2, 1])
        #expect(plan.downMigrations.first?.sql == "-- the deals\nDROP TABLE IF EXISTS deals CASCADE;")
        #expect(plan.dataLost.tables == ["deals", "contacts", "contact_tags", "audit_log"])
        #expect(plan.branch.name == "meta-builder/run-\(run.lowercaseText)")
        #expect(RollbackPlan.droppedTables(in: "ALTER TABLE deals DROP COLUMN stage; DROP INDEX deals_stage;").isEmpty)
    }

    @Test func decisionBodiesAreStrict() throws {
        #expect(try DecisionRequest.parse(Data(), for: .approve).comment == nil)
        #expect(try DecisionRequest.parse(Data(#"{"comment":"  fine  "}"#.utf8), for: .approve).comment == "fine")
        #expect(try DecisionRequest.parse(Data(#"{"comment":"no rollback of deals"}"#.utf8), for: .reject).comment == "no rollback of deals")
        let refusals: [(String, Decision, String)] = [
            ("", .reject, "comment"), (#"{"comment":"   "}"#, .reject, "comment"), (#"{}"#, .reject, "comment"),
            (#"{"comment":"ok","reason":"x"}"#, .approve, "reason"), (#"{"comment":5}"#, .approve, "comment"),
            (#"{"comment":"\#(String(repeating: "x", count: 2001))"}"#, .reject, "comment"),
        ]
        for (body, decision, field) in refusals {
            do {
                _ = try DecisionRequest.parse(Data(body.utf8), for: decision)
                Issue.record("\(body) was accepted")
            } catch let error as WireError {
                #expect(error.code == .invalidArgument)
                #expect(error.details.first?.field == field, "\(body): \(error)")
            }
        }
        #expect(throws: WireError.self) { try DecisionRequest.parse(Data("[1]".utf8), for: .approve) }
    }

    @Test func gateRequestsAreStrict() throws {
        let run = UUID()
        let parsed = try GateRequest(parsing: Data(#"{"run_id":"\#(run.lowercaseText)","iteration":2}"#.utf8))
        #expect(parsed.run == run)
        #expect(parsed.iteration == 2)
        for (body, field) in [
            (#"{"run_id":"nope","iteration":1}"#, "run_id"), (#"{"run_id":"\#(run.lowercaseText)","iteration":0}"#, "iteration"),
            (#"{"run_id":"\#(run.lowercaseText)"}"#, "iteration"), (#"{"run_id":"\#(run.lowercaseText)","iteration":1,"x":1}"#, "x"),
            (#"{"run_id":"\#(run.lowercaseText)","iteration":1.5}"#, "iteration"), (#"{"run_id":7,"iteration":1}"#, "run_id"),
        ] {
            do {
                _ = try GateRequest(parsing: Data(body.utf8))
                Issue.record("\(body) was accepted")
            } catch let error as WireError {
                #expect(error.details.first?.field == field, "\(body): \(error)")
            }
        }
    }

    @Test func listCursorsRoundTripAndForeignOnesAreRefused() throws {
        let cursor = GateListCursor(pending: true, createdAt: try Date(postgresText: "2027-01-15 10:20:30.123456+00"), id: UUID())
        #expect(try GateListCursor(encoded: cursor.encoded) == cursor)
        for foreign in ["", "abc", Data("2|2020-01-01 00:00:00+00|x".utf8).base64URLEncoded, PageToken(createdAt: Date(), id: UUID()).encoded] {
            #expect(throws: WireError.self, "\(foreign)") { try GateListCursor(encoded: foreign) }
        }
    }
}
