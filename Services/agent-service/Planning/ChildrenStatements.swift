/// Finds the entities a description says are children: an entity's name followed by an age under
/// 18 ("students under 16", "pupils aged 8 to 11", "players younger than 13") or by a copula and a
/// child noun ("campers are children", "members who are minors"). A sentence that merely mentions
/// children near an entity ("parents register their children") says nothing about the entity.
enum ChildrenStatements {
    /// The age from which a person is an adult.
    static let adultAge = 18
    /// Words that introduce an age.
    static let ageWords: Set<String> = ["under", "below", "younger", "aged", "age", "ages", "between", "than"]
    /// Words that link an entity to what it is.
    static let copulas: Set<String> = ["are", "is", "who", "all", "being", "were", "will", "be", "mostly", "always"]
    /// Nouns that mean children (singular: the description's words are singularised).
    static let childWords: Set<String> = ["child", "kid", "minor", "juvenile", "teenager", "toddler", "infant"]

    /// The names (of `names`) whose rows the description says are children.
    static func entities(in description: String, names: [String]) -> Set<String> {
        var found: Set<String> = []
        for sentence in description.lowercased().split(whereSeparator: { ".!?;\n".contains($0) }) {
            let words = sentence.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { EnglishInflection.singular(String($0)) }
            for name in names where !found.contains(name) {
                let nameWords = name.split(separator: "_").map(String.init)
                for start in words.indices where words[start...].starts(with: nameWords) {
                    let after = Array(words[(start + nameWords.count)...].prefix(5))
                    if saysChild(after) { found.insert(name) }
                }
            }
        }
        return found
    }

    /// Whether the words after an entity's name give an age under 18 or call its rows children.
    private static func saysChild(_ after: [String]) -> Bool {
        guard let first = after.first else { return false }
        if ageWords.contains(first) || copulas.contains(first) {
            if let age = after.lazy.compactMap({ Int($0.prefix(while: \.isNumber)) }).first, after.contains(where: ageWords.contains) {
                return age < adultAge
            }
        }
        return copulas.contains(first) && after.prefix(3).contains(where: childWords.contains)
    }
}
