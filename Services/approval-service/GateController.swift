import Foundation
import Hummingbird
import Shared

/// The approval-service's internal API under `/internal/v1` (service tokens only), for the
/// run-service acting for a run's creator: ask for a run's gate, and read a run's gates (to
/// reconcile a decision whose event it may have missed).
struct GateController: Sendable {
    let opener: GateOpener
    let repository: GateRepository

    func register(_ routes: ServiceRoutes) {
        let gates = routes.internalAPI.group("gates")
        gates.post { request, context in try await open(request, context) }
        gates.get { request, context in try await list(request, context) }
    }

    /// `POST /internal/v1/gates` `{"run_id", "iteration"}`: opens the gate of the run's
    /// iteration (201) or answers the one open already (200).
    private func open(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        let body = try GateRequest(parsing: Data(buffer: try await request.body.collect(upTo: context.maxUploadSize)))
        let opening = try await opener.open(run: body.run, iteration: body.iteration, tenant: context.tenantID)
        return JSONCoding.response(Data(opening.json.utf8), status: opening.created ? 201 : 200)
    }

    /// `GET /internal/v1/gates?run_id=…`: the run's gates by iteration (`{"gates": […]}`, empty
    /// for a run the tenant has no gate of).
    private func list(_ request: Request, _ context: TenantRequestContext) async throws -> JSONBody {
        guard let raw = request.uri.queryParameters["run_id"].map(String.init) else {
            throw WireError.invalidArgument(field: "run_id", "is required")
        }
        guard let run = UUID(text: raw) else { throw WireError.invalidArgument(field: "run_id", "must be a UUID") }
        return try await repository.gates(of: run, tenant: context.tenantID)
    }
}
