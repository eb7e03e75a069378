import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A fixed-size pool of libpq connections. Blocking libpq calls run on each connection's own
/// thread, never on the event loop or the cooperative pool. Broken connections are
/// replaced, so a Postgres restart heals without restarting the service.
///
/// As a `Service` it waits for graceful shutdown and then closes its connections.
public final class PostgresPool: Service, Sendable {
    private let config: DatabaseConfig
    private let applicationName: String
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var machine: PoolStateMachine<PostgresConnection>
        /// Parked waiters.
        var waiting: [Int: CheckedContinuation<Lease, any Error>] = [:]
        /// Leases handed to waiters that had not parked yet.
        var delivered: [Int: Lease] = [:]
        /// Waiters that gave up before parking, with the reason.
        var abandoned: [Int: any Error] = [:]
        /// The deadlines of parked waiters, and whether the sweeper that enforces them runs.
        var deadlines: [Int: Deadline] = [:]
        var sweeping = false
        var nextID = 0
    }

    /// What a waiting caller receives.
    private enum Lease {
        case connection(PostgresConnection)
        case openSlot
    }

    /// Creates a pool; no connection is opened until first use.
    public init(config: DatabaseConfig, applicationName: String, logger: Logger) {
        self.config = config
        self.applicationName = applicationName
        self.logger = logger
        self.state = Mutex(State(machine: PoolStateMachine(capacity: config.poolSize)))
    }

    /// Waits for graceful shutdown, then closes every idle connection and fails waiters.
    public func run() async throws {
        try? await gracefulShutdown()
        close()
    }

    /// Closes the pool: idle connections now, busy ones when returned.
    public func close() {
        let (idle, waiters) = state.withLock { state in
            let closing = state.machine.close()
            let continuations = closing.waiters.compactMap { state.waiting.removeValue(forKey: $0) }
            state.deadlines = [:]
            return (closing.idle, continuations)
        }
        for connection in idle { connection.close() }
        for waiter in waiters { waiter.resume(throwing: PostgresError(.poolClosed, "pool closed")) }
    }

    /// Runs `body` with a connection checked out for its duration, on that connection's own
    /// thread (its task executor), so the session's statements run there without further thread
    /// hops. Statements honour the deadline (as `statement_timeout` and locally) and are
    /// cancelled on the server when the task is. A connection that broke while idle is replaced
    /// before `body` sees it.
    public func withSession<T: Sendable>(
        deadline: Deadline? = RequestScope.current?.deadline,
        _ body: (PostgresSession) async throws -> T
    ) async throws -> T {
        while true {
            let connection = try await checkout(deadline: deadline)
            do {
                return try await withTaskExecutorPreference(connection.thread) {
                    let broken = (try? await connection.onThread { $0.isBroken }) ?? true
                    guard !broken else { throw StaleConnection() }
                    // Checked in while still on the connection's thread: the next waiter can
                    // start there at once, without waiting for this task's hop back.
                    defer { checkin(connection) }
                    return try await body(PostgresSession(connection: connection, deadline: deadline))
                }
            } catch is StaleConnection {
                logger.warning("replacing postgres connection that is broken or was left inside a transaction", metadata: ["db.connection": "\(connection.id)"])
                connection.close()
                perform(state.withLock { $0.machine.discard() })
            }
        }
    }

    /// A checked-out connection that must be replaced before use.
    private struct StaleConnection: Error {}

    /// Runs one statement on any connection.
    @discardableResult
    public func query(_ sql: SQL, deadline: Deadline? = RequestScope.current?.deadline) async throws -> [PostgresRow] {
        try await withSession(deadline: deadline) { try await $0.query(sql) }
    }

    /// Runs `body` inside `BEGIN … COMMIT`; any error rolls back.
    public func transaction<T: Sendable>(
        deadline: Deadline? = RequestScope.current?.deadline,
        _ body: (PostgresSession) async throws -> T
    ) async throws -> T {
        try await withSession(deadline: deadline) { session in
            try await session.transaction { try await body($0) }
        }
    }

    /// Runs `body` in a transaction scoped to one tenant: `set_config('app.tenant_id', …, true)`
    /// makes the row-level-security policies see only that tenant's rows, and the setting ends
    /// with the transaction, so the pooled connection never carries it to its next user.
    public func withTenant<T: Sendable>(
        _ tenantID: UUID,
        deadline: Deadline? = RequestScope.current?.deadline,
        _ body: (PostgresSession) async throws -> T
    ) async throws -> T {
        try await withSession(deadline: deadline) { session in
            // BEGIN and the settings travel with the body's first statement.
            try await session.transaction(scope: .tenant(tenantID)) { try await body($0) }
        }
    }

    /// Runs statements that need no answer in between (reads, above all) as one transaction
    /// scoped to one tenant, in one round trip: the settings and the statements go in one
    /// pipeline, whose implicit transaction the server commits at its sync point (or rolls back
    /// there when a statement fails). Returns each statement's rows.
    public func batch(
        tenant tenantID: UUID,
        deadline: Deadline? = RequestScope.current?.deadline,
        _ statements: [SQL]
    ) async throws -> [[PostgresRow]] {
        try await withSession(deadline: deadline) { session in
            try await session.batch(scope: .tenant(tenantID), statements)
        }
    }

    /// Runs `body` in a transaction of the platform's background work across tenants (the
    /// outbox relay, the run queue's claimers, sweeps): the local `app.worker` setting admits it
    /// to the work tables (whose rows hold ids, tenants and timestamps, never tenant data), and
    /// to nothing else.
    public func asWorker<T: Sendable>(
        deadline: Deadline? = RequestScope.current?.deadline,
        _ body: (PostgresSession) async throws -> T
    ) async throws -> T {
        try await withSession(deadline: deadline) { session in
            try await session.transaction(scope: .worker) { try await body($0) }
        }
    }

    /// Runs one statement as background work across tenants (see `asWorker`), in one round trip.
    @discardableResult
    public func work(_ sql: SQL, deadline: Deadline? = RequestScope.current?.deadline) async throws -> [PostgresRow] {
        try await withSession(deadline: deadline) { session in
            try await session.batch(scope: .worker, [sql])[0]
        }
    }

    /// Runs one statement scoped to one tenant, in one round trip (see `batch`), and decodes its rows.
    public func read<Row: PostgresRowDecodable>(
        tenant tenantID: UUID,
        deadline: Deadline? = RequestScope.current?.deadline,
        _ sql: SQL,
        as type: Row.Type
    ) async throws -> [Row] {
        try await batch(tenant: tenantID, deadline: deadline, [sql])[0].map { try Row(row: $0) }
    }

    // MARK: - Checkout

    private func checkout(deadline: Deadline?) async throws -> PostgresConnection {
        try deadline?.check("waiting for a database connection")
        let waiterID = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        let action = state.withLock { $0.machine.acquire(waiter: waiterID) }
        switch action {
        case .fail:
            throw PostgresError(.poolClosed, "pool closed")
        case .use(let connection):
            return connection
        case .open:
            return try await openInSlot(deadline: deadline)
        case .wait:
            let lease = try await waitForLease(waiterID: waiterID, deadline: deadline)
            switch lease {
            case .connection(let connection): return connection
            case .openSlot: return try await openInSlot(deadline: deadline)
            }
        }
    }

    private func waitForLease(waiterID: Int, deadline: Deadline?) async throws -> Lease {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let (outcome, startSweeper) = state.withLock { state -> (Result<Lease, any Error>?, Bool) in
                    if let lease = state.delivered.removeValue(forKey: waiterID) { return (.success(lease), false) }
                    if let error = state.abandoned.removeValue(forKey: waiterID) { return (.failure(error), false) }
                    state.waiting[waiterID] = continuation
                    guard let deadline else { return (nil, false) }
                    state.deadlines[waiterID] = deadline
                    defer { state.sweeping = true }
                    return (nil, !state.sweeping)
                }
                if let outcome { continuation.resume(with: outcome) }
                if startSweeper { Task { await self.sweepExpiredWaiters() } }
            }
        } onCancel: {
            abandonWait(waiterID, error: CancellationError())
        }
    }

    /// Fails waiters whose deadline passed, every `sweepInterval` while any waiter has a
    /// deadline: one timer for the whole queue, not one per waiting request.
    private func sweepExpiredWaiters() async {
        while true {
            try? await Task.sleep(for: Self.sweepInterval)
            let expired = state.withLock { state -> [Int]? in
                guard !state.deadlines.isEmpty else {
                    state.sweeping = false
                    return nil
                }
                return state.deadlines.filter { $0.value.isExpired }.map(\.key)
            }
            guard let expired else { return }
            for waiterID in expired {
                abandonWait(waiterID, error: WireError(.deadlineExceeded, "deadline exceeded while waiting for a database connection"))
            }
        }
    }

    /// How late a waiter past its deadline may be failed.
    static let sweepInterval: Duration = .milliseconds(10)

    private func abandonWait(_ waiterID: Int, error: any Error) {
        let continuation = state.withLock { state -> CheckedContinuation<Lease, any Error>? in
            guard state.machine.cancelWaiter(waiterID) else { return nil }
            state.deadlines[waiterID] = nil
            guard let continuation = state.waiting.removeValue(forKey: waiterID) else {
                state.abandoned[waiterID] = error
                return nil
            }
            return continuation
        }
        continuation?.resume(throwing: error)
    }

    /// Opens a connection in the slot the state machine gave this caller. The caller waits no
    /// longer than its deadline (the connect itself may take up to the connect timeout); a
    /// connection that opens after its caller gave up goes to the pool like a returned one.
    private func openInSlot(deadline: Deadline?) async throws -> PostgresConnection {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        let reply = OneShotReply<PostgresConnection>()
        return try await reply.value(by: deadline, while: "opening a database connection") {
            Task {
                let result: Result<PostgresConnection, any Error>
                do {
                    result = .success(try await PostgresConnection.open(config: config, id: id, applicationName: applicationName))
                } catch {
                    logger.warning("postgres connection failed", metadata: ["error": "\(error)"])
                    perform(state.withLock { $0.machine.discard() })
                    result = .failure(error)
                }
                if !reply.finish(result), case .success(let late) = result { checkin(late) }
            }
        }
    }

    /// Returns a connection without checking it: every session checks its connection first (on
    /// the connection's thread), so one that broke, or was left inside a transaction, is replaced
    /// before its next use.
    private func checkin(_ connection: PostgresConnection) {
        perform(state.withLock { $0.machine.release(connection) })
    }

    private func perform(_ action: PoolStateMachine<PostgresConnection>.ReleaseAction) {
        switch action {
        case .none:
            return
        case .close(let connection):
            connection.close()
        case .handOver(let waiter, let connection):
            deliver(waiter, .connection(connection))
        case .openFor(let waiter):
            deliver(waiter, .openSlot)
        }
    }

    private func deliver(_ waiter: Int, _ lease: Lease) {
        let continuation = state.withLock { state -> CheckedContinuation<Lease, any Error>? in
            state.deadlines[waiter] = nil
            guard let continuation = state.waiting.removeValue(forKey: waiter) else {
                state.delivered[waiter] = lease
                return nil
            }
            return continuation
        }
        continuation?.resume(returning: lease)
    }
}
