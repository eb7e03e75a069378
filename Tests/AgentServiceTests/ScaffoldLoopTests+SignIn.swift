import Foundation
import Shared
import Testing
@testable import AgentService

/// Sign-in in a real scaffold: every seed account signs in at the built-in issuer and sees seed
/// rows, also where two roles own rows through the same reference (each gets a referenced seed
/// row of its own) and where rows are owned through an owner column; the OpenID Connect and
/// packaging tests of the generated suite pass.
extension ScaffoldLoopTests {
    static let lessons = FormalSpec(
        title: "Lessons",
        summary: "Tutors and assistants see only their own lessons; writers only their own notes.",
        entities: [
            EntitySpec(name: "tutor", plural: "tutors", fields: [FieldSpec(name: "name", type: .string, required: true)]),
            EntitySpec(name: "lesson", plural: "lessons", fields: [
                FieldSpec(name: "title", type: .string, required: true),
                FieldSpec(name: "tutor", type: .reference, required: true, references: "tutor"),
            ], ownerField: "tutor"),
            EntitySpec(name: "note", plural: "notes", fields: [FieldSpec(name: "body", type: .text, required: true)], ownerField: "author"),
        ],
        relations: [RelationSpec(kind: .oneToMany, from: "tutor", to: "lesson", via: "tutor")],
        roles: [
            RoleSpec(name: "tutor", permissions: [.init(entity: "lesson", actions: [.read], scope: .own)]),
            RoleSpec(name: "assistant", permissions: [.init(entity: "lesson", actions: [.read], scope: .own)]),
            RoleSpec(name: "writer", permissions: [.init(entity: "note", actions: [.create, .read], scope: .own)]),
            RoleSpec(name: "admin", permissions: ["tutor", "lesson", "note"].map { .init(entity: $0, actions: CRUDAction.allCases) }),
        ],
        acceptanceCriteria: []
    )

    @Test func everySeedAccountSignsInAndSeesSeedRows() async throws {
        let designed = try SystemDesigner().design(DesignerInput(spec: Self.lessons))
        let plan = SecurityCompliance().review(SecurityInput(plan: designed, description: nil, targetRepository: nil))
        let generated = try await run(.codegenEngineer, CodegenInput(plan: plan), as: CodegenOutput.self)
        #expect(generated.files.contains("seed/users.json"))
        let runID = "signin-\(UUID().uuidString.prefix(8).lowercased())"
        let (prepared, report) = try await iteration(plan, run: runID, number: 1, diff: generated.diff)
        #expect(report.passed, "\(describe(report))")
        #expect(report.score == 100)
        let suite = try await pytest(["tests/test_auth.py", "tests/test_oidc.py", "tests/test_packaging.py", "-rA"], run: runID, workspace: prepared.workspace)
        #expect(suite.succeeded, "\(suite.tail(40))")
        expectOutcome("PASSED", in: suite, ["test_the_seed_accounts_sign_in_and_see_seed_rows", "test_production_disables_the_builtin_issuer_and_its_tokens"], file: "tests/test_auth.py")
        expectOutcome("PASSED", in: suite, ["test_an_unknown_kid_fetches_the_keys_again_when_the_provider_rotates", "test_refetching_for_unknown_kids_is_rate_limited"], file: "tests/test_oidc.py")
        expectOutcome("PASSED", in: suite, ["test_the_production_image_holds_no_test_tooling", "test_the_development_server_logs_one_json_line_per_request"], file: "tests/test_packaging.py")
    }
}
