import Foundation
import Shared

/// The events the spec-service publishes. They carry ids, states and scores, never the
/// description or form (which may hold PII); the title is redacted.
enum SpecEvents {
    static let source = "/meta-builder/spec-service"

    /// `spec.created`.
    static func created(_ spec: ScaffoldSpec, tenant: UUID) -> CloudEvent {
        CloudEvent(source: source, type: "spec.created", subject: "specs/\(spec.id.description)", tenantID: tenant, data: .object([
            "spec_id": .string(spec.id.description),
            "title": .string(Redactor.redact(spec.title)),
            "mode": .string(spec.mode),
            "status": .string(spec.status),
        ]))
    }

    /// `plan.generated`.
    static func planGenerated(_ plan: PlanVersion, tenant: UUID) -> CloudEvent {
        CloudEvent(source: source, type: "plan.generated", subject: "specs/\(plan.specID.description)/plans/\(plan.id.description)", tenantID: tenant, data: .object([
            "spec_id": .string(plan.specID.description),
            "plan_id": .string(plan.id.description),
            "version": .number(Double(plan.version)),
            "entities": .array(plan.formalSpec.entities.map { .string($0.name) }),
            "risk_score": .number(Double(plan.risk.score)),
            "risk_level": .string(plan.risk.level),
        ]))
    }
}
