import Foundation

/// A checked-out connection as seen by one caller: statements run on the connection's thread,
/// bounded by the caller's deadline, and cancelled on the server if the calling task is cancelled.
///
/// Round trips are saved where the protocol allows: a transaction's `BEGIN` and settings travel
/// with its first statement, statements queued with `executeDeferred` travel with the next one
/// (or with the `COMMIT`), and each hop is one libpq pipeline of prepared statements.
public struct PostgresSession: Sendable {
    let connection: PostgresConnection
    /// The deadline every statement of this session honours.
    public let deadline: Deadline?
    private let pending = PendingStatements()

    init(connection: PostgresConnection, deadline: Deadline?) {
        self.connection = connection
        self.deadline = deadline
    }

    /// Runs a statement and returns its rows.
    @discardableResult
    public func query(_ sql: SQL) async throws -> [PostgresRow] {
        try await send(sql).rows
    }

    /// Runs a statement and decodes each row.
    public func query<Row: PostgresRowDecodable>(_ sql: SQL, as type: Row.Type) async throws -> [Row] {
        try await query(sql).map { try Row(row: $0) }
    }

    /// Runs a statement and returns the number of rows it touched.
    @discardableResult
    public func execute(_ sql: SQL) async throws -> Int {
        try await send(sql).affected
    }

    /// Queues a statement whose result nobody reads (an audit record, an outbox event): inside a
    /// transaction it is sent with the next statement or with the `COMMIT`, in the same round
    /// trip, and its failure fails the transaction there. Outside a transaction it runs now.
    public func executeDeferred(_ sql: SQL) async throws {
        if pending.inTransaction {
            pending.statements.append(sql)
        } else {
            try await execute(sql)
        }
    }

    /// Runs a multi-statement script without parameters (migrations).
    public func executeScript(_ script: String) async throws {
        let statements = pending.take()
        let deadline = self.deadline
        try await run { connection, ticket in
            if !statements.isEmpty { _ = try connection.executePipeline(statements, deadline: deadline, ticket: ticket) }
            try connection.executeScript(script, deadline: deadline, ticket: ticket)
        }
    }

    /// Runs `body` inside `BEGIN … COMMIT`, rolling back on any error — cancellation and an
    /// expired deadline included: the `ROLLBACK` is sent regardless, so the connection goes back
    /// to the pool outside any transaction. `BEGIN`, the deadline as a local `statement_timeout`
    /// and the `prelude` statements (e.g. `set_config`) travel with the first statement.
    public func transaction<T: Sendable>(prelude: [SQL] = [], _ body: (PostgresSession) async throws -> T) async throws -> T {
        try await transaction(scope: .unscoped, prelude: prelude, body)
    }

    /// Whose rows a transaction's settings let the row-level-security policies show.
    enum RowScope {
        /// No setting: tenant tables show nothing.
        case unscoped
        /// One tenant's rows (`app.tenant_id`, local).
        case tenant(UUID)
        /// The platform's own background work across tenants (`app.worker`, local): only the
        /// work tables' policies (outbox, queues, sweeps) admit it; tenant data stays hidden.
        case worker
    }

    /// A transaction whose settings also scope it (see `RowScope`).
    func transaction<T: Sendable>(scope: RowScope, prelude: [SQL] = [], _ body: (PostgresSession) async throws -> T) async throws -> T {
        pending.begin(opening(scope) + prelude)
        do {
            let value = try await body(self)
            try await execute("COMMIT")
            pending.end()
            return value
        } catch {
            await rollback()
            throw error
        }
    }

    /// Runs `statements` as one transaction in one round trip and returns each statement's rows.
    ///
    /// No `BEGIN` or `COMMIT`: the statements of one pipeline up to its sync point form an
    /// implicit transaction, which the server commits at the sync point, or rolls back there
    /// when a statement fails. The local settings last exactly that long.
    func batch(scope: RowScope, _ statements: [SQL]) async throws -> [[PostgresRow]] {
        precondition(!statements.isEmpty, "a batch needs a statement")
        let settings = Array(opening(scope).dropFirst())
        pending.begin(settings + statements.dropLast())
        defer { pending.end() }
        let outcomes = try await send(statements[statements.count - 1], returningAll: true)
        return outcomes[settings.count...].map(\.rows)
    }

    /// `BEGIN` and the transaction's settings, in two statements: the deadline as a local
    /// `statement_timeout` and the scope's local setting that the row-level-security policies
    /// read (`app.tenant_id` or `app.worker`).
    private func opening(_ scope: RowScope) -> [SQL] {
        let timeout = String(deadline.map { max(1, $0.remainingMilliseconds) } ?? 0)
        switch scope {
        case .unscoped:
            return ["BEGIN", "SELECT set_config('statement_timeout', \(timeout), true)"]
        case .tenant(let tenant):
            return ["BEGIN", "SELECT set_config('statement_timeout', \(timeout), true), set_config('app.tenant_id', \(tenant), true)"]
        case .worker:
            return ["BEGIN", "SELECT set_config('statement_timeout', \(timeout), true), set_config('app.worker', 'on', true)"]
        }
    }

    /// Ends a failed transaction. It runs even when the deadline has passed or the task is
    /// cancelled, and is not itself cancelled; it has a short deadline of its own.
    private func rollback() async {
        let began = pending.began
        pending.end()
        guard began else { return }
        let connection = self.connection
        _ = try? await connection.onThread { connection in
            guard !connection.isDead else { return }
            let ticket = connection.newTicket()
            do {
                _ = try connection.executePipeline(["ROLLBACK"], deadline: .after(PostgresConnection.cancelGrace * 2), ticket: ticket)
            } catch {
                connection.isDead = true
            }
        }
    }

    /// Sends the queued statements and `sql` in one round trip and returns what `sql` produced.
    private func send(_ sql: SQL) async throws -> StatementOutcome {
        try await send(sql, returningAll: false).last!
    }

    /// Sends the queued statements and `sql` in one round trip; returns every outcome, or only
    /// the last one's.
    private func send(_ sql: SQL, returningAll: Bool) async throws -> [StatementOutcome] {
        let statements = pending.take() + [sql]
        let inTransaction = pending.inTransaction
        let deadline = self.deadline
        return try await run { connection, ticket in
            // Outside a transaction the deadline goes to the session's statement_timeout, re-sent
            // only when it changes by more than a little.
            let timeout = deadline.map { max(1, $0.remainingMilliseconds) } ?? 0
            let current = connection.statementTimeoutMilliseconds
            let setsTimeout = !inTransaction && (timeout == 0 ? current != 0 : (current == 0 || abs(current - timeout) > 50))
            let timeoutSetting: [SQL] = setsTimeout ? ["SELECT set_config('statement_timeout', \(String(timeout)), false)"] : []
            let outcomes = try connection.executePipeline(timeoutSetting + statements, deadline: deadline, ticket: ticket)
            if setsTimeout { connection.statementTimeoutMilliseconds = timeout }
            return returningAll ? Array(outcomes.dropFirst(timeoutSetting.count)) : [outcomes[outcomes.count - 1]]
        }
    }

    /// Runs `work` on the connection's thread with a statement ticket, so a task cancellation
    /// cancels exactly this statement on the server.
    private func run<T: Sendable>(_ work: @escaping @Sendable (PostgresConnection, UInt64) throws -> T) async throws -> T {
        try deadline?.check("starting a database statement")
        try Task.checkCancellation()
        let connection = self.connection
        let ticket = connection.newTicket()
        return try await withTaskCancellationHandler {
            try await connection.onThread { try work($0, ticket) }
        } onCancel: {
            connection.requestCancel(ticket)
        }
    }
}

/// The statements a session sends ahead of its next one, and where its transaction stands.
///
/// `@unchecked Sendable`: a session is used by one task at a time, statement after statement.
private final class PendingStatements: @unchecked Sendable {
    /// Sent before the next statement.
    var statements: [SQL] = []
    /// Inside `transaction`.
    private(set) var inTransaction = false
    /// The transaction's `BEGIN` has gone to the server.
    private(set) var began = false

    func begin(_ prelude: [SQL]) {
        statements = prelude
        inTransaction = true
        began = false
    }

    func end() {
        statements = []
        inTransaction = false
        began = false
    }

    /// The queued statements, now on their way.
    func take() -> [SQL] {
        if inTransaction { began = true }
        defer { statements = [] }
        return statements
    }
}
