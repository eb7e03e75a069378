import Testing
@testable import RunService

/// The token ledger never lets spent tokens exceed the budget, whatever the calls use.
@Suite struct TokenLedgerTests {
    @Test func reservationsThatDoNotFitAreRefusedAndChangeNothing() {
        var ledger = TokenLedger(budget: 1000)
        let first = ledger.reserve(600)
        let before = ledger
        let tooMuch = ledger.reserve(401)
        #expect(first && !tooMuch)
        #expect(ledger == before)
        let rest = ledger.reserve(400)
        #expect(rest)
        #expect(ledger.available == 0)
        ledger.settle(reservation: 600, used: 250)
        #expect(ledger.spent == 250 && ledger.reserved == 400 && ledger.available == 350)
    }

    @Test func aCallThatOverrunsItsCeilingIsChargedTheCeilingAndTheOverrunShows() {
        var ledger = TokenLedger(budget: 100)
        let reserved = ledger.reserve(80)
        #expect(reserved)
        ledger.settle(reservation: 80, used: 130)
        #expect(ledger.spent == 80)
        #expect(ledger.overrun == 50)
    }

    /// Random budgets and random sequences of reservations, settlements and usages (overruns
    /// included): after every operation spent ≤ budget and spent + reserved ≤ budget.
    @Test(arguments: 0..<200)
    func spentNeverExceedsTheBudget(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed))
        var ledger = TokenLedger(budget: Int(random.next() % 50_000) + 1)
        var open: [Int] = []
        for _ in 0..<300 {
            if open.isEmpty || random.next() % 2 == 0 {
                let ceiling = Int(random.next() % UInt64(ledger.budget / 3 + 2))
                if ledger.reserve(ceiling) { open.append(ceiling) }
            } else {
                let ceiling = open.remove(at: Int(random.next() % UInt64(open.count)))
                // Usage: usually below the ceiling, sometimes far above it.
                let used = Int(random.next() % UInt64(ceiling * 2 + 1))
                ledger.settle(reservation: ceiling, used: used)
            }
            #expect(ledger.spent <= ledger.budget)
            #expect(ledger.spent + ledger.reserved <= ledger.budget)
            #expect(ledger.reserved == open.reduce(0, +))
        }
    }
}

/// A small seeded generator, so every case replays exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
