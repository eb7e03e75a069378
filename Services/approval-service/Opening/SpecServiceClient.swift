import Foundation
import Shared

/// The spec-service's public API as a gate's rollback plan is built from it, acting for the
/// principal of the current request scope.
struct SpecServiceClient: Sendable {
    let reader: PeerReader
    let baseURL: String

    /// The parts of a plan version (`GET /specs/{id}/plans/{planId}`) a gate needs.
    struct Plan: Decodable, Sendable {
        /// The ScaffoldPlan's migrations.
        struct Body: Decodable, Sendable {
            var migrations: [PlannedMigration]
        }

        var plan: Body
        var risk: RiskAssessment
    }

    /// The plan `plan` of spec `spec`; FAILED_PRECONDITION when it cannot be found (the run
    /// names it, so it must exist).
    func plan(_ plan: UUID, of spec: UUID) async throws -> Plan {
        do {
            return try await reader.get("\(baseURL)/api/meta/v2/specs/\(spec.lowercaseText)/plans/\(plan.lowercaseText)", from: "spec-service", as: Plan.self)
        } catch let error as WireError where error.code == .notFound {
            throw WireError(.failedPrecondition, "plan \(plan.lowercaseText) of spec \(spec.lowercaseText), which the run builds, was not found")
        }
    }
}
