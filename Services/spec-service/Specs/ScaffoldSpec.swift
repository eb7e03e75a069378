import Foundation
import Shared

/// A stored specification as the API returns it.
struct ScaffoldSpec: Codable, Sendable, PostgresRowDecodable {
    var id: ResourceID
    var title: String
    var description: String
    var mode: String
    var form: GuidedForm?
    var acceptanceCriteria: [String]
    var targetRepository: String?
    var status: String
    var latestPlanVersion: Int
    var createdBy: String
    var createdAt: Date
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, title, description, mode, form, status
        case acceptanceCriteria = "acceptance_criteria"
        case targetRepository = "target_repository"
        case latestPlanVersion = "latest_plan_version"
        case createdBy = "created_by"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// The columns `init(row:)` reads.
    static let columns: SQL = """
        id, title, description, mode, form::text AS form, acceptance_criteria::text AS acceptance_criteria,
        target_repository, status, latest_plan_version, created_by, created_at, updated_at
        """

    /// The spec as the API writes it, selected `AS json` with the list keyset (see
    /// `RenderedRow`): the row's `document`, which a trigger renders on every insert and update
    /// (migration 0101; the same document `Codable` writes: absent optional fields left out,
    /// times in whole seconds).
    static let rendered: SQL = "document AS json, created_at, id"

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        title = try row.decode("title")
        description = try row.decode("description")
        mode = try row.decode("mode")
        form = try row.decode("form", as: JSONText?.self).map { try $0.decode(GuidedForm.self) }
        acceptanceCriteria = try row.decode("acceptance_criteria", as: JSONText.self).decode([String].self)
        targetRepository = try row.decode("target_repository")
        status = try row.decode("status")
        latestPlanVersion = try row.decode("latest_plan_version")
        createdBy = try row.decode("created_by")
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
    }

    /// The architect's input for this spec.
    var architectInput: ArchitectInput {
        ArchitectInput(title: title, description: description, mode: ArchitectInput.Mode(rawValue: mode) ?? .freeform, form: form, acceptanceCriteria: acceptanceCriteria.isEmpty ? nil : acceptanceCriteria)
    }
}

