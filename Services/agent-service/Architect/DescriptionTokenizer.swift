import Foundation

/// Splits a free-text description into sentences of tokens.
///
/// Sentences end at `.` `!` `?` `;`, at a blank line, at a line break unless the line ends in `,`
/// `:` or a joining word ("and", "with" …), and at each item of a bulleted list (unless the list
/// follows a colon and its items are bare, "- contacts", when they join the colon's list). Parentheses become groups;
/// `&`/`+` read as "and"; possessive `'s` is dropped; `can't` reads "cannot"; `e.g.` reads "eg".
struct DescriptionTokenizer {
    /// Creates a tokenizer.
    init() {}

    /// The sentences of a text, each a list of tokens; empty sentences are left out.
    func sentences(_ text: String) -> [[DescriptionToken]] {
        var scanner = Scanner(characters: Array(normalize(text)))
        return scanner.run()
    }

    /// Rewrites Markdown tables into sentences, lowercases, and rewrites contractions, abbreviations
    /// and relation keywords.
    func normalize(_ text: String) -> String {
        var text = MarkdownTables.rewrite(text).lowercased()
        let rewrites: [(String, String)] = [
            ("\u{2019}", "'"), ("\u{2018}", "'"), ("\u{201C}", "\""), ("\u{201D}", "\""),
            ("\u{2014}", ","), ("\u{2013}", ","), ("\u{2026}", " "), ("\r\n", "\n"), ("\r", "\n"),
            ("\t", " "), ("e.g.", " eg "), ("e.g", " eg "), ("i.e.", " ie "), ("etc.", " etc "),
            ("can't", "cannot"), ("won't", "will not"), ("n't", " not"), ("can not", "cannot"),
            ("many-to-many", " many_to_many "), ("many to many", " many_to_many "),
            ("one-to-many", " one_to_many "), ("one to many", " one_to_many "),
            ("to-do", "todo"), ("e-mail", "email"), ("read-only", "read_only"), ("read only", "read_only"),
            ("view-only", "read_only"), ("view only", "read_only"),
        ]
        for (from, to) in rewrites {
            text = text.replacingOccurrences(of: from, with: to)
        }
        for (pattern, template) in Self.flagPatterns {
            text = text.replacingOccurrences(of: pattern, with: template, options: .regularExpression)
        }
        return text
    }
}

extension DescriptionTokenizer {
    /// Yes/no flags in their written forms, each made the hint "(yes/no)": "(y/n)", "yes or no",
    /// "true/false" — bare or in parentheses.
    static let flagPatterns: [(String, String)] = [
        (#"\(\s*(y/n|y or n|yes/no|yes or no|true/false|true or false)\s*\)"#, "(yes/no)"),
        (#"(?<![(\w])(y/n|yes/no|yes or no|true/false|true or false)(?!\w)"#, "(yes/no)"),
    ]
}

/// The character-level state of one tokenization.
private struct Scanner {
    let characters: [Character]
    var index = 0
    var position = 0
    var word = ""
    var sentences: [[DescriptionToken]] = []
    /// The open sentence (index 0) and the open groups above it.
    var stack: [[DescriptionToken]] = [[]]
    var atLineStart = true
    var inBulletList = false
    var lineIsBullet = false

    init(characters: [Character]) {
        self.characters = characters
    }

    mutating func run() -> [[DescriptionToken]] {
        while index < characters.count {
            let character = characters[index]
            if atLineStart, skipBullet() {
                lineIsBullet = true
                continue
            }
            if character != " " && character != "\n" { atLineStart = false }
            if character.isLetter || character.isNumber || character == "_" {
                word.append(character)
            } else {
                scanPunctuation(character)
            }
            index += 1
        }
        endSentence()
        return sentences
    }

    /// Whether a dash here labels the list after it with the words before it ("vendors - name,
    /// email"): it follows one to four words that open the sentence, and a comma follows on its line.
    private var opensLabel: Bool {
        guard stack.count == 1, (1...4).contains(stack[0].count), stack[0].allSatisfy({ $0.word != nil }), peek() == " " else { return false }
        var ahead = index + 1
        while ahead < characters.count, characters[ahead] != "\n", characters[ahead] != "." {
            if characters[ahead] == "," { return true }
            ahead += 1
        }
        return false
    }

    private func peek(_ offset: Int = 1) -> Character? {
        let next = index + offset
        return next < characters.count ? characters[next] : nil
    }

    private mutating func scanPunctuation(_ character: Character) {
        switch character {
        case "-":
            if !word.isEmpty, let next = peek(), next.isLetter || next.isNumber {
                word.append("-")
            } else {
                flushWord()
                append(.mark(opensLabel ? ":" : ",", position: nextPosition()))
            }
        case ".":
            if let last = word.last, last.isNumber, let next = peek(), next.isNumber { word.append(".") } else { endSentenceOrComma() }
        case "'":
            if word.hasSuffix("s") || peek() == "s" && !(peek(2)?.isLetter ?? false) {
                if peek() == "s" { index += 1 }
            }
        case "!", "?", ";":
            endSentenceOrComma()
        case "\n":
            scanNewline()
        case ",", ":", "/", "|":
            flushWord()
            append(.mark(character, position: nextPosition()))
        case "=":
            flushWord()
            append(.mark(":", position: nextPosition()))
        case "&", "+":
            flushWord()
            append(.word("and", position: nextPosition()))
        case "(", "[", "{":
            flushWord()
            stack.append([])
        case ")", "]", "}":
            flushWord()
            closeGroup()
        default:
            flushWord()
        }
    }

    /// Skips a bullet ("-", "*", "•", "1.", "2)") at the start of a line.
    private mutating func skipBullet() -> Bool {
        let character = characters[index]
        if character == "-" || character == "*" || character == "•" || character == "#" || character == ">" {
            if peek() == " " || peek() == character || peek() == nil { index += 1; return true }
            return false
        }
        if character.isNumber {
            var end = index
            while end < characters.count, characters[end].isNumber { end += 1 }
            if end < characters.count, characters[end] == "." || characters[end] == ")" {
                index = end + 1
                return true
            }
        }
        return false
    }

    private mutating func scanNewline() {
        flushWord()
        atLineStart = true
        let wasBullet = lineIsBullet
        lineIsBullet = false
        guard stack.count == 1 else { return }
        var ahead = index + 1
        while ahead < characters.count, characters[ahead] == " " { ahead += 1 }
        guard ahead < characters.count, characters[ahead] != "\n" else {
            endSentence()
            inBulletList = false
            return
        }
        let next = characters[ahead]
        let followingIsBullet = "-*•".contains(next) || next.isNumber && ahead + 1 < characters.count && ".)".contains(characters[ahead + 1])
        if followingIsBullet {
            if (stack[0].last?.mark == ":" || inBulletList) && isListItem(lineFrom: ahead) {
                append(.mark(",", position: nextPosition()))
                inBulletList = true
            } else {
                endSentence()
                inBulletList = false
            }
        } else if inBulletList || wasBullet || !continuesOnNextLine || stack[0].last?.word != nil && opensLabel(lineFrom: ahead) {
            endSentence()
            inBulletList = false
        }
    }

    /// Words at the end of a line after which the sentence goes on ("… name, email and").
    private static let joiningWords: Set<String> = ["and", "or", "with", "of", "the", "a", "an", "to", "for", "in", "on", "at", "by", "their", "its"]

    /// Whether the open sentence continues on the next line: it ends in a comma, a colon or a
    /// joining word — not "on"/"at" after a participle, which name a field ("paid on"), nor a word
    /// before a line that opens a label ("… back at" / "work days: …"). Otherwise a line break
    /// ends it (notes are written one fact per line).
    private var continuesOnNextLine: Bool {
        guard let last = stack[0].last else { return true }
        if let mark = last.mark { return mark == "," || mark == ":" }
        if let word = last.word {
            // "paid on", "checked in at": a field named by a participle ends the line
            let before = stack[0].dropLast().last?.word
            if ["on", "at"].contains(word), let before, before.hasSuffix("ed") || ClauseMarker.irregularParticiples.contains(before) { return false }
            return Self.joiningWords.contains(word)
        }
        return false
    }

    /// Whether the line starting at `start` opens with a label of one to four words and a colon
    /// ("work days: date, task"): a new fact, even after a line ending in a joining word ("back at").
    private func opensLabel(lineFrom start: Int) -> Bool {
        var words = 0
        var inWord = false
        var index = start
        while index < characters.count, characters[index] != "\n" {
            let character = characters[index]
            if character == ":" { return words >= 1 }
            let isWordCharacter = character.isLetter || character.isNumber || character == "-" && inWord
            guard isWordCharacter || character == " " else { return false }
            if isWordCharacter && !inWord { words += 1 }
            if words > 4 { return false }
            inWord = isWordCharacter
            index += 1
        }
        return false
    }

    /// Whether the bulleted line starting at `start` is a bare item of a list ("- contacts",
    /// "- bikes (size, colour)") rather than a sentence of its own ("- Clients: name, email").
    private func isListItem(lineFrom start: Int) -> Bool {
        var words = 0
        var depth = 0
        var inWord = false
        var index = start + 1
        while index < characters.count, characters[index] != "\n" {
            let character = characters[index]
            if character == "(" { depth += 1 } else if character == ")" { depth = max(0, depth - 1) }
            if character == ":" && depth == 0 { return false }
            let isWordCharacter = character.isLetter || character.isNumber
            if isWordCharacter && !inWord && depth == 0 { words += 1 }
            inWord = isWordCharacter
            index += 1
        }
        return words <= 5
    }

    private mutating func nextPosition() -> Int {
        position += 1
        return position
    }

    private mutating func flushWord() {
        guard !word.isEmpty else { return }
        var text = word
        while text.hasSuffix("-") { text.removeLast() }
        word = ""
        if !text.isEmpty { append(.word(text, position: nextPosition())) }
    }

    private mutating func append(_ token: DescriptionToken) {
        stack[stack.count - 1].append(token)
    }

    private mutating func closeGroup() {
        guard stack.count > 1 else { return }
        let tokens = stack.removeLast()
        if !tokens.isEmpty { append(.group(tokens, position: tokens[0].position)) }
    }

    private mutating func endSentenceOrComma() {
        flushWord()
        if stack.count > 1 {
            append(.mark(",", position: nextPosition()))
        } else {
            endSentence()
        }
    }

    private mutating func endSentence() {
        flushWord()
        while stack.count > 1 { closeGroup() }
        let sentence = stack[0]
        stack[0] = []
        if sentence.contains(where: { $0.word != nil || $0.groupTokens != nil }) { sentences.append(sentence) }
    }
}
