/// Every call mbctl makes: method, path template (as the owning service's `openapi.json` writes
/// it) and the schema its JSON answer follows. `APIClient` calls nothing else, so a test that
/// checks this table against the contracts checks every call.
enum APIOperation: String, CaseIterable, Sendable {
    case createSpec, listSpecs, getSpec, planSpec
    case startRun, listRuns, getRun, cancelRun, extendRun, regenerateRun, replayRun, runEvents, runDiff, runReport, runArtifacts, downloadArtifact
    case analytics, getBudget, setBudget
    case listApprovals, getApproval, approveRun, rejectRun, audit

    /// The schema of a JSON answer: a named component, or a page whose items are one.
    enum Answer: Sendable, Equatable {
        /// `#/components/schemas/<name>`.
        case schema(String)
        /// `{<key>: [<item>], next_page_token}`.
        case page(key: String, item: String)
        /// Not JSON (an event stream, a file).
        case other
    }

    /// The service that owns the operation.
    var service: Service {
        switch self {
        case .createSpec, .listSpecs, .getSpec, .planSpec: .spec
        case .startRun, .listRuns, .getRun, .cancelRun, .extendRun, .regenerateRun, .replayRun, .runEvents, .runDiff, .runReport, .runArtifacts, .downloadArtifact, .analytics, .getBudget, .setBudget: .run
        case .listApprovals, .getApproval, .approveRun, .rejectRun, .audit: .approval
        }
    }

    /// The HTTP method.
    var method: String {
        switch self {
        case .createSpec, .planSpec, .startRun, .cancelRun, .extendRun, .regenerateRun, .replayRun, .approveRun, .rejectRun: "POST"
        case .setBudget: "PUT"
        default: "GET"
        }
    }

    /// The path template under the service's base URL, parameters in braces.
    var template: String {
        switch self {
        case .createSpec, .listSpecs: "/api/meta/v2/specs"
        case .getSpec: "/api/meta/v2/specs/{id}"
        case .planSpec: "/api/meta/v2/specs/{id}/plan"
        case .startRun: "/api/meta/v2/specs/{id}/runs"
        case .listRuns: "/api/meta/v2/runs"
        case .getRun: "/api/meta/v2/runs/{id}"
        case .cancelRun: "/api/meta/v2/runs/{id}/cancel"
        case .extendRun: "/api/meta/v2/runs/{id}/extend"
        case .regenerateRun: "/api/meta/v2/runs/{id}/regenerate"
        case .replayRun: "/api/meta/v2/runs/{id}/replay"
        case .runEvents: "/api/meta/v2/runs/{id}/events"
        case .runDiff: "/api/meta/v2/runs/{id}/diff"
        case .runReport: "/api/meta/v2/runs/{id}/report"
        case .runArtifacts: "/api/meta/v2/runs/{id}/artifacts"
        case .downloadArtifact: "/api/meta/v2/runs/{id}/artifacts/{artifact_id}"
        case .analytics: "/api/meta/v2/analytics"
        case .getBudget, .setBudget: "/api/meta/v2/budget"
        case .listApprovals: "/api/meta/v2/approvals"
        case .getApproval: "/api/meta/v2/approvals/{id}"
        case .approveRun: "/api/meta/v2/runs/{id}/approve"
        case .rejectRun: "/api/meta/v2/runs/{id}/reject"
        case .audit: "/api/meta/v2/audit"
        }
    }

    /// The schema of the answer mbctl reads (and prints with `--json`).
    var answer: Answer {
        switch self {
        case .createSpec, .getSpec: .schema("Spec")
        case .listSpecs: .page(key: "specs", item: "Spec")
        case .planSpec: .schema("Plan")
        case .startRun, .getRun, .cancelRun, .extendRun, .regenerateRun, .replayRun: .schema("Run")
        case .listRuns: .page(key: "runs", item: "RunSummary")
        case .runDiff: .schema("RunDiff")
        case .runReport: .schema("EvalReport")
        case .runArtifacts: .schema("RunArtifacts")
        case .analytics: .schema("Analytics")
        case .getBudget, .setBudget: .schema("TenantBudget")
        case .runEvents, .downloadArtifact: .other
        case .listApprovals: .schema("GatePage")
        case .getApproval, .approveRun, .rejectRun: .schema("Gate")
        case .audit: .schema("AuditPage")
        }
    }

    /// The path with `parameters` put into the template's placeholders, in order
    /// (percent-encoded as one path segment each).
    func path(_ parameters: [String]) -> String {
        var path = ""
        var remaining = parameters[...]
        var inPlaceholder = false
        for character in template {
            switch character {
            case "{":
                inPlaceholder = true
                let value = remaining.popFirst() ?? ""
                path += value.addingPercentEncoding(withAllowedCharacters: .urlPathSegmentAllowed) ?? value
            case "}": inPlaceholder = false
            default: if !inPlaceholder { path.append(character) }
            }
        }
        return path
    }
}
