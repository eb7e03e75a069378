import Foundation

/// How big a reliability run is and how its faults are drawn, from the environment that
/// `scripts/reliability` sets: `META_BUILDER_RELIABILITY_SIZE` (`ci`, the default, or `large`),
/// `META_BUILDER_RELIABILITY_SEED` (an unsigned number; drawn when unset, and printed so that a
/// failure can be replayed) and `META_BUILDER_RELIABILITY_REPORT` (a file the checks append
/// their results to, one JSON object per line; none when unset).
struct ReliabilitySettings: Sendable {
    /// The two sizes: `ci` stays within a few minutes, `large` is run on demand.
    enum Size: String, Sendable {
        case ci
        case large

        /// Tenants whose runs the chaos run starts.
        var tenants: Int { self == .ci ? 2 : 5 }
        /// Runs started per tenant before the first fault.
        var runsPerTenant: Int { self == .ci ? 1 : 3 }
        /// How many times the whole set of faults is drawn.
        var rounds: Int { self == .ci ? 1 : 3 }
    }

    let size: Size
    let seed: UInt64
    let reportPath: String?

    /// The settings in force; a malformed value is an error (never silently the default).
    static func current(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ReliabilitySettings {
        let sizeText = environment["META_BUILDER_RELIABILITY_SIZE"] ?? "ci"
        guard let size = Size(rawValue: sizeText) else { throw Malformed(variable: "META_BUILDER_RELIABILITY_SIZE", value: sizeText) }
        let seed: UInt64
        if let seedText = environment["META_BUILDER_RELIABILITY_SEED"], !seedText.isEmpty {
            guard let parsed = UInt64(seedText) else { throw Malformed(variable: "META_BUILDER_RELIABILITY_SEED", value: seedText) }
            seed = parsed
        } else {
            seed = UInt64.random(in: 1...999_999)
        }
        let report = environment["META_BUILDER_RELIABILITY_REPORT"].flatMap { $0.isEmpty ? nil : $0 }
        return ReliabilitySettings(size: size, seed: seed, reportPath: report)
    }

    /// A variable of the reliability settings does not parse.
    struct Malformed: Error, CustomStringConvertible {
        let variable: String
        let value: String
        var description: String { "\(variable)=\(value) is not valid" }
    }
}
