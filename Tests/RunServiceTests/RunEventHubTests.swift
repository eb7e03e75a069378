import Foundation
import Shared
import Testing
@testable import RunService

/// The hub's caps on event streams, as pure bookkeeping: one tenant's streams stop at its cap
/// (RESOURCE_EXHAUSTED) while another tenant's go on until the instance's (UNAVAILABLE), both
/// with Retry-After; an ended stream frees its place; a closed hub ends every stream and admits
/// new ones only as already ended.
@Suite struct RunEventHubTests {
    @Test func streamsStopAtTheTenantsCapAndAtTheInstancesAndEndedOnesFreeTheirPlace() async throws {
        let hub = RunEventHub(metrics: MetricsRegistry(), perTenant: 2, total: 3)
        let (a, b, run) = (UUID(), UUID(), UUID())
        let first = try hub.listen(run, tenant: a)
        _ = try hub.listen(UUID(), tenant: a)
        let tenantFull = #expect(throws: WireError.self) { try hub.listen(run, tenant: a) }
        #expect(tenantFull?.code == .resourceExhausted)
        #expect(tenantFull?.retryAfter == RunEventHub.retryAfterSeconds)
        _ = try hub.listen(run, tenant: b)
        let instanceFull = #expect(throws: WireError.self) { try hub.listen(run, tenant: b) }
        #expect(instanceFull?.code == .unavailable)
        #expect(instanceFull?.retryAfter == RunEventHub.retryAfterSeconds)
        #expect(hub.listenerCount == 3)

        hub.remove(first, of: run)
        hub.remove(first, of: run)
        #expect(hub.listenerCount == 2, "a stream removed twice frees one place")
        _ = try hub.listen(run, tenant: a)
        #expect(hub.listenerCount == 3)

        hub.close()
        #expect(hub.listenerCount == 0)
        let late = try hub.listen(run, tenant: a)
        #expect(await late.next(timeout: .seconds(5)) == .closed)
        #expect(hub.listenerCount == 0)
    }
}
