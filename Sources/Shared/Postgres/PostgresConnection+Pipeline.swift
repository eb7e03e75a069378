import CLibPQ
import Foundation

/// What one statement produced.
struct StatementOutcome: Sendable {
    /// The rows it returned.
    var rows: [PostgresRow]
    /// The rows it returned or touched.
    var affected: Int
}

extension PostgresConnection {
    /// How long the server gets to honour a cancel request before the connection is given up.
    static let cancelGrace: Duration = .seconds(2)

    /// Runs statements in one round trip (libpq pipeline mode) and returns each one's outcome;
    /// after a failing statement the server skips the rest and the first error is thrown.
    ///
    /// Statements are prepared once per connection by their SQL text and reused (up to
    /// `preparedStatementLimit` texts). Waiting happens in `poll` on the connection's socket, so
    /// the deadline is kept here on the thread (a cancel is sent when it passes) and a task
    /// cancellation (`requestCancel` with `ticket`) wakes the wait and cancels the statement on
    /// the server.
    /// Blocking: call on the thread.
    func executePipeline(_ statements: [SQL], deadline: Deadline?, ticket: UInt64) throws -> [StatementOutcome] {
        try Self.refuseNUL(in: statements)
        try beginStatement(ticket)
        defer { endStatement() }
        var wait = StatementWait(deadline: deadline)
        guard PQenterPipelineMode(handle) == 1 else { throw connectionError() }
        let expected = try send(statements)
        guard PQpipelineSync(handle) == 1 else {
            isDead = true
            throw connectionError()
        }
        var outcomes: [StatementOutcome] = []
        outcomes.reserveCapacity(statements.count)
        var firstError: PostgresError?
        for item in expected {
            try awaitResult(&wait)
            let result = PQgetResult(handle)
            switch item {
            case .prepare(let text, let name):
                if let result, PQresultStatus(result) == PGRES_COMMAND_OK {
                    preparedStatements[text] = name
                } else if firstError == nil {
                    firstError = failure(of: result)
                }
                PQclear(result)
            case .statement:
                do { outcomes.append(try consume(result)) } catch { firstError = firstError ?? error }
            }
            // The NULL that ends each command's results.
            while true {
                try awaitResult(&wait)
                guard let extra = PQgetResult(handle) else { break }
                PQclear(extra)
            }
        }
        try awaitResult(&wait)
        guard let sync = PQgetResult(handle) else {
            isDead = true
            throw firstError.map { wait.explain($0) } ?? connectionError()
        }
        let synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC
        PQclear(sync)
        guard synced, PQexitPipelineMode(handle) == 1 else {
            isDead = true
            throw firstError.map { wait.explain($0) } ?? connectionError()
        }
        if let firstError { throw wait.explain(firstError) }
        return outcomes
    }

    /// Runs a script of several statements without parameters (migrations), with the same
    /// deadline and cancellation handling. Blocking: call on the thread.
    func executeScript(_ script: String, deadline: Deadline?, ticket: UInt64) throws {
        try beginStatement(ticket)
        defer { endStatement() }
        var wait = StatementWait(deadline: deadline)
        guard PQsendQuery(handle, script) == 1 else { throw connectionError() }
        var firstError: PostgresError?
        while true {
            try awaitResult(&wait)
            guard let result = PQgetResult(handle) else { break }
            do { _ = try consume(result) } catch { firstError = firstError ?? error }
        }
        if let firstError { throw wait.explain(firstError) }
    }

    /// What the server will answer, in order.
    private enum Expected {
        case prepare(text: String, name: String)
        case statement
    }

    /// Queues every statement (preparing new texts first) without waiting for answers.
    private func send(_ statements: [SQL]) throws -> [Expected] {
        var expected: [Expected] = []
        expected.reserveCapacity(statements.count * 2)
        var preparing: [String: String] = [:]
        for sql in statements {
            var name = preparedStatements[sql.text] ?? preparing[sql.text]
            if name == nil, Self.isPreparable(sql.text), preparedStatements.count + preparing.count < Self.preparedStatementLimit {
                let newName = nextPreparedName()
                guard PQsendPrepare(handle, newName, sql.text, Int32(sql.binds.count), nil) == 1 else {
                    isDead = true
                    throw connectionError()
                }
                preparing[sql.text] = newName
                expected.append(.prepare(text: sql.text, name: newName))
                name = newName
            }
            let sent = withOptionalCStringArray(sql.binds) { parameters in
                if let name {
                    PQsendQueryPrepared(handle, name, Int32(sql.binds.count), parameters, nil, nil, 0)
                } else {
                    PQsendQueryParams(handle, sql.text, Int32(sql.binds.count), nil, parameters, nil, nil, 0)
                }
            }
            guard sent == 1 else {
                isDead = true
                throw connectionError()
            }
            expected.append(.statement)
        }
        return expected
    }

    /// Statements worth a server-side prepared plan: queries and DML.
    private static func isPreparable(_ text: String) -> Bool {
        let keyword = text.utf8.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }.prefix(6)
        let upper = String(decoding: keyword.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
        return upper.hasPrefix("SELECT") || upper.hasPrefix("INSERT") || upper.hasPrefix("UPDATE")
            || upper.hasPrefix("DELETE") || upper.hasPrefix("WITH")
    }

    /// Waits, without blocking in libpq, until a result can be read: `poll` on the socket and on
    /// the wakeup pipe, until the deadline. At the deadline, or when the calling task asks, a
    /// cancel goes to the server; a server that then stays silent past `cancelGrace` costs the
    /// connection.
    private func awaitResult(_ wait: inout StatementWait) throws {
        while PQisBusy(handle) == 1 {
            var fds = (pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0), pollfd(fd: wakeup.read, events: Int16(POLLIN), revents: 0))
            let timeout = wait.pollTimeoutMilliseconds()
            let ready = withUnsafeMutablePointer(to: &fds) { pointer in
                pointer.withMemoryRebound(to: pollfd.self, capacity: 2) { poll($0, 2, timeout) }
            }
            if ready < 0 {
                if errno == EINTR { continue }
                isDead = true
                throw PostgresError(.connection, "waiting for the database failed")
            }
            if ready == 0 {
                guard wait.reason == nil else {
                    isDead = true
                    throw PostgresError(wait.reason!, "the database did not stop the statement in time")
                }
                sendCancel()
                wait.cancelSent(.deadlineExceeded)
                continue
            }
            if fds.1.revents != 0 {
                drainWakeup()
                if takeCancelRequest(), wait.reason == nil {
                    sendCancel()
                    wait.cancelSent(.cancelled)
                }
            }
            if fds.0.revents != 0, PQconsumeInput(handle) != 1 {
                isDead = true
                throw connectionError()
            }
        }
    }

    private func nextPreparedName() -> String {
        preparedStatementNumber += 1
        return "mb_\(preparedStatementNumber)"
    }

    /// Reads a result into rows (and frees it); a failed one throws.
    private func consume(_ result: OpaquePointer?) throws(PostgresError) -> StatementOutcome {
        guard let result else { throw connectionError() }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return StatementOutcome(rows: [], affected: Int(String(cString: PQcmdTuples(result))) ?? 0)
        case PGRES_TUPLES_OK:
            let rowCount = Int(PQntuples(result))
            let columnCount = Int(PQnfields(result))
            let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
            var rows: [PostgresRow] = []
            rows.reserveCapacity(rowCount)
            for row in 0..<rowCount {
                var values: [String?] = []
                values.reserveCapacity(columnCount)
                for column in 0..<columnCount {
                    values.append(PQgetisnull(result, Int32(row), Int32(column)) == 1
                        ? nil
                        : String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
                rows.append(PostgresRow(columns: columns, values: values))
            }
            return StatementOutcome(rows: rows, affected: rowCount)
        default:
            throw failure(of: result)
        }
    }

    /// The error a failed result reports.
    private func failure(of result: OpaquePointer?) -> PostgresError {
        guard let result else { return connectionError() }
        let state = PQresultErrorField(result, MB_PG_DIAG_SQLSTATE).map { String(cString: $0) }
        let primary = PQresultErrorField(result, MB_PG_DIAG_MESSAGE_PRIMARY).map { String(cString: $0) }
            ?? String(cString: PQerrorMessage(handle))
        if PQstatus(handle) != CONNECTION_OK {
            isDead = true
            return PostgresError(.connection, primary)
        }
        // A prepared statement whose tables changed shape cannot be reused; start afresh.
        if state == "0A000" { isDead = true }
        return PostgresError(.server(sqlState: state ?? "XX000"), primary)
    }

    /// A value with a NUL character is refused as Postgres refuses it in text (SQLSTATE 22021):
    /// libpq would otherwise send it cut short at the NUL.
    private static func refuseNUL(in statements: [SQL]) throws {
        if statements.contains(where: { $0.binds.contains { $0?.utf8.contains(0) == true } }) {
            throw PostgresError(.server(sqlState: "22021"), "a value contains a NUL character")
        }
    }
}

/// The deadline of one wait for the server, and the cancel sent, if any.
struct StatementWait {
    let deadline: Deadline?
    /// Why a cancel was sent: the deadline passed, or the calling task was cancelled.
    private(set) var reason: PostgresError.Kind?
    private var giveUpAt: ContinuousClock.Instant?

    init(deadline: Deadline?) {
        self.deadline = deadline
    }

    /// Milliseconds `poll` may wait (-1: no limit).
    func pollTimeoutMilliseconds() -> Int32 {
        guard let until = giveUpAt ?? deadline?.instant else { return -1 }
        return Int32(clamping: Deadline(until).remainingMilliseconds)
    }

    /// Records a cancel sent to the server, which then has `cancelGrace` to answer.
    mutating func cancelSent(_ reason: PostgresError.Kind) {
        self.reason = reason
        giveUpAt = .now + PostgresConnection.cancelGrace
    }

    /// The server's "canceling statement" (57014) as what caused it: the deadline or the task.
    func explain(_ error: PostgresError) -> PostgresError {
        guard error.sqlState == "57014" else { return error }
        if let reason { return PostgresError(reason, error.message) }
        if let deadline, deadline.isExpired { return PostgresError(.deadlineExceeded, error.message) }
        return error
    }
}

private func withOptionalCStringArray<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let pointers = strings.map { $0.map { strdup($0) } ?? nil }
    defer { pointers.forEach { free($0) } }
    return pointers.map { UnsafePointer($0) }.withUnsafeBufferPointer { body($0.baseAddress) }
}
