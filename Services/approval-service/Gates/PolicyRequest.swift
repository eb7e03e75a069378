import Foundation
import Shared

/// The body of `PUT /approval-policy`: the tenant's whole policy,
/// `{"required_approvals": 1–10, "self_approval_allowed": bool, "gate_ttl_hours": 1–8760}`;
/// every field is required and no other is allowed.
enum PolicyRequest {
    /// The keys a body may carry.
    static let shape: JSONShape = .object(["required_approvals": .scalar, "self_approval_allowed": .scalar, "gate_ttl_hours": .scalar])

    /// Parses a body strictly; INVALID_ARGUMENT naming the field.
    static func parse(_ data: Data) throws -> ApprovalPolicy {
        let raw = try WireJSONDecoder.decode(JSONValue.self, from: data)
        guard case .object = raw else { throw WireError(.invalidArgument, "request body must be a JSON object") }
        try shape.check(raw)
        guard case .bool(let selfApproval)? = raw["self_approval_allowed"] else {
            throw WireError.invalidArgument(field: "self_approval_allowed", raw["self_approval_allowed"] == nil ? "is required" : "must be true or false")
        }
        return ApprovalPolicy(
            requiredApprovals: try whole(raw, "required_approvals", in: ApprovalPolicy.requiredApprovalsRange),
            selfApprovalAllowed: selfApproval,
            gateTTLHours: try whole(raw, "gate_ttl_hours", in: ApprovalPolicy.gateTTLHoursRange)
        )
    }

    private static func whole(_ raw: JSONValue, _ field: String, in range: ClosedRange<Int>) throws -> Int {
        guard case .number(let number)? = raw[field], number == number.rounded(.towardZero), (Double(range.lowerBound)...Double(range.upperBound)).contains(number) else {
            throw WireError.invalidArgument(field: field, raw[field] == nil ? "is required" : "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return Int(number)
    }
}
