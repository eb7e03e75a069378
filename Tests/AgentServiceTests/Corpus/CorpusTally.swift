/// Counts for one dimension of the corpus score: what the architect produced, what was expected,
/// and how many agreed.
struct CorpusTally: Sendable {
    /// Items both produced and expected.
    var agreed = 0
    /// Items produced (that count).
    var produced = 0
    /// Items expected.
    var expected = 0

    /// Agreed ÷ produced (1 when nothing was produced).
    var precision: Double { produced == 0 ? 1 : Double(agreed) / Double(produced) }
    /// Agreed ÷ expected (1 when nothing was expected).
    var recall: Double { expected == 0 ? 1 : Double(agreed) / Double(expected) }

    /// Adds two sets' comparison.
    mutating func add<Item: Hashable>(produced: Set<Item>, expected: Set<Item>) {
        agreed += produced.intersection(expected).count
        self.produced += produced.count
        self.expected += expected.count
    }

    /// The sum of two tallies.
    static func + (left: CorpusTally, right: CorpusTally) -> CorpusTally {
        CorpusTally(agreed: left.agreed + right.agreed, produced: left.produced + right.produced,
                    expected: left.expected + right.expected)
    }
}

/// The dimensions the corpus is scored on.
enum CorpusDimension: String, CaseIterable, Sendable {
    case entities, fields, types, relations, roles, permissions, pii
}
