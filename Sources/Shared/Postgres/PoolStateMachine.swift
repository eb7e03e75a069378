/// The bookkeeping of a connection pool, free of I/O: every method returns what to do next and
/// the owning pool performs it. Tested on its own.
struct PoolStateMachine<Connection> {
    /// What an acquiring caller does next.
    enum AcquireAction {
        /// Use this idle connection.
        case use(Connection)
        /// A slot is reserved: open a new connection in it.
        case open
        /// Every slot is busy: wait (the waiter id is registered).
        case wait
        /// The pool is closed.
        case fail
    }

    /// What happens after a connection is returned or a slot is freed.
    enum ReleaseAction {
        /// Hand the connection to this waiter.
        case handOver(waiter: Int, Connection)
        /// The waiter should open a connection in the freed slot.
        case openFor(waiter: Int)
        /// Nothing waits: the connection is parked (or the slot stays free).
        case none
        /// The pool is closing: close this connection.
        case close(Connection)
    }

    private(set) var idle: [Connection] = []
    private(set) var slotsInUse = 0
    private(set) var waiters: [Int] = []
    private(set) var isClosed = false
    let capacity: Int

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// A caller wants a connection; `waiter` identifies it should it have to wait.
    mutating func acquire(waiter: Int) -> AcquireAction {
        if isClosed { return .fail }
        if let connection = idle.popLast() { return .use(connection) }
        if slotsInUse < capacity {
            slotsInUse += 1
            return .open
        }
        waiters.append(waiter)
        return .wait
    }

    /// A healthy connection comes back.
    mutating func release(_ connection: Connection) -> ReleaseAction {
        if isClosed {
            slotsInUse -= 1
            return .close(connection)
        }
        if !waiters.isEmpty { return .handOver(waiter: waiters.removeFirst(), connection) }
        idle.append(connection)
        return .none
    }

    /// A broken connection was dropped, or opening one failed: its slot is free again.
    mutating func discard() -> ReleaseAction {
        if !isClosed, !waiters.isEmpty { return .openFor(waiter: waiters.removeFirst()) }
        slotsInUse -= 1
        return .none
    }

    /// A waiter gave up (cancelled or past its deadline); false when it was already served.
    mutating func cancelWaiter(_ waiter: Int) -> Bool {
        guard let index = waiters.firstIndex(of: waiter) else { return false }
        waiters.remove(at: index)
        return true
    }

    /// Closes the pool: returns the idle connections to close and the waiters to fail.
    mutating func close() -> (idle: [Connection], waiters: [Int]) {
        isClosed = true
        let closing = (idle, waiters)
        slotsInUse -= idle.count
        idle = []
        waiters = []
        return closing
    }
}
