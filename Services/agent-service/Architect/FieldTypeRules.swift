import Shared

/// Field names and types from words: "email address" → `email` (email), "a start datetime" →
/// `start_at` (datetime), "price" → money, "is_active" → bool. The rules are listed in
/// `docs/architect.md`; the first that matches wins.
enum FieldTypeRules {
    /// Words whose presence anywhere in a name makes it money.
    static let moneyWords: Set<String> = [
        "amount", "price", "total", "subtotal", "cost", "costs", "salary", "budget", "fee", "fees",
        "revenue", "balance", "wage", "wages", "tax", "income", "deposit", "pay", "rent", "refund",
        "spend", "spending", "payout", "premium", "invoiced", "money", "quote", "estimate", "principal",
        "excess", "charge", "fare", "earnings", "repayment", "instalment", "installment", "bonus", "allowance",
        "reimbursement",
    ]
    /// Words that make a name an integer (as the last word, or anywhere after "number of").
    static let intWords: Set<String> = [
        "quantity", "qty", "count", "age", "capacity", "seats", "stock", "guests", "headcount",
        "year", "minutes", "duration", "rank", "rating", "floor", "units", "points",
        "views", "likes", "attendees", "participants", "beds", "rooms", "copies", "pages",
        "seconds", "days", "weeks", "months", "years", "nights", "mileage", "spaces", "sold", "ibu",
        "odometer", "places", "plants", "workers", "travellers", "travelers", "tickets", "faults", "mins",
    ]
    /// Groups of people or things whose "size" is a count ("party size", "class size").
    static let groupWords: Set<String> = ["party", "group", "team", "class", "household", "family", "crew", "batch", "herd", "flock"]
    /// Last words of names that identify or classify, never amounts ("cost centre", "tax code").
    static let identifierWords: Set<String> = ["centre", "center", "code", "type", "category", "number", "id", "reference", "method", "frequency", "status", "account"]

    /// Units of measure: a field written with one ("weight in kg", "length in metres") holds a
    /// decimal, except units counted whole.
    static let measureUnits: Set<String> = [
        "kg", "kgs", "kilograms", "kilos", "g", "grams", "mg", "milligrams", "ml", "millilitres", "milliliters",
        "l", "litres", "liters", "hectolitres", "microlitres", "cl", "m", "metres", "meters", "cm", "centimetres",
        "centimeters", "mm", "millimetres", "km", "kilometres", "kilometers", "miles", "feet", "ft", "inches",
        "square", "sq", "cubic", "m2", "m3", "celsius", "degrees", "percent", "lbs", "pounds", "oz", "tonnes", "tons",
        "kw", "kwh", "watts", "kilowatts", "mw", "mwh", "volts", "amps", "hp", "bhp",
    ]
    /// Units counted whole: a field in these is an integer ("width in pixels", "mileage in km").
    static let wholeUnits: Set<String> = ["pixels", "px", "points", "pages", "items", "units", "pieces"]

    /// Last words that make a name a decimal.
    static let decimalWords: Set<String> = [
        "rate", "percentage", "percent", "weight", "height", "width", "length", "latitude",
        "longitude", "lat", "lng", "ratio", "score", "temperature", "distance", "hours", "size_cm",
        "volume", "beam", "strength", "dosage", "dose", "gravity", "abv", "area", "humidity", "depth", "draft", "setpoint",
    ]
    /// Last words that make a name long text.
    static let textWords: Set<String> = [
        "description", "notes", "note", "body", "content", "contents", "comment", "comments",
        "summary", "bio", "biography", "details", "message", "instructions", "reason", "feedback",
        "remarks", "symptoms", "diagnosis", "history", "text", "answer", "requirements", "agenda",
        "abstract", "excerpt", "terms", "explanation", "justification", "resolution", "treatment",
        "caption", "directions", "allergies", "observation", "observations", "narrative",
    ]
    /// Last words that make a name a boolean.
    static let boolWords: Set<String> = [
        "active", "paid", "enabled", "disabled", "archived", "verified", "published", "completed",
        "done", "approved", "confirmed", "available", "featured", "visible", "billable", "public",
        "locked", "flagged", "pinned", "vip", "subscribed", "taxable", "refundable", "flag",
        "checked", "signed", "cancelled", "canceled", "urgent", "remote", "recurring",
    ]
    /// Last words of enum-like names, which get default values when none are written.
    static let enumDefaults: [String: [String]] = [
        "status": ["active", "inactive"],
        "state": ["active", "inactive"],
        "stage": ["new", "in_progress", "done"],
        "priority": ["low", "medium", "high"],
        "severity": ["low", "medium", "high", "critical"],
        "phase": ["planning", "execution", "closed"],
    ]
    /// Phrases written in place of a canonical field name.
    static let canonicalPhrases: [([String], [String])] = [
        (["email", "address"], ["email"]), (["mail", "address"], ["email"]),
        (["phone", "number"], ["phone"]), (["telephone", "number"], ["phone"]),
        (["telephone"], ["phone"]), (["tel"], ["phone"]), (["mobile", "number"], ["mobile"]),
        (["mobile", "phone"], ["mobile"]), (["cell", "phone"], ["mobile"]), (["cell", "number"], ["mobile"]),
        (["birth", "date"], ["date", "of", "birth"]), (["birthdate"], ["date", "of", "birth"]),
        (["dob"], ["date", "of", "birth"]), (["stock", "keeping", "unit"], ["sku"]),
        (["social", "security", "number"], ["ssn"]), (["e", "mail"], ["email"]),
    ]

    /// Words dropped after "whether" ("whether it is fragile" → `fragile`, a bool).
    static let questionFillers: Set<String> = ["it", "they", "he", "she", "the", "a", "an", "is", "are", "was", "were", "has", "have", "been", "there", "we", "you"]

    /// A field name and, when written, its type from the words of a phrase.
    static func field(from words: [String]) -> (name: String, type: FieldType?) {
        var words = canonical(words)
        var type: FieldType?
        if words.count > 2, words.last == "date" && words[words.count - 2] == "on" || words.last == "time" && words[words.count - 2] == "at" {
            words.removeLast()
        }
        if let of = words.firstIndex(of: "of"), of > 0, textWords.contains(words[of - 1]) {
            words = Array(words[..<of])
        }
        if let scale = scaleStart(words) {
            words = Array(words[..<scale]) // "pain score 0-10", "a score out of 10": whole points on a scale
            type = .int
        }
        if words.count > 1, let last = words.last, last.count > 1, let measured = measuredType(unit: last, name: words.joined(separator: "_")) {
            words.removeLast()
            type = measured
        }
        if let first = words.first, first == "whether" || first == "if", words.count > 1 {
            words = Array(words.dropFirst().drop(while: questionFillers.contains))
            type = .bool
        }
        if let last = words.last, words.count > 1 {
            switch last {
            case "datetime", "timestamp":
                words.removeLast()
                if words.last != "at" { words.append("at") }
                type = .datetime
            case "flag", "boolean", "bool", "checkbox":
                words.removeLast()
                type = .bool
            case "field":
                words.removeLast()
            default:
                break
            }
        }
        return (EnglishInflection.snakeCase(words), type)
    }

    /// Where a scale of whole numbers starts after a field's name ("0-10", "1 to 5", "out of
    /// 100"), if one ends the words.
    static func scaleStart(_ words: [String]) -> Int? {
        guard words.count > 1, let last = words.last, isWholeNumberRange(last) || last.allSatisfy(\.isNumber) else { return nil }
        if isWholeNumberRange(last) { return words.count - 1 }
        let count = words.count
        if count > 3, words[count - 3] == "out", words[count - 2] == "of" { return count - 3 }
        if count > 3, words[count - 2] == "to", words[count - 3].allSatisfy(\.isNumber) { return count - 3 }
        return nil
    }

    /// Whether a word is a range of whole numbers ("0-10", "1-5").
    static func isWholeNumberRange(_ word: String) -> Bool {
        let ends = word.split(separator: "-")
        return ends.count == 2 && ends.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }

    /// The words with canonical phrases substituted.
    static func canonical(_ words: [String]) -> [String] {
        var words = words
        for (phrase, replacement) in canonicalPhrases {
            guard words.count >= phrase.count else { continue }
            for start in 0...(words.count - phrase.count) where Array(words[start..<(start + phrase.count)]) == phrase {
                words.replaceSubrange(start..<(start + phrase.count), with: replacement)
                break
            }
        }
        return words
    }

    /// The type a snake_case field name suggests.
    static func type(forName name: String) -> FieldType {
        let parts = name.split(separator: "_").map(String.init)
        guard let last = parts.last, let first = parts.first else { return .string }
        if parts.count > 1, ["is", "has", "can", "allow", "allows", "needs", "requires"].contains(first) { return .bool }
        if last == "at" || ["datetime", "timestamp", "time"].contains(last) || parts.contains("scheduled")
            || ["start", "end", "starts", "ends", "check_in", "check_out"].contains(name) { return .datetime }
        if ["date", "birthday", "dob", "deadline", "due", "birthdate", "on"].contains(last) || parts.contains("birth")
            || parts.contains("due") { return .date }
        if parts.contains("email") { return .email }
        if parts.contains(where: { ["phone", "mobile", "telephone", "fax", "cell"].contains($0) }) { return .phone }
        if ["until", "expiry", "expires"].contains(last) { return .date }
        if intWords.contains(last) || name.hasPrefix("number_of") || name.hasPrefix("num_of") || name.hasPrefix("count_of") { return .int }
        if parts.contains("year") || name == "number" || name == "version_number" { return .int }
        if parts.count > 1, intWords.contains(first) || ["available", "left", "remaining"].contains(last) && parts.contains(where: intWords.contains) { return .int }
        if last == "size", parts.contains(where: groupWords.contains) { return .int }
        if last == "level", parts.contains(where: { ["stock", "reorder", "inventory"].contains($0) }) { return .int }
        if last == "rate", parts.contains(where: { ["hourly", "daily", "nightly", "day", "weekly", "monthly", "per", "night", "hour"].contains($0) }) { return .money }
        if decimalWords.contains(last) || parts.count > 1 && ["percentage", "percent"].contains(first) { return .decimal } // "percentage mark"
        if parts.contains(where: moneyWords.contains), !identifierWords.contains(last) { return .money }
        if textWords.contains(last) || last == "letter" && parts.count > 1 && ["cover", "motivation", "covering"].contains(parts[parts.count - 2]) || parts.firstIndex(of: "of").map({ $0 > 0 && textWords.contains(parts[$0 - 1]) }) == true { return .text }
        if boolWords.contains(last) { return .bool }
        if enumDefaults[last] != nil { return .enum }
        return .string
    }

    /// A type named by a hint in parentheses or a trailing word: "(date)", "(yes/no)", "(number)".
    static func hintedType(_ parts: [[String]]) -> FieldType? {
        let flat = parts.map { $0.joined(separator: " ") }
        if Set(flat) == ["yes", "no"] || Set(flat) == ["true", "false"] { return .bool }
        guard flat.count == 1 else { return nil }
        if let unit = measuredType(unit: flat[0], name: "") { return unit }
        switch flat[0] {
        case "date": return .date
        case "datetime", "timestamp", "date and time", "time": return .datetime
        case "money", "currency", "price": return .money
        case "number", "integer", "int", "count", "whole number": return .int
        case "decimal", "float", "percentage", "percent": return .decimal
        case "text", "long text", "paragraph", "free text": return .text
        case "string", "short text": return .string
        case "boolean", "bool", "checkbox", "flag": return .bool
        case "email": return .email
        case "phone", "phone number": return .phone
        default: return nil
        }
    }

    /// The type of a field measured in a unit: whole units and distances on a counter
    /// ("mileage in km") are integers, other units decimals; nil when the word is no unit.
    static func measuredType(unit: String, name: String) -> FieldType? {
        if wholeUnits.contains(unit) { return .int }
        guard measureUnits.contains(unit) else { return nil }
        return ["mileage", "odometer"].contains(where: name.hasPrefix) ? .int : .decimal
    }

    /// Default values for an enum-like name written without values.
    static func defaultValues(forName name: String) -> [String]? {
        guard let last = name.split(separator: "_").last else { return nil }
        return enumDefaults[String(last)]
    }
}
