import Shared

/// Which fields hold personal data (PII): encrypted at rest and redacted from logs.
///
/// 1. Not on an organisation (`company`, `supplier`, `shop` …) or an animal (`pet`, `horse` …): its
///    name, e-mail, phone and address are the business's, unless the field names a person
///    (`contact_name`, `owner_email`); nor a business's contact field (`office_phone`, `billing_email`).
/// 2. Not the name under which a work is published: `author_name`, an `author`'s or `artist`'s `name`.
/// 3. `email` and `phone` fields, and dates of birth (`date_of_birth`, `dob`, `birthday`, `born_on`).
/// 4. Names that are personal wherever they appear (`first_name`, `gender`, `ip_address`, …).
/// 5. On entities that are people (`contact`, `patient`, `employee`, a role's own entity …):
///    `name`, `address` (and any `…_address`), `photo`, … .
/// 6. `<person>_name` anywhere (`customer_name`, `contact_name`), and a number that identifies a
///    person (`student_number`, `staff_number`).
/// Fields of a `SensitiveDataCategory` (government identifiers, bank accounts, pay, health …) are
/// PII as well; `SpecAssembler` adds them with `SensitiveDataClassifier`.
/// An explicit `pii: true` always counts; `pii: false` is honoured except for e-mail and phone
/// fields these rules find personal, and for sensitive fields.
enum PersonalDataRules {
    /// Field names that are personal data on any entity.
    static let alwaysPersonal: Set<String> = [
        "first_name", "last_name", "middle_name", "maiden_name", "surname", "given_name",
        "family_name", "full_name", "ip_address", "home_address", "personal_email", "gender",
        "ethnicity", "religion", "insurance_number", "emergency_contact", "sexual_orientation",
        "political_opinion", "trade_union_membership",
    ]

    /// Field names that are personal data on entities that are people.
    static let personalOnPeople: Set<String> = [
        "name", "display_name", "nickname", "address", "street", "street_address", "postal_code",
        "zip", "zip_code", "postcode", "photo", "avatar", "nationality", "marital_status", "age",
        "notes", "home_phone", "city",
    ]

    /// Field names that mark an entity as people.
    static let personFieldNames: Set<String> = ["first_name", "last_name", "full_name", "date_of_birth", "ssn"]

    /// People whose name is published with their work: a public attribution, not personal data.
    static let attributionNouns: Set<String> = [
        "author", "writer", "artist", "composer", "illustrator", "photographer", "publisher",
        "performer", "singer", "band", "poet", "translator", "narrator", "creator", "songwriter",
    ]

    /// Animals: their names and dates of birth are no one's personal data.
    static let animalNouns: Set<String> = [
        "pet", "animal", "dog", "cat", "horse", "pony", "rabbit", "puppy", "kitten", "bird", "parrot", "cow",
        "sheep", "goat", "pig", "hen", "chicken", "livestock", "hive", "colony", "fish", "reptile", "foal", "calf",
    ]

    /// First words of a contact field that make it a business's ("office phone", "billing email").
    static let businessContactWords: Set<String> = ["office", "business", "company", "billing", "corporate", "switchboard", "head", "main", "general", "support", "export", "trade"]

    /// Whether a field of an entity is personal data.
    static func isPersonal(field: String, type: FieldType, entity: String, onPersonEntity: Bool) -> Bool {
        let words = SensitiveDataClassifier.words(field)
        let entityNoun = entity.split(separator: "_").last.map(String.init) ?? entity
        let namesPerson = words.dropLast().contains(where: isPersonNoun)
        if SensitiveDataClassifier.organisationNouns.contains(entityNoun) || animalNouns.contains(entityNoun), !namesPerson { return false }
        if words.count >= 2, let first = words.first, businessContactWords.contains(first), !namesPerson { return false }
        let attributed = words.count == 1 ? attributionNouns.contains(entityNoun) : words.dropLast().contains(where: attributionNouns.contains)
        if words.last == "name", attributed { return false }
        if type.isPIIByNature || words.contains("birth") || words.contains("born") || alwaysPersonal.contains(field) { return true }
        if onPersonEntity, personalOnPeople.contains(field) || words.last == "address" { return true }
        if words.count >= 2, words.last == "address", words.first.map(residentialAddressWords.contains) == true { return true }
        if words.contains("person") || words.contains("kin") { return true }
        return words.count >= 2 && namesPerson && (words.last == "name" || personIdentifierWords.contains(words.last ?? ""))
    }

    /// Last words of a number that identifies a person ("student number", "staff id").
    static let personIdentifierWords: Set<String> = ["number", "id", "no", "identifier"]

    /// First words of an address where a person is found ("delivery address", "pickup address").
    static let residentialAddressWords: Set<String> = [
        "home", "delivery", "pickup", "collection", "dropoff", "postal", "from", "to", "residential",
        "correspondence", "shipping", "mailing", "forwarding", "previous", "current",
    ]

    /// Whether an entity's rows are people: by archetype, by name, by being a role, or by its fields.
    static func isPersonEntity(name: String, fieldNames: [String], roleNames: [String]) -> Bool {
        if let last = name.split(separator: "_").last, animalNouns.contains(String(last)) { return false }
        if roleNames.contains(name) || EntityArchetypes.archetype(named: name)?.isPerson == true { return true }
        if let last = name.split(separator: "_").last, isPersonNoun(String(last)) { return true }
        return fieldNames.contains(where: personFieldNames.contains)
    }

    /// Whether a noun names people: a person word, a child noun, a noun of what people do
    /// ("gardener", "adjuster"), or a person archetype.
    static func isPersonNoun(_ word: String) -> Bool {
        if ArchitectLexicon.personWords.contains(word) || SensitiveDataClassifier.childNouns.contains(word) { return true }
        if ArchitectLexicon.isAgentNoun(word) || ArchitectLexicon.otherPersonNouns.contains(word) { return true }
        return EntityArchetypes.archetype(named: word)?.isPerson ?? false
    }
}
