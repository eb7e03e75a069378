import Foundation
import Shared

/// The spec's permission matrix against the running app, one role at a time: on every entity the
/// role may list, create, update and delete exactly what the matrix grants, each granted cell
/// read from a clause of the text, and is refused (403) the rest. The app's permissions come from
/// the plan's roles, so a plan that grants more or less than its text says fails here even when
/// the scaffold passes its own suite.
struct PermissionProbe: Sendable {
    let client: ScaffoldClient

    /// One line per action checked; throws naming every action where the app and the text
    /// disagree, with the clause that granted it (or that none did).
    func check(role: String, tenant: UUID) async throws -> String {
        let spec = client.plan.spec
        var agreed = 0, skipped: [String] = [], disagreements: [String] = []
        for entity in spec.entities {
            let granted = Dictionary(spec.permissionMatrix.filter { $0.role == role && $0.entity == entity.name }.map { ($0.action, $0.source) }) { first, _ in first }
            for (action, status) in try await statuses(of: role, on: entity, tenant: tenant) {
                guard let status else {
                    skipped.append("\(action.rawValue) \(entity.name)")
                    continue
                }
                let allowed = (200..<300).contains(status)
                switch (granted[action], allowed) {
                case (.some, true), (nil, false) where status == 403:
                    agreed += 1
                case (.some(let source), false):
                    disagreements.append("the text lets \(role) \(action.rawValue) \(entity.plural) (\"\(source)\") but the app answered \(status)")
                case (nil, _):
                    disagreements.append("no clause lets \(role) \(action.rawValue) \(entity.plural) but the app answered \(status)")
                }
            }
        }
        guard disagreements.isEmpty else { throw ScaffoldProbeFailure(disagreements.joined(separator: "; ")) }
        let unprobed = skipped.isEmpty ? "" : "; not probed (no row to try it on): \(skipped.joined(separator: ", "))"
        return "\(role): \(agreed) actions as the permission matrix says\(unprobed)"
    }

    /// The app's answer to each action of `role` on `entity`, tried by a user of the role on a
    /// row that user owns where the role is limited to its own rows; nil where it could not be
    /// tried (the rows it needs cannot be made).
    private func statuses(of role: String, on entity: EntitySpec, tenant: UUID) async throws -> [(CRUDAction, Int?)] {
        let name = "golden-perm-\(role)"
        let ownsRows = CRUDAction.allCases.contains { client.scope(of: role, $0, on: entity.name) == .own }
        let path = client.plan.spec.ownerPath(of: role, on: entity)
        let sub = ownsRows ? (try? await client.owningSub(name, of: entity, along: path, tenant: tenant)) ?? name : name
        let user = ScaffoldUser(sub: sub, tenant: tenant, role: role)
        let token = client.token(for: user)
        let (listed, _) = try await client.send("GET", "/api/\(entity.plural)?page_size=1", token: token)
        let created = try? await client.attemptCreate(entity, as: user)
        guard client.role(allowing: .create, on: entity.name) != nil,
              let row = try? await client.create(entity, as: try await client.creator(of: entity, tenant: tenant, owner: ownsRows ? sub : nil),
                                                 ownedBy: ownsRows ? sub : nil, along: ownsRows ? path?.segments : nil)
        else { return [(.read, listed), (.create, created), (.update, nil), (.delete, nil)] }
        let (updated, _) = try await client.send("PATCH", "/api/\(entity.plural)/\(row)", token: token, body: .object([:]))
        let (deleted, _) = try await client.send("DELETE", "/api/\(entity.plural)/\(row)", token: token)
        return [(.read, listed), (.create, created), (.update, updated), (.delete, deleted)]
    }
}
