import Foundation
import Synchronization

/// Reads the mesh without pause while faults happen — each run on every run-service instance
/// and each tenant's run list — and counts what came back. The design allows no 500 or 502 ever,
/// and a 503 or 504 only with `Retry-After`; a refused connection (an instance that is down) is
/// counted apart.
final class StatusProbe: Sendable {
    /// What the probe saw.
    struct Tally: Sendable {
        var requests = 0
        var statuses: [Int: Int] = [:]
        var transportErrors = 0
        /// Answers the design does not allow, with the route.
        var violations: [String] = []
    }

    /// A run to read, with a token of its tenant.
    struct Target: Sendable {
        let run: String
        let token: String
    }

    private let mesh: RunMesh
    private let targets = Mutex<[Target]>([])
    private let tally = Mutex(Tally())

    init(mesh: RunMesh) {
        self.mesh = mesh
    }

    /// Adds a run to read from now on.
    func add(_ target: Target) {
        targets.withLock { $0.append(target) }
    }

    /// What was seen so far.
    var seen: Tally { tally.withLock { $0 } }

    /// Reads until the task is cancelled.
    func run() async {
        while !Task.isCancelled {
            for target in targets.withLock({ $0 }) {
                for instance in mesh.runPorts.indices {
                    await read("GET", "/api/meta/v2/runs/\(target.run)", instance: instance, token: target.token)
                }
                await read("GET", "/api/meta/v2/runs?page_size=5", instance: 0, token: target.token)
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    private func read(_ method: String, _ path: String, instance: Int, token: String) async {
        let answer: RunMesh.Answer
        do {
            answer = try await mesh.call(method, path, runService: instance, token: token, timeout: .seconds(10))
        } catch {
            tally.withLock { $0.requests += 1; $0.transportErrors += 1 }
            return
        }
        tally.withLock { tally in
            tally.requests += 1
            tally.statuses[answer.status, default: 0] += 1
            let route = "\(method) \(path) on run-service \(instance): \(answer.text.prefix(200))"
            if answer.status == 503 || answer.status == 504 {
                if answer.header("Retry-After") == nil { tally.violations.append("\(answer.status) without Retry-After: \(route)") }
            } else if answer.status >= 500 {
                tally.violations.append("\(answer.status): \(route)")
            }
        }
    }
}
