import Foundation
import Hummingbird

/// `/healthz`, `/readyz`, `/metrics` and `/openapi.json`, served by every service.
struct CommonRoutes: Sendable {
    let descriptor: ServiceDescriptor
    let runtime: ServiceRuntime

    /// The body of `/healthz` and `/readyz`.
    struct Health: ResponseEncodable {
        let status: String
        let service: String
        let checks: [String: String]?
    }

    func register(on router: Router<AppRequestContext>) throws {
        // The liveness answer never changes: encoded once.
        let alive = JSONBody(String(decoding: try JSONCoding.encode(Health(status: "ok", service: descriptor.name, checks: nil)), as: UTF8.self))
        router.get("healthz") { _, _ in alive }
        router.get("readyz") { _, _ -> Health in
            async let postgres = postgresReady()
            async let redis = runtime.redis.ping()
            let checks = ["postgres": await postgres ? "ok" : "unreachable", "redis": await redis ? "ok" : "unreachable"]
            guard checks.values.allSatisfy({ $0 == "ok" }) else {
                throw WireError(.unavailable, "not ready", details: checks.sorted { $0.key < $1.key }.map { .init(field: $0.key, reason: $0.value) }, retryAfter: 1)
            }
            return Health(status: "ready", service: descriptor.name, checks: checks)
        }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: runtime.metrics.render())))
        }
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: descriptor.openAPIDocument)))
        }
    }

    private func postgresReady() async -> Bool {
        (try? await runtime.pool.query("SELECT 1", deadline: .after(.seconds(2)))) != nil
    }
}
