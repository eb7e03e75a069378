import CCurl
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A curl multi handle driven by one dedicated thread: transfers are submitted from any task,
/// the thread adds them, runs `curl_multi_poll`, and resumes each caller when its transfer ends.
/// `curl_multi_wakeup` interrupts the poll for new work, cancellations and shutdown.
///
/// As a `Service` it runs until graceful shutdown; it also starts on first use, so tools and
/// tests can use it without a service group.
public final class CurlLoop: Service, Sendable {
    /// `@unchecked Sendable`: the multi handle is used by the loop thread only, except
    /// `curl_multi_wakeup`, which libcurl documents as callable from any thread.
    private struct Multi: @unchecked Sendable {
        let handle: UnsafeMutableRawPointer
    }

    private let multi: Multi
    private let state = Mutex(State())
    private let logger: Logger

    private struct State {
        var pendingAdds: [CurlTransfer] = []
        var pendingCancels: [ObjectIdentifier] = []
        var started = false
        var stopping = false
        var stopped = false
    }

    /// Initializes libcurl (once per process) and the multi handle; at most
    /// `maxConnectionsPerHost` connections to one host at a time (more transfers wait for one).
    public init(logger: Logger, maxConnectionsPerHost: Int = 64) {
        CurlGlobal.initialize()
        self.multi = Multi(handle: curl_multi_init())
        self.logger = logger
        mb_curl_multi_setopt_long(multi.handle, CURLMOPT_MAX_HOST_CONNECTIONS, maxConnectionsPerHost)
    }

    deinit {
        curl_multi_cleanup(multi.handle)
    }

    /// Runs until graceful shutdown, then lets transfers in flight fail and stops the thread.
    public func run() async throws {
        startIfNeeded()
        try? await gracefulShutdown()
        stop()
    }

    /// Stops the loop; transfers still running fail with UNAVAILABLE.
    public func stop() {
        state.withLock { $0.stopping = true }
        curl_multi_wakeup(multi.handle)
    }

    /// Performs a transfer and returns its response.
    func perform(_ transfer: CurlTransfer) async throws -> HTTPClientResponse {
        startIfNeeded()
        let id = ObjectIdentifier(transfer)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                // Checked under the lock that `onCancel` also takes: a cancellation either
                // happened before (then nothing is queued) or finds the transfer queued.
                let refusal = state.withLock { state -> (any Error)? in
                    if state.stopping { return WireError(.unavailable, "HTTP client is shutting down") }
                    if Task.isCancelled { return CancellationError() }
                    transfer.continuation = continuation
                    state.pendingAdds.append(transfer)
                    return nil
                }
                if let refusal {
                    continuation.resume(throwing: refusal)
                } else {
                    curl_multi_wakeup(multi.handle)
                }
            }
        } onCancel: {
            state.withLock { $0.pendingCancels.append(id) }
            curl_multi_wakeup(multi.handle)
        }
    }

    private func startIfNeeded() {
        let start = state.withLock { state -> Bool in
            defer { state.started = true }
            return !state.started
        }
        guard start else { return }
        let thread = Thread { [self] in loop() }
        thread.name = "meta-builder.curl"
        thread.start()
    }

    /// The loop thread.
    private func loop() {
        var active: [ObjectIdentifier: CurlTransfer] = [:]
        while true {
            let (adds, cancels, stopping) = state.withLock { state in
                defer {
                    state.pendingAdds = []
                    state.pendingCancels = []
                }
                return (state.pendingAdds, state.pendingCancels, state.stopping)
            }
            for transfer in adds {
                active[ObjectIdentifier(transfer)] = transfer
                curl_multi_add_handle(multi.handle, transfer.handle)
            }
            for id in cancels {
                guard let transfer = active.removeValue(forKey: id) else { continue }
                curl_multi_remove_handle(multi.handle, transfer.handle)
                transfer.continuation?.resume(throwing: CancellationError())
                transfer.continuation = nil
            }
            if stopping {
                for transfer in active.values {
                    curl_multi_remove_handle(multi.handle, transfer.handle)
                    transfer.continuation?.resume(throwing: WireError(.unavailable, "HTTP client is shutting down"))
                }
                state.withLock { $0.stopped = true }
                return
            }
            var running: Int32 = 0
            curl_multi_perform(multi.handle, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi.handle, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let result = message.pointee.data.result
                var pointer: UnsafeMutableRawPointer?
                mb_curl_getinfo_pointer(easy, CURLINFO_PRIVATE, &pointer)
                guard let pointer else { continue }
                let transfer = Unmanaged<CurlTransfer>.fromOpaque(pointer).takeUnretainedValue()
                active.removeValue(forKey: ObjectIdentifier(transfer))
                curl_multi_remove_handle(multi.handle, easy)
                complete(transfer, result: result)
            }
            var ready: Int32 = 0
            curl_multi_poll(multi.handle, nil, 0, 1000, &ready)
        }
    }

    private func complete(_ transfer: CurlTransfer, result: CURLcode) {
        let outcome: Result<HTTPClientResponse, any Error>
        switch result {
        case CURLE_OK:
            outcome = .success(transfer.response())
        // curl's own timer may fire a hair before ours: anything but a capped connect timeout
        // (which leaves plenty of deadline) is the deadline.
        case CURLE_OPERATION_TIMEDOUT where transfer.deadline.remaining < .milliseconds(250):
            outcome = .failure(WireError(.deadlineExceeded, "upstream call exceeded its deadline"))
        case CURLE_OPERATION_TIMEDOUT:
            outcome = .failure(WireError(.unavailable, "upstream did not accept the connection in time"))
        case CURLE_WRITE_ERROR where transfer.overflowed:
            outcome = .failure(WireError(.resourceExhausted, "upstream response exceeded \(transfer.maximumResponseBytes) bytes"))
        case CURLE_UNSUPPORTED_PROTOCOL:
            outcome = .failure(WireError(.failedPrecondition, "outbound calls use http or https only; the URL's scheme is refused"))
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR:
            outcome = .failure(WireError(.unavailable, "upstream unreachable: \(String(cString: curl_easy_strerror(result)))"))
        default:
            outcome = .failure(WireError(.unavailable, "upstream call failed: \(String(cString: curl_easy_strerror(result)))"))
        }
        transfer.continuation?.resume(with: outcome)
        transfer.continuation = nil
    }
}

/// `curl_global_init`, once per process, before any other thread uses libcurl.
public enum CurlGlobal {
    private static let done: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
        return true
    }()

    /// Initializes libcurl if not yet done (also called first thing in `main`).
    public static func initialize() {
        _ = done
    }
}
