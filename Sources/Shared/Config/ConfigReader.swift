import Foundation

/// Reads typed values from an environment dictionary; every failure names the key.
public struct ConfigReader: Sendable {
    /// The raw key/value pairs (normally the process environment).
    public let values: [String: String]

    /// Reads from the given pairs.
    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    /// A string value, trimmed; nil when unset or blank.
    public func string(_ key: String) -> String? {
        guard let raw = values[key]?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else { return nil }
        return raw
    }

    /// A required string value.
    public func require(_ key: String) throws -> String {
        guard let value = string(key) else { throw ConfigError(key: key, reason: "is required") }
        return value
    }

    /// An integer value within bounds, or the default when unset.
    public func int(_ key: String, default defaultValue: Int, range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        guard let raw = string(key) else { return defaultValue }
        guard let value = Int(raw), range.contains(value) else {
            throw ConfigError(key: key, reason: "must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(raw)'")
        }
        return value
    }

    /// A boolean value (`true/false/1/0/yes/no`), or the default when unset.
    public func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let raw = string(key)?.lowercased() else { return defaultValue }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigError(key: key, reason: "must be a boolean, got '\(raw)'")
        }
    }
}

/// A configuration value that is missing or malformed.
public struct ConfigError: Error, CustomStringConvertible {
    /// The environment key.
    public let key: String
    /// What is wrong with it.
    public let reason: String

    /// Creates an error.
    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { "configuration \(key) \(reason)" }
}
