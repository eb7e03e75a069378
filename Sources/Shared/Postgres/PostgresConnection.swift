import CLibPQ
import Foundation
import Synchronization

/// One libpq connection and the dedicated thread that makes every blocking call on it.
///
/// `@unchecked Sendable`: the `PGconn` and the mutable state below are only touched on `thread`
/// (the pool hands the connection to one caller at a time, and that caller's session runs on the
/// thread). Only `requestCancel` runs elsewhere: it records the request under a lock and wakes the
/// thread through a pipe, and the thread sends the cancel itself.
final class PostgresConnection: @unchecked Sendable {
    let handle: OpaquePointer
    private let canceller: OpaquePointer?
    /// The thread that owns the handle (and runs the sessions on it).
    let thread: PostgresThread
    /// A pool-unique number, for logs.
    let id: Int
    /// `requestCancel` writes a byte here to wake the thread out of `poll`.
    let wakeup: (read: Int32, write: Int32)
    /// The statement a caller asked to cancel (0: none), and whether the pipe is closed.
    private let cancelRequest = Mutex<(statement: UInt64, closed: Bool)>((0, false))

    /// Numbers statements for cancellation.
    private let tickets = Atomic<UInt64>(0)
    /// The ticket of the statement in flight (0: none). Thread-owned.
    private var currentStatement: UInt64 = 0
    /// The session-level `statement_timeout` (ms) in force; 0 is none. Thread-owned.
    var statementTimeoutMilliseconds = 0
    /// Prepared statements by SQL text, and the number of the last one. Thread-owned.
    var preparedStatements: [String: String] = [:]
    var preparedStatementNumber = 0
    /// Set when the connection can no longer be trusted (a lost answer, a statement that would
    /// not stop); the pool replaces it at its next checkout. Thread-owned.
    var isDead = false
    private var isClosed = false

    /// At most this many prepared statements per connection; further texts run unnamed.
    static let preparedStatementLimit = 256

    private init(handle: OpaquePointer, thread: PostgresThread, id: Int, wakeup: (read: Int32, write: Int32)) {
        self.handle = handle
        self.canceller = PQgetCancel(handle)
        self.thread = thread
        self.id = id
        self.wakeup = wakeup
    }

    deinit {
        // Nobody else holds the connection any more, so no other thread can touch the handle.
        closeBlocking()
        thread.stop()
    }

    /// Finishes the libpq handle on the connection's thread and lets the thread end.
    func close() {
        thread.submit { self.closeBlocking() }
        thread.stop()
    }

    private func closeBlocking() {
        guard !isClosed else { return }
        isClosed = true
        // Under the cancel lock, so a concurrent `requestCancel` never writes to a closed pipe.
        cancelRequest.withLock { request in
            request.closed = true
            if let canceller { PQfreeCancel(canceller) }
            Glibc.close(wakeup.read)
            Glibc.close(wakeup.write)
        }
        PQfinish(handle)
    }

    /// Opens a connection on a new thread of its own (the connect blocks, so it runs there too).
    static func open(config: DatabaseConfig, id: Int, applicationName: String) async throws -> PostgresConnection {
        let thread = PostgresThread(name: "mb-postgres-\(id)")
        return try await withCheckedThrowingContinuation { continuation in
            thread.submit {
                let result = Result {
                    try openBlocking(config: config, thread: thread, id: id, applicationName: applicationName)
                }
                if case .failure = result { thread.stop() }
                continuation.resume(with: result)
            }
        }
    }

    private static func openBlocking(config: DatabaseConfig, thread: PostgresThread, id: Int, applicationName: String) throws -> PostgresConnection {
        let keywords = ["dbname", "connect_timeout", "application_name", "options", "client_encoding"]
        // The server ends a session left idle inside a transaction (see DatabaseConfig), so that
        // the locks of a stopped process do not outlive it.
        let options = "-c TimeZone=UTC -c idle_in_transaction_session_timeout=\(config.idleInTransactionTimeoutMilliseconds)"
        let values = [config.url, String(config.connectTimeoutSeconds), applicationName, options, "UTF8"]
        let handle: OpaquePointer? = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let handle else { throw PostgresError(.connection, "out of memory") }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(handle)
            throw PostgresError(.connection, withoutSecrets(message))
        }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0, fds.allSatisfy({ fcntl($0, F_SETFL, O_NONBLOCK) == 0 && fcntl($0, F_SETFD, FD_CLOEXEC) == 0 }) else {
            fds.filter { $0 >= 0 }.forEach { Glibc.close($0) }
            PQfinish(handle)
            throw PostgresError(.connection, "cannot create a wakeup pipe")
        }
        // Server notices ("relation … already exists, skipping") would go to stderr unformatted.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        return PostgresConnection(handle: handle, thread: thread, id: id, wakeup: (fds[0], fds[1]))
    }

    /// Runs `work` on the connection's thread: inline when the caller already runs there (a
    /// session inside `PostgresPool.withSession`), otherwise by a hop to the thread and back.
    func onThread<T: Sendable>(_ work: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        if thread.isCurrent { return try work(self) }
        return try await withCheckedThrowingContinuation { continuation in
            thread.submit { continuation.resume(with: Result { try work(self) }) }
        }
    }

    /// True when the connection must not be handed to another caller: it is known dead, it is
    /// still inside a transaction (a failed `ROLLBACK` would otherwise let the next caller commit
    /// this one's writes), or its server sent something while it sat idle (a restart notice or a
    /// closed socket). Call on the thread.
    var isBroken: Bool {
        if isDead || PQstatus(handle) != CONNECTION_OK { return true }
        if PQtransactionStatus(handle) != PQTRANS_IDLE || PQpipelineStatus(handle) != PQ_PIPELINE_OFF { return true }
        if mb_pg_socket_has_pending_input(handle) != 0 {
            _ = PQconsumeInput(handle)
            return true
        }
        return false
    }

    /// A new statement ticket, from any thread: it names one statement for `requestCancel`.
    func newTicket() -> UInt64 {
        tickets.add(1, ordering: .relaxed).newValue
    }

    /// Marks `ticket`'s statement in flight (call on the thread); CANCELLED if its task already
    /// asked for a cancel.
    func beginStatement(_ ticket: UInt64) throws {
        currentStatement = ticket
        if takeCancelRequest() {
            currentStatement = 0
            throw PostgresError(.cancelled, "statement cancelled before it started")
        }
    }

    /// Marks the statement finished (call on the thread).
    func endStatement() {
        currentStatement = 0
    }

    /// Asks the thread to cancel `statement` if it is still the one in flight. Safe from any
    /// thread and never blocks: the thread itself sends the cancel request to the server.
    func requestCancel(_ statement: UInt64) {
        cancelRequest.withLock { request in
            guard !request.closed else { return }
            request.statement = statement
            var byte: UInt8 = 1
            _ = Glibc.write(wakeup.write, &byte, 1)
        }
    }

    /// Whether a cancel was asked for the statement in flight; consumes the request (on the thread).
    func takeCancelRequest() -> Bool {
        guard cancelRequest.withLock({ $0.statement }) != 0 else { return false }
        drainWakeup()
        let requested = cancelRequest.withLock { request in
            defer { request.statement = 0 }
            return request.statement
        }
        return requested != 0 && requested == currentStatement
    }

    /// Empties the wakeup pipe (on the thread).
    func drainWakeup() {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
            while Glibc.read(wakeup.read, buffer.baseAddress, buffer.count) > 0 {}
        }
    }

    /// Asks the server to cancel whatever this connection runs (call on the thread).
    func sendCancel() {
        guard let canceller else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(canceller, &buffer, Int32(buffer.count))
    }

    /// The connection's last error, without anything that could hold a password.
    func connectionError() -> PostgresError {
        PostgresError(.connection, Self.withoutSecrets(String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// libpq messages can echo the connection string; keep only what cannot hold a password.
    static func withoutSecrets(_ message: String) -> String {
        message.replacingOccurrences(of: #"postgres(ql)?://[^\s"]*"#, with: "postgres://…", options: .regularExpression)
    }
}

private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return pointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { body($0.baseAddress!) }
}
