import Foundation
import Shared

/// The tenant's audit trail from all four services, read at query time: the approval-service's
/// own `audit_log` and the spec-, run- and agent-services' feeds (`GET /internal/v1/audit`,
/// acting for the caller), asked concurrently for one record more than the page holds, merged
/// newest first by `(at, id)`. Every record a service committed is in its feed, so the trail
/// loses nothing whatever pub/sub dropped; a service that cannot be reached makes the whole read
/// UNAVAILABLE naming it, never a silently partial trail.
struct AuditTrail: Sendable {
    /// A service whose feed is read over HTTP.
    struct Peer: Sendable {
        /// Its name (`spec-service`, …), as its records carry it.
        let name: String
        /// Its base URL.
        let baseURL: String
    }

    /// The approval-service's own feed, read without a call.
    let local: AuditFeed
    /// The other services' feeds.
    let peers: [Peer]
    let reader: PeerReader

    /// The trail read by `service` from its own `audit_log` over `pool` and the feeds of the
    /// spec-, run- and agent-services at their configured URLs.
    init(pool: PostgresPool, service: String, peers: PeerConfig, reader: PeerReader) {
        local = AuditFeed(pool: pool, service: service)
        self.peers = [Peer(name: "spec-service", baseURL: peers.spec), Peer(name: "run-service", baseURL: peers.run), Peer(name: "agent-service", baseURL: peers.agent)]
        self.reader = reader
    }

    /// The names of the services the trail is read from.
    var services: [String] { [local.service] + peers.map(\.name) }

    /// A page of the tenant's trail matching `query`, from `services` (all when nil).
    func page(_ query: AuditQuery, tenant: UUID, services wanted: Set<String>? = nil) async throws -> AuditFeed.Page {
        // One more than the page: whether a next page exists is then known from the merge alone.
        let ask = {
            var ask = query
            ask.pageSize += 1
            return ask
        }()
        let results = await withTaskGroup(of: (String, Result<[AuditRecord], any Error>).self) { group in
            if wanted?.contains(local.service) ?? true {
                group.addTask { [local] in await Self.read(local.service) { try await local.page(ask, tenant: tenant).records } }
            }
            for peer in peers where wanted?.contains(peer.name) ?? true {
                group.addTask { [reader] in
                    await Self.read(peer.name) {
                        try await reader.get("\(peer.baseURL)/internal/v1/audit?\(ask.queryString)", from: peer.name, as: AuditFeed.Page.self).records
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let down = results.compactMap { name, result -> (String, WireError)? in
            guard case .failure(let error as WireError) = result, error.code == .unavailable else { return nil }
            return (name, error)
        }.sorted { $0.0 < $1.0 }
        if !down.isEmpty {
            throw WireError(
                .unavailable, "the audit trail cannot be read while \(down.map(\.0).joined(separator: ", ")) \(down.count == 1 ? "is" : "are") unavailable",
                details: down.map { .init(field: nil, reason: "\($0.0) is unavailable") }, retryAfter: down.compactMap(\.1.retryAfter).max() ?? 2
            )
        }
        return try Self.merge(results.map { try $0.1.get() }, query: query)
    }

    /// One service's records, or why they could not be read.
    private static func read(_ service: String, _ body: () async throws -> [AuditRecord]) async -> (String, Result<[AuditRecord], any Error>) {
        do {
            return (service, .success(try await body()))
        } catch {
            return (service, .failure(error))
        }
    }

    /// The first `query.pageSize` records of several feeds' pages (each newest first), and the
    /// token of the next page when any record is left over.
    static func merge(_ sources: [[AuditRecord]], query: AuditQuery) -> AuditFeed.Page {
        let merged = sources.joined().sorted(by: AuditRecord.newestFirst)
        let page = Array(merged.prefix(query.pageSize))
        return AuditFeed.Page(records: page, nextPageToken: merged.count > query.pageSize ? page.last.map(query.token(after:)) : nil)
    }
}
