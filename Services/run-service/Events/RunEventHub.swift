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
final class RunEventHub: Service, Sendable {
    private struct State {
        var listeners: [UUID: [ObjectIdentifier: RunEventListener]] = [:]
        var closed = false
    }

    private let state = Mutex(State())
    /// `meta_builder_run_event_streams`: streams open now.
    private let streams: Gauge

    /// Creates an open hub reporting its open streams in `metrics`.
    init(metrics: MetricsRegistry) {
        streams = Gauge(label: "meta_builder_run_event_streams", factory: metrics.factory)
    }

    /// The Redis channels of every run event type.
    static let channels = RunEvents.Kind.allCases.map { CloudEvent.channel(for: $0.rawValue) }

    /// Starts listening for `run`'s events. Register before reading the stored events, so that
    /// nothing published in between is missed; `remove` the listener when the stream ends.
    func listen(_ run: UUID) -> RunEventListener {
        let listener = RunEventListener()
        let open = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.listeners[run, default: [:]][ObjectIdentifier(listener)] = listener
            return true
        }
        if !open { listener.close() }
        streams.record(listenerCount)
        return listener
    }

    /// Forgets a listener whose stream ended.
    func remove(_ listener: RunEventListener, of run: UUID) {
        state.withLock { state in
            state.listeners[run]?.removeValue(forKey: ObjectIdentifier(listener))
            if state.listeners[run]?.isEmpty == true { state.listeners[run] = nil }
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
    var listenerCount: Int { state.withLock { $0.listeners.values.reduce(0) { $0 + $1.count } } }

    /// Runs until graceful shutdown, then ends every stream.
    func run() async throws {
        try? await gracefulShutdown()
        close()
    }

    /// Ends every stream and refuses new ones.
    func close() {
        let all = state.withLock { state -> [RunEventListener] in
            state.closed = true
            defer { state.listeners = [:] }
            return state.listeners.values.flatMap(\.values)
        }
        for listener in all { listener.close() }
    }
}
