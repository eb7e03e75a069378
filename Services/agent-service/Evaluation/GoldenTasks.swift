import Foundation
import Shared

/// Checks derived from the spec's acceptance criteria, run over HTTP against the generated app
/// (and, for PII, against its preview schema): one `golden:<id>` step per criterion; and from its
/// permission matrix, read from the text clause by clause: one `golden:permissions:<role>` step
/// per role (`PermissionProbe`).
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
        return steps + (await permissions())
    }

    /// One step per role of the permission matrix (none when the spec has no matrix).
    func permissions() async -> [EvaluationStep] {
        let spec = client.plan.spec
        var roles: [String] = []
        for role in spec.permissionMatrix.map(\.role) + spec.roles.map(\.name) where !roles.contains(role) { roles.append(role) }
        guard !spec.permissionMatrix.isEmpty else { return [] }
        var steps: [EvaluationStep] = []
        for role in roles {
            let name = "golden:permissions:\(role)"
            guard !client.deadline.isExpired else {
                steps.append(.notRun(name))
                continue
            }
            let started = ContinuousClock.now
            do {
                let detail = try await PermissionProbe(client: client).check(role: role, tenant: UUID())
                steps.append(EvaluationStep(name: name, passed: true, duration: .now - started, output: detail))
            } catch {
                steps.append(EvaluationStep(name: name, passed: false, duration: .now - started, output: "\(error)", files: ["app/schema.json"]))
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
            let user = try await client.user("golden-\(role)", role: role, tenant: tenant, creating: entity)
            let id = try await client.create(entity, as: user)
            let (status, json) = try await client.send("GET", "/api/\(entity.plural)/\(id)", token: client.token(for: user))
            guard status == 200, json["id"]?.stringValue == id else { throw ScaffoldProbeFailure("created \(entity.name) \(id) but GET answered \(status)") }
            return "created and read back"
        case .isolation:
            guard let role = client.role(allowing: .create, on: entity.name), let reader = client.role(allowing: .read, on: entity.name) else { return nil }
            let id = try await client.create(entity, as: try await client.user("golden-a", role: role, tenant: tenant, creating: entity))
            let other = client.token(user: "golden-b", tenant: UUID(), role: reader)
            let (status, _) = try await client.send("GET", "/api/\(entity.plural)/\(id)", token: other)
            guard status == 404 else { throw ScaffoldProbeFailure("another tenant read \(entity.name) \(id): HTTP \(status)") }
            return "another tenant gets 404"
        case .validation:
            guard let role = client.role(allowing: .create, on: entity.name) else { return nil }
            let token = client.token(user: "golden-v", tenant: tenant, role: role)
            var payload = ScaffoldRenderModel.samplePayload(entity)
            if let field = entity.fields.first(where: { $0.type == .enum }) {
                payload[field.name] = .string("not-a-valid-\(field.name)")
            } else if let field = entity.fields.first(where: { $0.required && $0.type != .reference && $0.name != entity.ownerField }) {
                payload[field.name] = nil
            } else {
                payload["no_such_field"] = .string("x")
            }
            let (status, _) = try await client.send("POST", "/api/\(entity.plural)", token: token, body: .object(payload))
            guard status == 400 else { throw ScaffoldProbeFailure("an invalid \(entity.name) was answered \(status), not 400") }
            return "invalid payload rejected with 400"
        case .rbac:
            guard let roleName = criterion.role, client.plan.spec.roles.contains(where: { $0.name == roleName }) else { return nil }
            return try await checkOwnScope(of: roleName, on: entity, tenant: tenant)
        case .pii:
            guard let (field, value, text) = entity.fields.lazy.compactMap({ field in Self.marker(for: field).map { (field, $0.value, $0.text) } }).first,
                  let role = client.role(allowing: .create, on: entity.name)
            else { return nil }
            let id = try await client.create(entity, as: try await client.user("golden-p", role: role, tenant: tenant, creating: entity), overrides: [field.name: value])
            let stored = try await preview.rawColumn(schema: schema, table: entity.plural, column: field.name, id: id, tenant: tenant)
            guard let stored, !stored.contains(text) else { throw ScaffoldProbeFailure("\(entity.name).\(field.name) is stored in clear text") }
            return "\(entity.name).\(field.name) is encrypted at rest"
        case .custom:
            return nil
        }
    }

    /// A recognisable valid value of a PII field and its text as stored in clear; nil for fields
    /// that are not PII, references, and types whose values are too few to recognise.
    static func marker(for field: FieldSpec) -> (value: JSONValue, text: String)? {
        guard field.pii, field.type != .reference else { return nil }
        let n = Int.random(in: 100_000...999_999)
        switch field.type {
        case .string, .text: return (.string("PII-\(n)"), "PII-\(n)")
        case .email: return (.string("pii.\(n)@example.com"), "pii.\(n)@example.com")
        case .phone: return (.string("+1555\(n)7"), "+1555\(n)7")
        case .int: return (.number(Double(n)), "\(n)")
        case .money, .decimal: return (.string("\(n).25"), "\(n).25")
        case .date: return (.string("19\(n % 90 + 10)-0\(n % 9 + 1)-1\(n % 9)"), "19\(n % 90 + 10)-0\(n % 9 + 1)-1\(n % 9)")
        case .datetime: return (.string("19\(n % 90 + 10)-0\(n % 9 + 1)-1\(n % 9)T10:\(n % 50 + 10):00Z"), "19\(n % 90 + 10)-0\(n % 9 + 1)-1\(n % 9)")
        case .bool, .enum, .reference: return nil
        }
    }

    /// A role lists an entity exactly when one of its permissions grants reading it; with scope
    /// `own` (no permission reading all rows), it reads its own row and neither reads nor lists
    /// another user's, owned directly or through a parent (an owner path).
    private func checkOwnScope(of role: String, on entity: EntitySpec, tenant: UUID) async throws -> String {
        let scope = client.scope(of: role, .read, on: entity.name)
        let (status, _) = try await client.send("GET", "/api/\(entity.plural)", token: client.token(user: "golden-r", tenant: tenant, role: role))
        guard status == (scope != nil ? 200 : 403) else {
            throw ScaffoldProbeFailure("\(role) listing \(entity.plural) got \(status), expected \(scope != nil ? 200 : 403)")
        }
        guard scope == .own, client.role(allowing: .create, on: entity.name) != nil else { return "\(role) list → \(status)" }
        let path = client.plan.spec.ownerPath(of: role, on: entity)
        let me = ScaffoldUser(sub: try await client.owningSub("golden-r", of: entity, along: path, tenant: tenant), tenant: tenant, role: role)
        let other = try await client.owningSub("someone-else", of: entity, along: path, tenant: tenant)
        let mine = try await client.create(entity, as: try await client.creator(of: entity, tenant: tenant, owner: me.sub), ownedBy: me.sub, along: path?.segments)
        let foreign = try await client.create(entity, as: try await client.creator(of: entity, tenant: tenant, owner: other), ownedBy: other, along: path?.segments)
        let token = client.token(for: me)
        let (read, _) = try await client.send("GET", "/api/\(entity.plural)/\(foreign)", token: token)
        guard read == 404 || read == 403 else { throw ScaffoldProbeFailure("\(role) read another user's \(entity.name): HTTP \(read)") }
        let (own, _) = try await client.send("GET", "/api/\(entity.plural)/\(mine)", token: token)
        guard own == 200 else { throw ScaffoldProbeFailure("\(role) could not read their own \(entity.name): HTTP \(own)") }
        let (listed, list) = try await client.send("GET", "/api/\(entity.plural)?page_size=200", token: token)
        var ids: [String] = []
        if case .array(let items)? = list["items"] { ids = items.compactMap { $0["id"]?.stringValue } }
        guard listed == 200, ids.contains(mine), !ids.contains(foreign) else {
            let wrong = [ids.contains(mine) ? nil : "without their own row", ids.contains(foreign) ? "with another user's row" : nil].compactMap { $0 }
            throw ScaffoldProbeFailure("\(role) listing \(entity.plural) answered \(listed) \(wrong.joined(separator: " and "))")
        }
        let through = path.flatMap { $0.goesThroughParent || $0 != entity.ownerPath ? " (owned through \($0))" : nil } ?? ""
        return "\(role) reads their own \(entity.name) and cannot read or list another user's\(through)"
    }
}
