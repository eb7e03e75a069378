/// Splits the object of a clause into noun phrases.
///
/// Items are separated by `,` `/` `|` "and" "or" "plus"; a parenthesised group stays with the
/// item before it; "treatments: description, dose in ml" gives a plural the fields after its colon
/// as its group; "status: open, pending, closed" gives the item `status` the listed values, which
/// end after the value that follows "or"/"and" ("fuel: petrol, diesel or electric, mileage");
/// a lone modifier shares the next item's head noun ("first and last name" → first name, last
/// name; "start/end datetime" → start datetime, end datetime).
enum NounPhraseList {
    /// Modifiers that share the following item's head noun.
    static let distributiveModifiers: Set<String> = [
        "first", "last", "middle", "start", "end", "begin", "finish", "opening", "closing",
        "billing", "shipping", "home", "work", "min", "max", "minimum", "maximum", "check_in",
        "check_out", "pickup", "dropoff", "departure", "arrival", "primary", "secondary",
    ]

    /// The phrases of an object.
    static func parse(_ tokens: [DescriptionToken]) -> [NounPhrase] {
        var parts: [[DescriptionToken]] = [[]]
        var colonAfter: Set<Int> = []
        var lastAlternative: Set<Int> = []
        var slashBefore: Set<Int> = []
        for token in tokens {
            if token.isListSeparator {
                if token.word == "or" || token.word == "and" { lastAlternative.insert(parts.count) }
                if token.mark == "/" || token.mark == "|" { slashBefore.insert(parts.count) }
                parts.append([])
            } else if token.mark == ":" {
                colonAfter.insert(parts.count - 1)
                parts.append([])
            } else if token.mark == nil {
                parts[parts.count - 1].append(token)
            }
        }
        var phrases: [NounPhrase] = []
        var index = 0
        while index < parts.count {
            guard var phrase = NounPhrase.parse(parts[index]) else {
                index += 1
                continue
            }
            if colonAfter.contains(index), phrase.isPlural, index + 1 < parts.count, listsFields(parts[(index + 1)...].map { $0.compactMap(\.word) }) {
                phrase.group = Array(parts[(index + 1)...].joined(separator: [DescriptionToken.mark(",", position: phrase.position)]))
                phrases.append(phrase)
                break
            }
            // "status quoted/booked/done", "delivery day tue/thu/sat": a head, its first value, then
            // the slashed others (single words that name no field, unless the head takes values).
            if slashBefore.contains(index + 1), phrase.words.count >= 2, phrase.group == nil,
               ArchitectLexicon.valueHeads.contains(phrase.words[phrase.words.count - 2]) || slashedValues(parts, after: index, slashBefore: slashBefore) {
                var values = [phrase.words[phrase.words.count - 1]]
                phrase.words.removeLast()
                index += 1
                while index < parts.count, slashBefore.contains(index), let value = enumValue(parts[index]) {
                    values.append(value)
                    index += 1
                }
                phrase.values = values
                phrases.append(phrase)
                continue
            }
            if colonAfter.contains(index) {
                var values: [String] = []
                index += 1
                while index < parts.count {
                    if parts[index].isEmpty { index += 1; continue }
                    guard let value = enumValue(parts[index]) else { break }
                    values.append(value)
                    index += 1
                    if lastAlternative.contains(index - 1) { break }
                }
                if !values.isEmpty { phrase.values = values }
                phrases.append(phrase)
                continue
            }
            phrases.append(phrase)
            index += 1
        }
        return distribute(phrases)
    }

    /// Whether the slashed parts after `index` are values: single words, none a field's name
    /// ("tuesday/thursday/saturday" yes, "name/email" no).
    static func slashedValues(_ parts: [[DescriptionToken]], after index: Int, slashBefore: Set<Int>) -> Bool {
        let slashed = (index + 1..<parts.count).prefix { slashBefore.contains($0) && parts[$0].count == 1 }
        let values = ([parts[index].last] + slashed.map { parts[$0].first }).compactMap { $0?.word }
        return values.count >= 2 && values.allSatisfy { value in
            !ArchitectLexicon.fieldWords.contains(value) && FieldTypeRules.type(forName: value) == .string && !["y", "n", "yes", "no"].contains(value)
        }
    }

    /// Whether a parenthesised group lists two or more fields rather than values ("(body, posted
    /// at)", not "(autumn or spring)").
    static func listsFields(group: [DescriptionToken]) -> Bool {
        let parts = groupParts(group)
        return parts.count >= 2 && listsFields(parts)
    }

    /// Whether the parts after a plural's colon are its fields rather than values ("treatments:
    /// description, drug, dose in ml, cost"): one of them is several words or names a typed field.
    static func listsFields(_ parts: [[String]]) -> Bool {
        parts.contains { words in
            words.count >= 2 || words.count == 1 && FieldTypeRules.type(forName: words[0]) != .string
        }
    }

    /// An enum value from a part of a colon list: at most three words, no article, no group.
    static func enumValue(_ tokens: [DescriptionToken]) -> String? {
        let words = tokens.compactMap(\.word)
        guard !words.isEmpty, words.count <= 3, tokens.allSatisfy({ $0.groupTokens == nil }),
              let first = words.first, !["a", "an", "the", "its", "their"].contains(first) else { return nil }
        let value = EnglishInflection.snakeCase(words.filter { $0 != "eg" && $0 != "ie" && $0 != "etc" })
        return value.isEmpty ? nil : value
    }

    /// Gives a lone modifier the next phrase's head noun.
    static func distribute(_ phrases: [NounPhrase]) -> [NounPhrase] {
        var result = phrases
        for index in result.indices.dropLast() {
            let phrase = result[index]
            let next = result[index + 1]
            guard phrase.words.count == 1, distributiveModifiers.contains(phrase.words[0]),
                  next.words.count >= 2, distributiveModifiers.contains(next.words[0]),
                  phrase.group == nil, phrase.values == nil else { continue }
            result[index].words += next.words.dropFirst()
        }
        return result
    }

    /// The parts of a parenthesised group: its items as word lists, separators removed.
    static func groupParts(_ group: [DescriptionToken]) -> [[String]] {
        var parts: [[String]] = [[]]
        for token in group {
            if token.isListSeparator || token.mark == ":" {
                parts.append([])
            } else if let word = token.word {
                parts[parts.count - 1].append(word)
            }
        }
        return parts.filter { !$0.isEmpty }
    }
}
