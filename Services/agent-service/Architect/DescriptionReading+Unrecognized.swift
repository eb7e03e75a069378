import Shared

/// What the reader could not use: whole sentences that gave nothing, and clauses whose subject
/// it could not place — reported so that a user can rewrite them or use the guided form.
extension DescriptionReading {
    /// Pass 9: the unused sentences and clauses, in order.
    mutating func collectUnrecognized() {
        for (number, sentence) in sentences.enumerated() {
            let ownClauses = zip(clauses, subjects).filter { $0.0.sentence == number }
            guard usedSentences.contains(number) else {
                let reason = ownClauses.first.map { "'\($0.0.subject.joined(separator: " "))' names neither an entity nor a role" }
                    ?? "no verb the architect reads (has, belongs to, links, records, can see …) and no fields in parentheses"
                draft.unrecognized.append(UnrecognizedClause(sentence: number + 1, text: Self.render(sentence), reason: reason))
                continue
            }
            for (clause, subject) in ownClauses where subject == .ignored && !clause.subject.isEmpty {
                let text = (clause.subject + clause.marker.words).joined(separator: " ") + " " + Self.render(clause.object)
                draft.unrecognized.append(UnrecognizedClause(
                    sentence: number + 1, text: text.trimmingCharacters(in: .whitespaces),
                    reason: "'\(clause.subject.joined(separator: " "))' names neither an entity nor a role"
                ))
            }
        }
    }

    /// Tokens as text: words spaced, groups in parentheses, marks after the word they follow.
    static func render(_ tokens: [DescriptionToken]) -> String {
        var text = ""
        for token in tokens {
            if let word = token.word {
                text += (text.isEmpty || text.hasSuffix("(") ? "" : " ") + word
            } else if let group = token.groupTokens {
                text += (text.isEmpty ? "" : " ") + "(" + render(group) + ")"
            } else if let mark = token.mark {
                text.append(mark)
            }
        }
        return text
    }
}
