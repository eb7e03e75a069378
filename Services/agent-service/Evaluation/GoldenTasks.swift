import Foundation
import Shared

/// Checks derived from the spec's acceptance criteria, run over HTTP against the generated app
/// (and, for PII, against its preview schema): one `golden:<id>` step per criterion.
struct GoldenTasks: Sendable {
    let client: ScaffoldClient
    let preview: PreviewDatabase
    let schema: String

    /// Runs every criterion the evaluator knows how to check; custom ones are reported skipped,
    /// those the evaluation's deadline leaves no time for failed as not run.
    func run(_ criteria: [AcceptanceCriterion]) async -> [EvaluationStep] {
        var steps: [EvaluationStep] = []
        for criterion in criteria {
            guard !client.deadline.isExpired else {
                steps.append(.notRun("golden:\(criterion.id)"))
                continue
            }
            let started = ContinuousClock.now
            let files = criterion.entity.flatMap { client.plan.spec.entity(named: $0) }.map { ["app/resources/\($0.plural).py"] } ?? []
            do {
                guard let detail = try await check(criterion) else {
                    var step = EvaluationStep(name: "golden:\(criterion.id)", passed: true, duration: .now - started, output: "not checkable automatically: \(criterion.statement)")
                    step.status = "skipped"
                    steps.append(step)
                    continue
                }
                steps.append(EvaluationStep(name: "golden:\(criterion.id)", passed: true, duration: .now - started, output: "\(criterion.statement): \(detail)"))
            } catch {
                steps.append(EvaluationStep(name: "golden:\(criterion.id)", passed: false, duration: .now - started, output: "\(criterion.statement): \(error)", files: files))
            }
        }
        return steps
    }

    /// Checks one criterion; nil when it cannot be checked automatically.
    private func check(_ criterion: AcceptanceCriterion) async throws -> String? {
        guard let entity = criterion.entity.flatMap(client.plan.spec.entity(named:)) else { return nil }
        let tenant = UUID()
        switch criterion.kind {
        case .crud:
            guard let role = client.role(allowing: .create, on: entity.name) else { return nil }
            let token = client.token(user: "golden-\(role)", tenant: tenant, role: role)
            let id = try await client.create(entity, token: token)
            let (status, json) = try await client.send("GET", "/api/\(entity.plural)/\(id)", token: token)
            guard status == 200, json["id"]?.stringValue == id else { throw ScaffoldProbeFailure("created \(entity.name) \(id) but GET answered \(status)") }
            return "created and read back"
        case .isolation:
            guard let role = client.role(allowing: .create, on: entity.name), client.role(allowing: .read, on: entity.name) != nil else { return nil }
            let id = try await client.create(entity, token: client.token(user: "golden-a", tenant: tenant, role: role))
            let other = client.token(user: "golden-b", tenant: UUID(), role: client.role(allowing: .read, on: entity.name)!)
            let (status, _) = try await client.send("GET", "/api/\(entity.plural)/\(id)", token: other)
            guard status == 404 else { throw ScaffoldProbeFailure("another tenant read \(entity.name) \(id): HTTP \(status)") }
            return "another tenant gets 404"
        case .validation:
            guard let role = client.role(allowing: .create, on: entity.name) else { return nil }
            let token = client.token(user: "golden-v", tenant: tenant, role: role)
            var payload = ScaffoldRenderModel.samplePayload(entity)
            if let field = entity.fields.first(where: { $0.type == .enum }) {
                payload[field.name] = .string("not-a-valid-\(field.name)")
            } else if let field = entity.fields.first(where: { $0.required && $0.type != .reference }) {
                payload[field.name] = nil
            } else {
                payload["no_such_field"] = .string("x")
            }
            let (status, _) = try await client.send("POST", "/api/\(entity.plural)", token: token, body: .object(payload))
            guard status == 400 else { throw ScaffoldProbeFailure("an invalid \(entity.name) was answered \(status), not 400") }
            return "invalid payload rejected with 400"
        case .rbac:
            guard let roleName = criterion.role, let role = client.plan.spec.roles.first(where: { $0.name == roleName }) else { return nil }
            let permission = role.permissions.first { $0.entity == entity.name }
            let token = client.token(user: "golden-r", tenant: tenant, role: roleName)
            let (status, _) = try await client.send("GET", "/api/\(entity.plural)", token: token)
            let canRead = permission?.actions.contains(.read) ?? false
            guard status == (canRead ? 200 : 403) else { throw ScaffoldProbeFailure("\(roleName) listing \(entity.plural) got \(status), expected \(canRead ? 200 : 403)") }
            guard permission?.scope == .own, canRead, let creator = client.role(allowing: .create, on: entity.name) else { return "\(roleName) list → \(status)" }
            let foreign = try await client.create(entity, token: client.token(user: "someone-else", tenant: tenant, role: creator))
            let (read, _) = try await client.send("GET", "/api/\(entity.plural)/\(foreign)", token: token)
            guard read == 404 || read == 403 else { throw ScaffoldProbeFailure("\(roleName) read another user's \(entity.name): HTTP \(read)") }
            return "\(roleName) cannot read another user's \(entity.name)"
        case .pii:
            guard let field = entity.fields.first(where: \.pii), field.type != .reference, let role = client.role(allowing: .create, on: entity.name) else { return nil }
            let marker = field.type == .email ? "pii.\(UUID().uuidString.prefix(8).lowercased())@example.com" : "PII-\(UUID().uuidString.prefix(8))"
            let value: JSONValue = field.type == .phone ? .string("+1555\(Int.random(in: 1_000_000...9_999_999))") : .string(marker)
            let id = try await client.create(entity, token: client.token(user: "golden-p", tenant: tenant, role: role), overrides: [field.name: value])
            let stored = try await preview.rawColumn(schema: schema, table: entity.plural, column: field.name, id: id, tenant: tenant)
            guard let stored, !stored.contains(value.stringValue ?? marker) else { throw ScaffoldProbeFailure("\(entity.name).\(field.name) is stored in clear text") }
            return "\(entity.name).\(field.name) is encrypted at rest"
        case .custom:
            return nil
        }
    }
}
