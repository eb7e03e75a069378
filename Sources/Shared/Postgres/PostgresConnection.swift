import CLibPQ
import Dispatch
import Foundation
import Synchronization

/// Identifies one statement (or script) run, for cancellation.
final class StatementTicket: Sendable {}

/// One libpq connection and the serial queue that runs every blocking call on it.
///
/// `@unchecked Sendable`: the `PGconn` is only touched on `queue`; the pool hands the connection
/// to one caller at a time. Only `cancel` (thread-safe `PQcancel`) runs on other threads.
final class PostgresConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    private let canceller: OpaquePointer?
    /// The queue that owns the handle.
    let queue: DispatchQueue
    /// A pool-unique number, for logs.
    let id: Int
    /// The `statement_timeout` (ms) currently set on the session; 0 is none.
    var statementTimeoutMilliseconds = 0
    /// The statement in flight, so a late watchdog never cancels the next caller's statement.
    private let inFlight = Mutex<StatementTicket?>(nil)

    private init(handle: OpaquePointer, queue: DispatchQueue, id: Int) {
        self.handle = handle
        self.canceller = PQgetCancel(handle)
        self.queue = queue
        self.id = id
    }

    /// Set once the handle is finished; touched on `queue` (or in `deinit`) only.
    private var isClosed = false

    deinit {
        closeBlocking()
    }

    /// Finishes the libpq handle on the connection's queue; the connection is unusable afterwards.
    func close() {
        queue.async { self.closeBlocking() }
    }

    private func closeBlocking() {
        guard !isClosed else { return }
        isClosed = true
        // Under the statement lock, so a concurrent `cancel` never uses a freed canceller.
        inFlight.withLock { _ in
            if let canceller { PQfreeCancel(canceller) }
        }
        PQfinish(handle)
    }

    /// Opens a connection on its own new queue (blocking, so it runs there too).
    static func open(url: String, connectTimeoutSeconds: Int, id: Int, applicationName: String) async throws -> PostgresConnection {
        let queue = DispatchQueue(label: "meta-builder.postgres.\(id)")
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result {
                    try openBlocking(url: url, connectTimeoutSeconds: connectTimeoutSeconds, queue: queue, id: id, applicationName: applicationName)
                })
            }
        }
    }

    private static func openBlocking(url: String, connectTimeoutSeconds: Int, queue: DispatchQueue, id: Int, applicationName: String) throws -> PostgresConnection {
        let keywords = ["dbname", "connect_timeout", "application_name", "options", "client_encoding"]
        let values = [url, String(connectTimeoutSeconds), applicationName, "-c TimeZone=UTC", "UTF8"]
        let handle: OpaquePointer? = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let handle else { throw PostgresError(.connection, "out of memory") }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(handle)
            throw PostgresError(.connection, Self.withoutSecrets(message))
        }
        // Server notices ("relation … already exists, skipping") would go to stderr unformatted.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        return PostgresConnection(handle: handle, queue: queue, id: id)
    }

    /// Runs `work` on the connection's queue and returns its result.
    func perform<T: Sendable>(_ work: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work(self) }) }
        }
    }

    /// Whether the connection is broken (see `isBroken`), checked on its queue.
    func checkBroken() async -> Bool {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.isBroken) }
        }
    }

    /// True when the connection must not be handed to another caller: it is known dead, it is
    /// still inside a transaction (a failed `ROLLBACK` would otherwise let the next caller commit
    /// this one's writes), or its server sent something while it sat idle (a restart notice or a
    /// closed socket). Call on `queue`.
    var isBroken: Bool {
        if PQstatus(handle) != CONNECTION_OK { return true }
        if PQtransactionStatus(handle) != PQTRANS_IDLE || PQpipelineStatus(handle) != PQ_PIPELINE_OFF { return true }
        if mb_pg_socket_has_pending_input(handle) != 0 {
            _ = PQconsumeInput(handle)
            return true
        }
        return false
    }

    /// Asks the server to cancel the statement of `ticket` if it is still the one in flight.
    /// Safe from any thread: the check and `PQcancel` happen under the lock that starting and
    /// finishing a statement also take, so no other statement can be hit.
    func cancel(_ ticket: StatementTicket) {
        inFlight.withLock { current in
            guard current === ticket, let canceller else { return }
            var buffer = [CChar](repeating: 0, count: 256)
            _ = PQcancel(canceller, &buffer, Int32(buffer.count))
        }
    }

    /// Marks `ticket`'s statement as in flight for the duration of `body` (call on `queue`).
    func running<T>(_ ticket: StatementTicket, _ body: () throws -> T) rethrows -> T {
        inFlight.withLock { $0 = ticket }
        defer { inFlight.withLock { $0 = nil } }
        return try body()
    }

    /// Runs one statement with bound parameters and returns its rows (blocking; call on `queue`).
    /// A value with a NUL character is refused as Postgres refuses it in text (SQLSTATE 22021):
    /// libpq would otherwise send it cut short at the NUL.
    func executeBlocking(_ sql: SQL) throws -> (rows: [PostgresRow], affected: Int) {
        try Self.refuseNUL(in: [sql])
        let result: OpaquePointer? = withOptionalCStringArray(sql.binds) { parameters in
            PQexecParams(handle, sql.text, Int32(sql.binds.count), nil, parameters, nil, nil, 0)
        }
        return try consume(result)
    }

    /// Runs several statements with bound parameters in one round trip (libpq pipeline mode) and
    /// returns each one's outcome; after a failing statement the rest are skipped by the server
    /// and the first error is thrown (blocking; call on `queue`).
    func executePipelineBlocking(_ statements: [SQL]) throws -> [(rows: [PostgresRow], affected: Int)] {
        try Self.refuseNUL(in: statements)
        guard PQenterPipelineMode(handle) == 1 else { throw connectionError() }
        defer { _ = PQexitPipelineMode(handle) }
        for sql in statements {
            let sent = withOptionalCStringArray(sql.binds) { parameters in
                PQsendQueryParams(handle, sql.text, Int32(sql.binds.count), nil, parameters, nil, nil, 0)
            }
            guard sent == 1 else { throw connectionError() }
        }
        guard PQpipelineSync(handle) == 1 else { throw connectionError() }
        var outcomes: [(rows: [PostgresRow], affected: Int)] = []
        var firstError: (any Error)?
        for _ in statements {
            // Each statement's result, then a NULL that ends it.
            do { outcomes.append(try consume(PQgetResult(handle))) } catch { firstError = firstError ?? error }
            while let extra = PQgetResult(handle) { PQclear(extra) }
        }
        guard let sync = PQgetResult(handle) else { throw firstError ?? connectionError() }
        let synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC
        PQclear(sync)
        if let firstError { throw firstError }
        guard synced else { throw connectionError() }
        return outcomes
    }

    private static func refuseNUL(in statements: [SQL]) throws {
        if statements.contains(where: { $0.binds.contains { $0?.utf8.contains(0) == true } }) {
            throw PostgresError(.server(sqlState: "22021"), "a value contains a NUL character")
        }
    }

    private func connectionError() -> PostgresError {
        PostgresError(.connection, Self.withoutSecrets(String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// Runs a script of several statements without parameters (migrations; blocking).
    func executeScriptBlocking(_ script: String) throws {
        _ = try consume(PQexec(handle, script))
    }

    private func consume(_ result: OpaquePointer?) throws -> (rows: [PostgresRow], affected: Int) {
        guard let result else {
            throw PostgresError(.connection, Self.withoutSecrets(String(cString: PQerrorMessage(handle))))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return ([], Int(String(cString: PQcmdTuples(result))) ?? 0)
        case PGRES_TUPLES_OK:
            let rowCount = Int(PQntuples(result))
            let columnCount = Int(PQnfields(result))
            let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
            var rows: [PostgresRow] = []
            rows.reserveCapacity(rowCount)
            for row in 0..<rowCount {
                let values: [String?] = (0..<columnCount).map { column in
                    PQgetisnull(result, Int32(row), Int32(column)) == 1
                        ? nil
                        : String(cString: PQgetvalue(result, Int32(row), Int32(column)))
                }
                rows.append(PostgresRow(columns: columns, values: values))
            }
            return (rows, rowCount)
        default:
            let state = PQresultErrorField(result, MB_PG_DIAG_SQLSTATE).map { String(cString: $0) }
            let primary = PQresultErrorField(result, MB_PG_DIAG_MESSAGE_PRIMARY).map { String(cString: $0) }
                ?? String(cString: PQerrorMessage(handle))
            if PQstatus(handle) != CONNECTION_OK {
                throw PostgresError(.connection, primary)
            }
            throw PostgresError(.server(sqlState: state ?? "XX000"), primary)
        }
    }

    /// libpq messages can echo the connection string; keep only what cannot hold a password.
    private static func withoutSecrets(_ message: String) -> String {
        message.replacingOccurrences(of: #"postgres(ql)?://[^\s"]*"#, with: "postgres://…", options: .regularExpression)
    }
}

private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return pointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { body($0.baseAddress!) }
}

private func withOptionalCStringArray<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let pointers = strings.map { $0.map { strdup($0) } ?? nil }
    defer { pointers.forEach { free($0) } }
    return pointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { body($0.baseAddress) }
}
