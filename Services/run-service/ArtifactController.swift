import Foundation
import HTTPTypes
import Hummingbird
import Shared

/// What a run produced, under `/api/meta/v2/runs/{id}`: its diffs, evaluation reports and
/// artifacts (docs/run-service.md, "Artifacts"). Every route needs `run.read` and reads in the
/// caller's tenant: another tenant's run is NOT_FOUND, never PERMISSION_DENIED.
struct ArtifactController: Sendable {
    let repository: ArtifactRepository
    let store: ArtifactStore

    /// Downloads are read from the store in chunks of this size.
    static let chunkSize = 1 << 20

    func register(_ routes: ServiceRoutes) {
        let runs = routes.api.group("runs")
        runs.get(":id/diff") { request, context in try await diff(request, context) }
        runs.get(":id/report") { request, context in try await report(request, context) }
        runs.get(":id/artifacts") { _, context in try await list(context) }
        runs.get(":id/artifacts/:artifact_id") { request, context in try await download(request, context) }
    }

    /// `GET /runs/{id}/diff[?iteration=N]`: the latest iteration's diff (or iteration N's) as
    /// `text/x-diff`, or as JSON with per-file additions and deletions when `Accept` prefers
    /// `application/json`.
    private func diff(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        try RBAC.authorize(context.principal, .readRun)
        let run = try Self.uuid(context, "id", kind: "run")
        let iteration = try Self.iteration(request)
        let accept = AcceptHeader(request.headers[values: .accept])
        let json = accept.quality(of: "application/json") > accept.quality(of: "text/x-diff")
        let body = try await repository.diff(run: run, iteration: iteration, format: json ? .json : .text, tenant: context.tenantID)
        let headers: HTTPFields = [
            .contentType: json ? "application/json; charset=utf-8" : "text/x-diff; charset=utf-8",
            .vary: "Accept",
        ]
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// `GET /runs/{id}/report[?iteration=N]`: the latest evaluation report (or iteration N's) as
    /// the QA Evaluator wrote it.
    private func report(_ request: Request, _ context: TenantRequestContext) async throws -> JSONBody {
        try RBAC.authorize(context.principal, .readRun)
        let run = try Self.uuid(context, "id", kind: "run")
        return JSONBody(try await repository.report(run: run, iteration: try Self.iteration(request), tenant: context.tenantID))
    }

    /// `GET /runs/{id}/artifacts`: the run's artifacts and its branch.
    private func list(_ context: TenantRequestContext) async throws -> JSONBody {
        try RBAC.authorize(context.principal, .readRun)
        return JSONBody(try await repository.list(run: try Self.uuid(context, "id", kind: "run"), tenant: context.tenantID))
    }

    /// `GET /runs/{id}/artifacts/{artifact_id}`: the artifact's bytes, streamed from the store,
    /// with `Content-Length`, `ETag` (its sha256) and `Content-Disposition`; 304 when
    /// `If-None-Match` names its tag.
    private func download(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        try RBAC.authorize(context.principal, .readRun)
        let run = try Self.uuid(context, "id", kind: "run")
        let id = try Self.uuid(context, "artifact_id", kind: "artifact")
        let artifact = try await repository.artifact(id, run: run, tenant: context.tenantID)
        let tag = EntityTag(value: artifact.sha256)
        var headers: HTTPFields = [.eTag: tag.header, .cacheControl: "private"]
        if tag.isMatched(byIfNoneMatch: request.headers[values: .ifNoneMatch]) {
            return Response(status: .notModified, headers: headers)
        }
        let (store, sha256, size) = (store, artifact.sha256, artifact.size)
        guard await store.size(of: sha256) == size else {
            throw WireError(.notFound, "the content of artifact \(id.lowercaseText) of run \(run.lowercaseText) is no longer in the artifact store")
        }
        headers[.contentType] = artifact.contentType
        headers[.contentLength] = String(size)
        headers[.contentDisposition] = "attachment; filename=\"\(artifact.fileName)\""
        return Response(status: .ok, headers: headers, body: ResponseBody(contentLength: size) { writer in
            var offset = 0
            while offset < size {
                let chunk = try await store.read(sha256, at: offset, length: min(Self.chunkSize, size - offset))
                guard !chunk.isEmpty else { throw ArtifactError("artifact \(sha256) ended at byte \(offset) of \(size)") }
                try await writer.write(ByteBuffer(bytes: chunk))
                offset += chunk.count
            }
            try await writer.finish(nil)
        })
    }

    /// A path parameter that is an id; a malformed id cannot name an existing resource: NOT_FOUND.
    private static func uuid(_ context: TenantRequestContext, _ parameter: String, kind: String) throws -> UUID {
        let raw = try context.parameters.require(parameter)
        guard let id = UUID(text: raw) else { throw WireError.notFound(kind, id: raw) }
        return id
    }

    /// The `iteration` query value (nil when absent); INVALID_ARGUMENT naming `iteration` unless
    /// it is a whole number from 1 to 2147483647. A well-formed iteration the run does not have
    /// is the repository's NOT_FOUND.
    private static func iteration(_ request: Request) throws -> Int? {
        guard let raw = request.uri.queryParameters["iteration"].map(String.init) else { return nil }
        guard raw.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), let value = Int(raw), (1...Int(Int32.max)).contains(value) else {
            throw WireError.invalidArgument(field: "iteration", "must be a whole number from 1 to \(Int32.max)")
        }
        return value
    }
}
