/// A run's token budget as a ledger: before an agent call its worst case (the call's token
/// ceiling) is reserved, after it the real usage settles the reservation. A call whose
/// reservation does not fit is not made, so what is spent never exceeds the budget, whatever
/// the calls use. Pure: the run-service keeps the same numbers in the run's row, where a check
/// constraint holds the invariant too.
struct TokenLedger: Sendable, Equatable {
    /// The run's token budget.
    let budget: Int
    /// Tokens of settled calls.
    private(set) var spent: Int
    /// Ceilings of calls in flight.
    private(set) var reserved: Int
    /// Tokens a call reported beyond its own ceiling: not charged (the ceiling was), but kept, so
    /// a provider that breaks its limit shows.
    private(set) var overrun: Int

    /// A ledger with nothing spent or reserved yet, or as stored.
    init(budget: Int, spent: Int = 0, reserved: Int = 0, overrun: Int = 0) {
        precondition(budget >= 1 && spent >= 0 && reserved >= 0 && spent + reserved <= budget, "an inconsistent token ledger")
        self.budget = budget
        self.spent = spent
        self.reserved = reserved
        self.overrun = overrun
    }

    /// What a new reservation may take.
    var available: Int { budget - spent - reserved }

    /// Reserves `ceiling` tokens for a call; false (and nothing reserved) when it does not fit.
    mutating func reserve(_ ceiling: Int) -> Bool {
        guard ceiling >= 0, ceiling <= available else { return false }
        reserved += ceiling
        return true
    }

    /// Settles a call that reserved `ceiling` and used `used` tokens: the reservation goes, the
    /// usage is charged — at most the ceiling, so the budget holds even if the call overran it.
    mutating func settle(reservation ceiling: Int, used: Int) {
        precondition(ceiling >= 0 && ceiling <= reserved, "settling a reservation that was not made")
        reserved -= ceiling
        let charged = min(max(used, 0), ceiling)
        spent += charged
        overrun += max(used, 0) - charged
    }
}
