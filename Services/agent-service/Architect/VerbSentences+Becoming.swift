/// A thing that becomes another: "approved applications become loans with a principal",
/// "accepted quotes turn into jobs with a start date". The new row comes from the old one, so it
/// refers to it — "loans belong to an application with a principal".
extension VerbSentences {
    /// Verbs of one thing becoming another, as their words.
    static let becomingVerbs: [[String]] = [
        ["become"], ["becomes"], ["turn", "into"], ["turns", "into"], ["are", "turned", "into"], ["is", "turned", "into"],
        ["are", "converted", "into"], ["is", "converted", "into"], ["are", "converted", "to"], ["is", "converted", "to"],
    ]

    /// The sentence rewritten as the new thing belonging to the old one, if it has the shape: a
    /// subject of one to three words (a participle such as "approved" may open it), a verb of
    /// becoming, a plural object of one or two words, then nothing, "with" and the new thing's
    /// fields, or its fields in parentheses.
    static func becoming(_ sentence: [DescriptionToken]) -> Rewrite? {
        let words = sentence.prefix { $0.word != nil }.compactMap(\.word)
        guard let (verbIndex, verb) = becomingVerbs.lazy.compactMap({ verb in
            (1...3).lazy.first { words.count > $0 + verb.count && Array(words[$0..<($0 + verb.count)]) == verb }.map { ($0, verb) }
        }).first else { return nil }
        let subject = words[..<verbIndex].filter { !ArchitectLexicon.determiners.contains($0) }
        var objectEnd = verbIndex + verb.count
        while objectEnd < words.count, words[objectEnd] != "with" { objectEnd += 1 }
        let object = words[(verbIndex + verb.count)..<objectEnd].filter { !ArchitectLexicon.determiners.contains($0) }
        guard !subject.isEmpty, (1...2).contains(object.count), object.last.map(EnglishInflection.isPlural) == true,
              !(subject + object).contains(where: { ArchitectLexicon.phraseStops.contains($0) || ArchitectLexicon.pronouns.contains($0) }) else { return nil }
        let position = sentence[0].position
        let rewritten = (object + ["belong", "to", "a"] + subject).map { DescriptionToken.word($0, position: position) }
        return Rewrite(sentence: rewritten + sentence[objectEnd...])
    }
}
