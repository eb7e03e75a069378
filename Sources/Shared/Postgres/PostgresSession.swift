import Foundation

/// A checked-out connection as seen by one caller: statements run on the connection's queue,
/// bounded by the caller's deadline, and cancelled server-side if the calling task is cancelled.
public struct PostgresSession: Sendable {
    let connection: PostgresConnection
    /// The deadline every statement of this session honours.
    public let deadline: Deadline?

    init(connection: PostgresConnection, deadline: Deadline?) {
        self.connection = connection
        self.deadline = deadline
    }

    /// Runs a statement and returns its rows.
    @discardableResult
    public func query(_ sql: SQL) async throws -> [PostgresRow] {
        try await run { try $0.executeBlocking(sql).rows }
    }

    /// Runs a statement and decodes each row.
    public func query<Row: PostgresRowDecodable>(_ sql: SQL, as type: Row.Type) async throws -> [Row] {
        try await query(sql).map { try Row(row: $0) }
    }

    /// Runs a statement and returns the number of rows it touched.
    @discardableResult
    public func execute(_ sql: SQL) async throws -> Int {
        try await run { try $0.executeBlocking(sql).affected }
    }

    /// Runs a multi-statement script without parameters (migrations).
    public func executeScript(_ script: String) async throws {
        try await run { try $0.executeScriptBlocking(script) }
    }

    /// Runs `body` inside `BEGIN … COMMIT`, rolling back on any error — cancellation and an
    /// expired deadline included: the `ROLLBACK` is sent regardless, so the connection goes back
    /// to the pool outside any transaction. `prelude` statements (e.g. `set_config`) run right
    /// after `BEGIN`, in the same round trip.
    public func transaction<T: Sendable>(prelude: [SQL] = [], _ body: (PostgresSession) async throws -> T) async throws -> T {
        do {
            if prelude.isEmpty {
                try await execute("BEGIN")
            } else {
                _ = try await run { try $0.executePipelineBlocking(["BEGIN"] + prelude).count }
            }
            let value = try await body(self)
            try await execute("COMMIT")
            return value
        } catch {
            try? await run(asCleanup: true) { _ = try $0.executeBlocking("ROLLBACK") }
            throw error
        }
    }

    /// Sets the session's `statement_timeout` to the time left (or clears it), when it differs.
    func applyStatementTimeout() async throws {
        let wanted = deadline.map { max(1, $0.remainingMilliseconds) } ?? 0
        let current = connection.statementTimeoutMilliseconds
        // Re-send only when it changes by more than a little, to save a round trip per checkout.
        guard wanted == 0 ? current != 0 : (current == 0 || abs(current - wanted) > 50) else { return }
        try await run { connection in
            _ = try connection.executeBlocking("SELECT set_config('statement_timeout', \(String(wanted)), false)")
            connection.statementTimeoutMilliseconds = wanted
        }
    }

    /// Runs `work` on the connection's queue. A cleanup (`ROLLBACK`) runs even when the deadline
    /// has passed or the task is cancelled, and is not itself cancelled.
    private func run<T: Sendable>(asCleanup: Bool = false, _ work: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let connection = self.connection
        if asCleanup { return try await connection.perform(work) }
        try deadline?.check("starting a database statement")
        try Task.checkCancellation()
        let ticket = StatementTicket()
        let watchdog = deadline.map { deadline in
            DispatchWorkItem { connection.cancel(ticket) }.scheduled(after: deadline)
        }
        defer { watchdog?.cancel() }
        do {
            return try await withTaskCancellationHandler {
                try await connection.perform { connection in try connection.running(ticket) { try work(connection) } }
            } onCancel: {
                connection.cancel(ticket)
            }
        } catch let error as PostgresError where error.sqlState == "57014" {
            if let deadline, deadline.isExpired { throw PostgresError(.deadlineExceeded, error.message) }
            if Task.isCancelled { throw PostgresError(.cancelled, error.message) }
            throw error
        }
    }
}

extension DispatchWorkItem {
    /// Schedules the item on a global queue to run when the deadline passes; returns it for cancelling.
    fileprivate func scheduled(after deadline: Deadline) -> DispatchWorkItem {
        let nanoseconds = deadline.remaining.components
        let delay = DispatchTimeInterval.nanoseconds(Int(nanoseconds.seconds) * 1_000_000_000 + Int(nanoseconds.attoseconds / 1_000_000_000))
        DispatchQueue.global().asyncAfter(deadline: .now() + delay, execute: self)
        return self
    }
}
