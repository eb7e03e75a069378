import Testing
@testable import Shared

/// The pool's bookkeeping, without I/O.
@Suite struct PoolStateMachineTests {
    @Test func opensUpToCapacityThenQueuesWaiters() {
        var machine = PoolStateMachine<String>(capacity: 2)
        guard case .open = machine.acquire(waiter: 1), case .open = machine.acquire(waiter: 2) else {
            Issue.record("first two callers should open connections"); return
        }
        guard case .wait = machine.acquire(waiter: 3) else { Issue.record("third caller should wait"); return }
        #expect(machine.waiters == [3])
        #expect(machine.slotsInUse == 2)
    }

    @Test func releasedConnectionGoesToTheOldestWaiter() {
        var machine = PoolStateMachine<String>(capacity: 1)
        _ = machine.acquire(waiter: 1)
        _ = machine.acquire(waiter: 2)
        _ = machine.acquire(waiter: 3)
        guard case .handOver(let waiter, let connection) = machine.release("c1") else { Issue.record("expected hand-over"); return }
        #expect(waiter == 2)
        #expect(connection == "c1")
        #expect(machine.waiters == [3])
    }

    @Test func idleConnectionIsReused() {
        var machine = PoolStateMachine<String>(capacity: 1)
        _ = machine.acquire(waiter: 1)
        guard case .none = machine.release("c1") else { Issue.record("nothing waits"); return }
        guard case .use(let connection) = machine.acquire(waiter: 2) else { Issue.record("expected reuse"); return }
        #expect(connection == "c1")
    }

    @Test func discardedConnectionLetsAWaiterOpenANewOne() {
        var machine = PoolStateMachine<String>(capacity: 1)
        _ = machine.acquire(waiter: 1)
        _ = machine.acquire(waiter: 2)
        guard case .openFor(let waiter) = machine.discard() else { Issue.record("expected openFor"); return }
        #expect(waiter == 2)
        #expect(machine.slotsInUse == 1)
        guard case .none = machine.discard() else { Issue.record("no waiter left"); return }
        #expect(machine.slotsInUse == 0)
    }

    @Test func cancelledWaiterIsRemovedOnce() {
        var machine = PoolStateMachine<String>(capacity: 1)
        _ = machine.acquire(waiter: 1)
        _ = machine.acquire(waiter: 2)
        let first = machine.cancelWaiter(2)
        let second = machine.cancelWaiter(2)
        #expect(first)
        #expect(!second)
        guard case .none = machine.release("c1") else { Issue.record("cancelled waiter must not be served"); return }
    }

    @Test func closeFailsWaitersAndClosesReturnedConnections() {
        var machine = PoolStateMachine<String>(capacity: 2)
        _ = machine.acquire(waiter: 1)
        _ = machine.acquire(waiter: 2)
        _ = machine.release("idle")
        _ = machine.acquire(waiter: 3)
        _ = machine.acquire(waiter: 4)
        let closing = machine.close()
        #expect(closing.idle.isEmpty)
        #expect(closing.waiters == [4])
        guard case .fail = machine.acquire(waiter: 5) else { Issue.record("closed pool must fail"); return }
        guard case .close(let connection) = machine.release("busy") else { Issue.record("returned connection must close"); return }
        #expect(connection == "busy")
    }
}
