/// Polls `condition` every `interval` until it holds (true) or `timeout` passes (false). A thrown
/// error counts as "not yet". For what the kernel or another process does a moment after the
/// call that caused it (a connection reaching an accept queue, a subscriber going away).
public func eventually(
    within timeout: Duration = .seconds(5),
    every interval: Duration = .milliseconds(10),
    _ condition: () async throws -> Bool
) async -> Bool {
    let giveUp = ContinuousClock.now + timeout
    while true {
        if (try? await condition()) == true { return true }
        if ContinuousClock.now >= giveUp { return false }
        try? await Task.sleep(for: interval)
    }
}
