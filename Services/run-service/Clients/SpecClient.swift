import Foundation
import Shared

/// Reads (and, when a spec has none yet, makes) the plan a run builds, through the
/// spec-service's public API, acting for the caller of the current request.
struct SpecClient: Sendable {
    let http: HTTPClient
    let baseURL: String

    /// The parts of a plan version a run copies.
    struct Plan: Decodable, Sendable {
        var id: ResourceID
        var version: Int
        /// The ScaffoldPlan, kept as the spec-service wrote it.
        var plan: JSONValue
        var risk: RiskAssessment
    }

    private struct Page: Decodable {
        var plans: [Plan]
    }

    /// The plan `planID` of the spec, or its latest plan; with no plan yet the spec is planned
    /// first (`planningKey` makes that call idempotent). NOT_FOUND for an unknown spec or plan.
    func plan(spec: UUID, planID: UUID?, planningKey: String) async throws -> Plan {
        let specURL = "\(baseURL)/api/meta/v2/specs/\(spec.lowercaseText)"
        if let planID {
            return try await http.call("GET", "\(specURL)/plans/\(planID.lowercaseText)", as: Plan.self)
        }
        if let latest = try await http.call("GET", "\(specURL)/plans?page_size=1", as: Page.self).plans.first {
            return latest
        }
        return try await http.call("POST", "\(specURL)/plan", headers: [("Idempotency-Key", planningKey)], idempotent: true, as: Plan.self)
    }
}
