import Foundation
import Testing

/// The settings `scripts/test` exports (`scripts/infra start`): a missing one fails the test
/// loudly, since integration tests never skip.
public enum RequiredEnvironment {
    /// A variable that must be set.
    public static func value(_ key: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[key], !value.isEmpty else {
            Issue.record("\(key) is not set: run the tests through scripts/test, which starts Postgres and Redis")
            throw Missing(key: key)
        }
        return value
    }

    /// The variable that was missing.
    public struct Missing: Error, CustomStringConvertible {
        public let key: String
        public var description: String { "\(key) is not set" }
    }
}
