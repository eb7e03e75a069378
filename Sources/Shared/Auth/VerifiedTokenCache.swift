import Foundation
import Synchronization

/// Tokens already verified, with the principal each yields, kept until they expire: a client
/// that sends the same bearer token on every request pays for its signature check once.
///
/// Bounded: when full, expired entries go first, and if none has expired the cache starts
/// afresh. An entry is only ever served inside its token's own validity window (`nbf`/`exp`
/// with the leeway), so a cached token expires exactly when the token does.
final class VerifiedTokenCache: Sendable {
    struct Entry: Sendable {
        let principal: Principal
        /// Accepted from this time (seconds since 1970, leeway applied).
        let validFrom: Double
        /// Accepted until this time (exclusive, leeway applied).
        let validUntil: Double
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Int

    /// Creates a cache of at most `capacity` tokens.
    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The principal of a token verified earlier, while it is still valid at `time`.
    func principal(for token: String, at time: Double) -> Principal? {
        guard let entry = entries.withLock({ $0[token] }) else { return nil }
        guard time >= entry.validFrom, time < entry.validUntil else { return nil }
        return entry.principal
    }

    /// Remembers a verified token.
    func store(_ token: String, _ entry: Entry, at time: Double) {
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.validUntil > time }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[token] = entry
        }
    }
}
