import Foundation

/// The point in time by which a request must be answered; propagated to every downstream call.
public struct Deadline: Sendable, Comparable, CustomStringConvertible {
    /// The instant on the monotonic clock.
    public let instant: ContinuousClock.Instant

    /// A deadline at a given instant.
    public init(_ instant: ContinuousClock.Instant) {
        self.instant = instant
    }

    /// A deadline `duration` from now.
    public static func after(_ duration: Duration) -> Deadline {
        Deadline(.now + duration)
    }

    /// Time left; zero once expired.
    public var remaining: Duration {
        let left = instant - .now
        return left > .zero ? left : .zero
    }

    /// Whole milliseconds left, rounded up, at least 0.
    public var remainingMilliseconds: Int {
        let (seconds, attoseconds) = remaining.components
        return Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }

    /// True once the deadline has passed.
    public var isExpired: Bool { instant <= .now }

    /// The earlier of two deadlines.
    public func earliest(_ other: Deadline?) -> Deadline {
        guard let other else { return self }
        return min(self, other)
    }

    /// Throws DEADLINE_EXCEEDED when expired.
    public func check(_ what: @autoclosure () -> String = "handling the request") throws {
        if isExpired { throw WireError(.deadlineExceeded, "deadline exceeded while \(what())") }
    }

    public static func < (lhs: Deadline, rhs: Deadline) -> Bool { lhs.instant < rhs.instant }

    public var description: String { "\(remainingMilliseconds)ms" }
}
