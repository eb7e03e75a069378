import Foundation
import Synchronization

/// The dedicated thread of one Postgres connection: every blocking libpq call on that connection
/// runs here, never on an event loop or the cooperative pool.
///
/// It is also a `TaskExecutor`: `PostgresPool.withSession` runs the caller's whole session on
/// it (`withTaskExecutorPreference`), so the statements of a transaction run inline on this
/// thread — one thread hop in and one out per session, however many statements it sends. The
/// pool owns at most one thread per connection, so the thread count is bounded by the pool size
/// and does not grow with load.
final class PostgresThread: TaskExecutor, Sendable {
    private let jobs = JobQueue()
    private let identity = ThreadIdentity()

    /// Starts the thread.
    init(name: String) {
        let thread = Thread { [jobs, identity] in
            Thread.current.name = name
            identity.id.store(UInt(pthread_self()), ordering: .releasing)
            jobs.runUntilStopped()
        }
        // Sessions run here whole, JSON decoding of stored documents included: the usual 8 MiB
        // (virtual; only the pages touched are resident).
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// True when the caller runs on this thread.
    var isCurrent: Bool {
        UInt(pthread_self()) == identity.id.load(ordering: .acquiring)
    }

    /// Runs `job` on the thread, after the jobs already queued.
    func submit(_ job: @escaping @Sendable () -> Void) {
        jobs.push(.closure(job))
    }

    /// Lets the thread end once the jobs already queued have run.
    func stop() {
        jobs.push(.stop)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.push(.task(job, self))
    }
}

/// The thread's `pthread_self()`, written by the thread before it runs any job (0 until then).
private final class ThreadIdentity: Sendable {
    let id = Atomic<UInt>(0)
}

/// The thread's FIFO of work, with a semaphore counting what is queued.
private final class JobQueue: Sendable {
    enum Job: @unchecked Sendable {
        /// Swift task work (an `UnownedJob` is only run once, by the thread).
        case task(UnownedJob, PostgresThread)
        /// Blocking libpq work submitted from elsewhere.
        case closure(@Sendable () -> Void)
        /// Ends the loop.
        case stop
    }

    private let queue = Mutex<[Job]>([])
    private let available = DispatchSemaphore(value: 0)

    func push(_ job: Job) {
        queue.withLock { $0.append(job) }
        available.signal()
    }

    /// The thread's loop: runs jobs in order until `stop`.
    func runUntilStopped() {
        while true {
            available.wait()
            let job = queue.withLock { $0.removeFirst() }
            switch job {
            case .task(let job, let executor):
                job.runSynchronously(on: executor.asUnownedTaskExecutor())
            case .closure(let work):
                work()
            case .stop:
                return
            }
        }
    }
}
