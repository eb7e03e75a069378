/// Finds mentions of entities in a run of words: "their own patients appointments" →
/// patient, appointment; "leave requests" → leave_request. Longer names win; a synonym of an
/// archetype already in the spec (`booking` when `reservation` exists) maps to that entity.
struct EntityNameMatcher: Sendable {
    /// One mention.
    struct Mention: Sendable, Equatable {
        /// The entity.
        let name: String
        /// The words it spans.
        let range: Range<Int>
    }

    /// The known entity names.
    let names: [String]
    /// Whether archetype names not yet in the spec count as mentions.
    let includesArchetypes: Bool

    /// Creates a matcher.
    init(names: [String], includesArchetypes: Bool = false) {
        self.names = names
        self.includesArchetypes = includesArchetypes
    }

    /// The entity a phrase names, if any: the phrase itself, the phrase without a participle before
    /// it ("an accepted quote"), the one compound it is the head of ("sessions" when only
    /// `coaching_session` ends in it), or a synonym of a known entity's archetype.
    func entity(for words: [String]) -> String? {
        guard !words.isEmpty, words.count <= 3 else { return nil }
        let candidate = EnglishInflection.singularName(words)
        if names.contains(candidate) { return candidate }
        if words.count > 1, ArchitectLexicon.isParticipleAdjective(words[0]) { return entity(for: Array(words.dropFirst())) } // "an accepted quote"
        if words.count == 1, !ArchitectLexicon.nonEntityWords.contains(candidate) || ArchitectLexicon.domainNouns.contains(candidate),
           !ArchitectLexicon.fieldWords.contains(candidate), FieldTypeRules.type(forName: candidate) == .string {
            let compounds = names.filter { $0.hasSuffix("_" + candidate) }
            if compounds.count == 1 { return compounds[0] }
        }
        if let initialled = Self.entity(initialled: words, among: names) { return initialled } // "WO" for work orders
        guard let archetype = EntityArchetypes.archetype(named: candidate) else { return nil }
        if let known = names.first(where: { EntityArchetypes.archetype(named: $0)?.name == archetype.name }) {
            return known
        }
        if includesArchetypes, !words.contains(where: ArchitectLexicon.nonEntityWords.contains) { return candidate }
        return nil
    }

    /// The one compound of `names` whose initials a word of two or three letters is ("wo", "wos"
    /// for `work_order`), if exactly one is.
    static func entity(initialled words: [String], among names: [String]) -> String? {
        guard words.count == 1, case let word = words[0], (2...4).contains(word.count), word.allSatisfy(\.isLetter) else { return nil }
        let initials = [word, word.hasSuffix("s") ? String(word.dropLast()) : word]
        let matches = Set(names.filter { name in
            let parts = name.split(separator: "_")
            return parts.count >= 2 && initials.contains(String(parts.compactMap(\.first)))
        })
        return matches.count == 1 ? matches.first : nil
    }

    /// Every mention in the words, left to right, longest first at each position.
    func mentions(in words: [String]) -> [Mention] {
        var mentions: [Mention] = []
        var index = 0
        while index < words.count {
            if let mention = mention(in: words, at: index) {
                mentions.append(mention)
                index = mention.range.upperBound
            } else {
                index += 1
            }
        }
        return mentions
    }

    /// The longest mention (of one to three words) that starts at `index`, if any.
    func mention(in words: [String], at index: Int) -> Mention? {
        for length in stride(from: min(3, words.count - index), through: 1, by: -1) {
            if let name = entity(for: Array(words[index..<(index + length)])) {
                return Mention(name: name, range: index..<(index + length))
            }
        }
        return nil
    }

    /// The mentions with adjacent runs collapsed to their last noun ("patients appointments" →
    /// appointment): the head of a compound names the thing.
    func heads(in words: [String]) -> [Mention] {
        var heads: [Mention] = []
        for mention in mentions(in: words) {
            if let last = heads.last, last.range.upperBound == mention.range.lowerBound {
                heads[heads.count - 1] = mention
            } else {
                heads.append(mention)
            }
        }
        return heads
    }
}
