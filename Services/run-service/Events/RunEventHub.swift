import Foundation
import Metrics
import ServiceLifecycle
import Shared
import Synchronization

/// Wakes the event streams of a run when one of its events is published. One Redis subscription
/// per process feeds it (pub/sub only wakes the streams: the events themselves are read from
/// `run_events`, so a lost message only delays a stream until its next heartbeat). A stream
/// costs a registration here — no thread, and no database connection while it waits. On
/// graceful shutdown every stream is told to end, so open streams never hold the process up.
///
/// It caps the streams: `perTenant` for one tenant (past it RESOURCE_EXHAUSTED, 429) and `total`
/// for the instance (past it UNAVAILABLE, 503), both with Retry-After, so one tenant's thousands
/// of streams neither starve the others nor run the process out of descriptors.
final class RunEventHub: Service, Sendable {
    private struct State {
        var listeners: [UUID: [ObjectIdentifier: RunEventListener]] = [:]
        var tenants: [UUID: Int] = [:]
        var count = 0
        var closed = false
    }

    /// What `listen` found.
    private enum Admission {
        case admitted, closed, tenantFull, instanceFull
    }

    private let state = Mutex(State())
    private let perTenant: Int
    private let total: Int
    /// `meta_builder_run_event_streams`: streams open now.
    private let streams: Gauge
    /// `meta_builder_run_event_streams_refused_total`: streams refused at a cap.
    private let refused: Counter

    /// What a client refused at a cap is told to wait, in seconds.
    static let retryAfterSeconds = 5

    /// Creates an open hub holding at most `perTenant` streams of one tenant and `total` in all,
    /// reporting its open streams in `metrics`.
    init(metrics: MetricsRegistry, perTenant: Int, total: Int) {
        self.perTenant = perTenant
        self.total = total
        streams = Gauge(label: "meta_builder_run_event_streams", factory: metrics.factory)
        refused = Counter(label: "meta_builder_run_event_streams_refused_total", factory: metrics.factory)
    }

    /// The Redis channels of every run event type.
    static let channels = RunEvents.Kind.allCases.map { CloudEvent.channel(for: $0.rawValue) }

    /// Starts listening for `run`'s events for `tenant`. Register before reading the stored
    /// events, so that nothing published in between is missed; `remove` the listener when the
    /// stream ends. Throws at a cap.
    func listen(_ run: UUID, tenant: UUID) throws -> RunEventListener {
        let listener = RunEventListener(tenant: tenant)
        let admission = state.withLock { state -> Admission in
            guard !state.closed else { return .closed }
            if state.tenants[tenant, default: 0] >= perTenant { return .tenantFull }
            if state.count >= total { return .instanceFull }
            state.listeners[run, default: [:]][ObjectIdentifier(listener)] = listener
            state.tenants[tenant, default: 0] += 1
            state.count += 1
            return .admitted
        }
        switch admission {
        case .admitted:
            break
        case .closed:
            listener.close()
        case .tenantFull:
            refused.increment()
            throw WireError(.resourceExhausted, "the tenant holds \(perTenant) event streams open on this instance, its most; close one or retry later", retryAfter: Self.retryAfterSeconds)
        case .instanceFull:
            refused.increment()
            throw WireError(.unavailable, "this instance holds \(total) event streams open, its most; retry later", retryAfter: Self.retryAfterSeconds)
        }
        streams.record(listenerCount)
        return listener
    }

    /// Forgets a listener whose stream ended.
    func remove(_ listener: RunEventListener, of run: UUID) {
        state.withLock { state in
            guard state.listeners[run]?.removeValue(forKey: ObjectIdentifier(listener)) != nil else { return }
            if state.listeners[run]?.isEmpty == true { state.listeners[run] = nil }
            state.tenants[listener.tenant, default: 1] -= 1
            if state.tenants[listener.tenant] == 0 { state.tenants[listener.tenant] = nil }
            state.count -= 1
        }
        streams.record(listenerCount)
    }

    /// Wakes the listeners of the run a published event names.
    func handle(_ message: RedisMessage) {
        guard let event = try? CloudEvent.decode(message.payload),
              let run = event.data["run_id"]?.stringValue.flatMap(UUID.init(text:))
        else { return }
        notify(run)
    }

    /// Wakes the listeners of `run`.
    func notify(_ run: UUID) {
        for listener in state.withLock({ Array(($0.listeners[run] ?? [:]).values) }) { listener.wake() }
    }

    /// How many streams are listening.
    var listenerCount: Int { state.withLock { $0.count } }

    /// Runs until graceful shutdown, then ends every stream.
    func run() async throws {
        try? await gracefulShutdown()
        close()
    }

    /// Ends every stream and refuses new ones.
    func close() {
        let all = state.withLock { state -> [RunEventListener] in
            state.closed = true
            defer { state = State(closed: true) }
            return state.listeners.values.flatMap(\.values)
        }
        for listener in all { listener.close() }
    }
}
