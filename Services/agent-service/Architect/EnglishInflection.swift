import Shared

/// English noun inflection (singular ↔ plural) and the snake_case names built from words.
///
/// Rules, in order: words that do not change (`staff`, `data`, `news`, `status` …), irregular
/// pairs (`person`/`people`, `child`/`children`, `criterion`/`criteria` …), then the regular
/// endings (`-ies`/`-y`, `-sses`, `-xes`, `-ches`, `-shes`, `-s`). Only the last word of a
/// multi-word name is inflected: `stock_movement` → `stock_movements`.
enum EnglishInflection {
    /// Words whose singular and plural are the same.
    static let invariant: Set<String> = [
        "staff", "data", "metadata", "equipment", "information", "news", "series", "species",
        "software", "feedback", "personnel", "inventory", "stock", "sms", "status", "gas",
        "analysis", "basis", "campus", "bus", "bonus", "virus", "focus", "census", "hr", "crm",
        "address", "business", "class", "access", "progress", "process", "chassis",
    ]

    /// Irregular plural → singular.
    static let irregularSingulars: [String: String] = [
        "people": "person", "children": "child", "men": "man", "women": "woman",
        "criteria": "criterion", "phenomena": "phenomenon", "analyses": "analysis",
        "mice": "mouse", "geese": "goose", "feet": "foot", "teeth": "tooth",
        "leaves": "leave", "wolves": "wolf", "knives": "knife", "lives": "life",
        "wives": "wife", "shelves": "shelf", "halves": "half", "calves": "calf",
        "movies": "movie", "cookies": "cookie", "calories": "calorie", "selfies": "selfie",
        "rookies": "rookie", "zombies": "zombie", "ties": "tie", "pies": "pie", "lies": "lie",
        "caches": "cache", "niches": "niche", "heroes": "hero", "potatoes": "potato",
        "tomatoes": "tomato", "echoes": "echo", "vetoes": "veto", "indices": "index",
        "appendices": "appendix", "matrices": "matrix", "vertices": "vertex",
        "statuses": "status", "buses": "bus", "bonuses": "bonus", "campuses": "campus",
        "viruses": "virus", "censuses": "census", "quizzes": "quiz", "axes": "axis",
        "crises": "crisis", "diagnoses": "diagnosis", "theses": "thesis",
    ]

    /// Irregular singular → plural (the inverse of `irregularSingulars`, with a few more).
    static let irregularPlurals: [String: String] = {
        var plurals: [String: String] = [:]
        for (plural, singular) in irregularSingulars.sorted(by: { $0.key < $1.key }) where plurals[singular] == nil {
            plurals[singular] = plural
        }
        plurals["leaf"] = "leaves"
        plurals["leave"] = "leaves"
        return plurals
    }()

    /// The singular of one lowercase word: `companies` → `company`, `people` → `person`.
    static func singular(_ word: String) -> String {
        if invariant.contains(word) { return word }
        if let singular = irregularSingulars[word] { return singular }
        if word.count <= 3 || word.hasSuffix("ss") || word.hasSuffix("us") || word.hasSuffix("is") {
            return word
        }
        if word.hasSuffix("ies"), word.count > 4 { return String(word.dropLast(3)) + "y" }
        if word.hasSuffix("sses") { return String(word.dropLast(2)) }
        for ending in ["xes", "ches", "shes", "zzes"] where word.hasSuffix(ending) {
            return String(word.dropLast(2))
        }
        if word.hasSuffix("s"), !word.hasSuffix("'s") { return String(word.dropLast()) }
        return word
    }

    /// The plural of one lowercase word: `company` → `companies`, `person` → `people`.
    static func plural(_ word: String) -> String {
        if invariant.contains(word) && !word.hasSuffix("s") && !word.hasSuffix("y") { return word }
        if let plural = irregularPlurals[word] { return plural }
        if word.hasSuffix("y"), let before = word.dropLast().last, !"aeiou".contains(before) {
            return String(word.dropLast()) + "ies"
        }
        for ending in ["s", "x", "z", "ch", "sh"] where word.hasSuffix(ending) {
            return word + "es"
        }
        return word + "s"
    }

    /// Whether a word reads as a plural noun (`deals`, `people`), as opposed to a singular one.
    static func isPlural(_ word: String) -> Bool {
        if irregularSingulars[word] != nil { return true }
        return singular(word) != word
    }

    /// The plural of a snake_case name: only the last part is inflected.
    static func pluralName(_ name: String) -> String {
        var parts = name.split(separator: "_").map(String.init)
        guard let last = parts.popLast() else { return name }
        return (parts + [plural(last)]).joined(separator: "_")
    }

    /// A snake_case singular name from words: the last word is made singular.
    static func singularName(_ words: [String]) -> String {
        guard let last = words.last else { return "" }
        return snakeCase(Array(words.dropLast()) + [singular(last)])
    }

    /// Joins words into snake_case, dropping characters that cannot appear in a name.
    static func snakeCase(_ words: [String]) -> String {
        let joined = words.joined(separator: "_")
        var name = ""
        for character in joined {
            if character.isLetter && character.isASCII || character.isNumber && character.isASCII {
                name.append(character)
            } else if character == "_" || character == "-" || character == " " {
                if !name.isEmpty && !name.hasSuffix("_") { name.append("_") }
            }
        }
        while name.hasSuffix("_") { name.removeLast() }
        return name
    }

    /// Whether a name matches `^[a-z][a-z0-9_]*$`.
    static func isValidName(_ name: String) -> Bool {
        GuidedFormValidator.isValidName(name)
    }
}
