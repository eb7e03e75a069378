import Shared

/// A many-to-many whose join the text names right after it: "each newsletter goes to many
/// subscribers; every send is a delivery with delivered at and an opened yes/no", "a guest can
/// appear on lots of episodes, so for each appearance we note the segment and the fee". The thing
/// named after "each"/"every" — later in the same sentence, or at the start of the next — is the
/// record of one pairing: it refers to both sides, and the many-to-many gives way to it.
extension DescriptionReading {
    /// How many words after "each"/"every" the join's name may start ("every send is a delivery").
    static let joinNameReach = 5

    /// Pass 6c: turns each many-to-many whose join is named after it into two references of the
    /// join (required), dropping the back-references "has many" gave either side.
    mutating func collectNamedJoins() {
        for (first, second) in draft.manyToMany {
            guard let join = namedJoin(between: first, and: second) else { continue }
            draft.manyToMany.removeAll { Set([$0.0, $0.1]) == Set([first, second]) }
            for (side, other) in [(first, second), (second, first)] {
                if let index = draft.index(of: side) {
                    draft.entities[index].fields.removeAll { $0.references == other && $0.fromCollection }
                }
            }
            for side in [first, second] {
                addField(DraftField(name: side, type: .reference, required: true, references: side), to: join)
            }
        }
    }

    /// The entity named as one pairing of `first` and `second`: after "each"/"every" following the
    /// sentence that names both, later in it or opening the next sentence. It must have fields of
    /// its own, refer to neither side and be named nowhere else in the text.
    func namedJoin(between first: String, and second: String) -> String? {
        let words = sentences.map(\.words)
        for (number, sentence) in words.enumerated() {
            let mentions = matcher.mentions(in: sentence)
            guard let firstAt = mentions.lastIndex(where: { $0.name == first }), let secondAt = mentions.lastIndex(where: { $0.name == second }) else { continue }
            let end = mentions[max(firstAt, secondAt)].range.upperBound
            let later = Array(sentence[end...])
            let next = number + 1 < words.count ? Array(words[number + 1].prefix(2 + Self.joinNameReach)) : []
            for (region, opens) in [(later, false), (next, true)] {
                guard let each = region.firstIndex(where: ArchitectLexicon.eachWords.contains), !opens || each <= 1 else { continue }
                let reach = Array(region[(each + 1)...].prefix(Self.joinNameReach))
                guard let mention = matcher.mentions(in: reach).first(where: { $0.name != first && $0.name != second }),
                      isJoinCandidate(mention.name, of: first, and: second) else { continue }
                return mention.name
            }
        }
        return nil
    }

    /// Whether an entity can be the record of one pairing: described, referring to neither side,
    /// and mentioned in one sentence only.
    private func isJoinCandidate(_ name: String, of first: String, and second: String) -> Bool {
        guard let index = draft.index(of: name), draft.entities[index].isDescribed,
              !draft.entities[index].fields.contains(where: { $0.references == first || $0.references == second }) else { return false }
        let sentencesNamingIt = sentences.filter { matcher.mentions(in: $0.words).contains { $0.name == name } }
        return sentencesNamingIt.count == 1
    }
}
