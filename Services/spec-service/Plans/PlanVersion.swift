import Foundation
import Hummingbird
import Shared

/// One stored plan of a spec: the formal spec, the ScaffoldPlan with its security review and
/// risk assessment, and what the agents used.
struct PlanVersion: Codable, Sendable, ResponseEncodable, PostgresRowDecodable {
    var id: ResourceID
    var specID: ResourceID
    var version: Int
    var formalSpec: FormalSpec
    var plan: ScaffoldPlan
    var risk: RiskAssessment
    var usage: [AgentUsage]
    var createdBy: String
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, version, plan, risk, usage
        case specID = "spec_id"
        case formalSpec = "formal_spec"
        case createdBy = "created_by"
        case createdAt = "created_at"
    }

    /// The columns `init(row:)` reads.
    static let columns: SQL = """
        id, spec_id, version, formal_spec::text AS formal_spec, plan::text AS plan, usage::text AS usage, created_by, created_at
        """

    init(id: ResourceID, specID: ResourceID, version: Int, formalSpec: FormalSpec, plan: ScaffoldPlan, usage: [AgentUsage], createdBy: String, createdAt: Date) {
        self.id = id
        self.specID = specID
        self.version = version
        self.formalSpec = formalSpec
        self.plan = plan
        self.risk = plan.security?.risk ?? RiskAssessment(flags: [])
        self.usage = usage
        self.createdBy = createdBy
        self.createdAt = createdAt
    }

    init(row: PostgresRow) throws {
        let plan = try row.decode("plan", as: JSONText.self).decode(ScaffoldPlan.self)
        self.init(
            id: try row.decode("id"),
            specID: try row.decode("spec_id"),
            version: try row.decode("version"),
            formalSpec: try row.decode("formal_spec", as: JSONText.self).decode(FormalSpec.self),
            plan: plan,
            usage: try row.decode("usage", as: JSONText.self).decode([AgentUsage].self),
            createdBy: try row.decode("created_by"),
            createdAt: try row.decode("created_at")
        )
    }
}

/// A page of plans (without their bodies' details trimmed: plans are returned whole).
struct PlanPage: Codable, Sendable, ResponseEncodable {
    var plans: [PlanVersion]
    var nextPageToken: String?

    enum CodingKeys: String, CodingKey {
        case plans
        case nextPageToken = "next_page_token"
    }
}
