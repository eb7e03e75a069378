import Foundation
import Synchronization

/// The runs a soak started, by tenant.
final class AcceptedRuns: Sendable {
    struct Run: Sendable {
        let id: String
        let tenant: UUID
    }

    private let runs = Mutex<[Run]>([])

    func add(_ id: String, tenant: UUID) {
        runs.withLock { $0.append(Run(id: id, tenant: tenant)) }
    }

    var all: [Run] { runs.withLock { $0 } }
    var count: Int { runs.withLock { $0.count } }

    /// One of a tenant's runs, nil when it has none yet.
    func random(of tenant: UUID) -> String? {
        runs.withLock { $0.filter { $0.tenant == tenant }.randomElement()?.id }
    }
}
