import Shared

/// Which fields hold personal data (PII): encrypted at rest and redacted from logs.
///
/// 1. `email` and `phone` fields always.
/// 2. Names that are personal wherever they appear (`first_name`, `date_of_birth`, `ssn`, …).
/// 3. On entities that are people (`contact`, `patient`, `employee`, a role's own entity …):
///    `name`, `address` (and any `…_address`), `salary`, … .
/// 4. `<person>_name` anywhere (`author_name`, `customer_name`).
/// An explicit `pii: true` always counts; `pii: false` is honoured except for email and phone.
enum PersonalDataRules {
    /// Field names that are personal data on any entity.
    static let alwaysPersonal: Set<String> = [
        "first_name", "last_name", "middle_name", "maiden_name", "surname", "given_name",
        "family_name", "full_name", "date_of_birth", "dob", "birth_date", "birthday", "birthdate",
        "ssn", "social_security_number", "national_id", "national_insurance_number", "passport",
        "passport_number", "driver_license", "drivers_license", "driving_licence", "ip_address",
        "credit_card", "credit_card_number", "card_number", "iban", "bank_account",
        "bank_account_number", "home_address", "personal_email", "gender", "ethnicity", "religion",
        "diagnosis", "medical_history", "allergies", "medications", "blood_type",
        "insurance_number", "health_insurance_number", "emergency_contact", "tax_id_number",
        "sexual_orientation", "biometrics", "medical_record_number", "mrn",
    ]

    /// Field names that are personal data on entities that are people.
    static let personalOnPeople: Set<String> = [
        "name", "display_name", "nickname", "address", "street", "street_address", "postal_code",
        "zip", "zip_code", "postcode", "salary", "wage", "photo", "avatar", "nationality",
        "marital_status", "age", "notes", "home_phone", "city",
    ]

    /// Field names that mark an entity as people.
    static let personFieldNames: Set<String> = ["first_name", "last_name", "full_name", "date_of_birth", "ssn"]

    /// Whether a field is personal data.
    static func isPersonal(field: String, type: FieldType, onPersonEntity: Bool) -> Bool {
        if type.isPIIByNature || alwaysPersonal.contains(field) { return true }
        if onPersonEntity, personalOnPeople.contains(field) { return true }
        let parts = field.split(separator: "_").map(String.init)
        if onPersonEntity, parts.last == "address" { return true }
        if parts.count >= 2, parts.last == "name", isPersonNoun(parts[parts.count - 2]) { return true }
        return false
    }

    /// Whether an entity's rows are people: by archetype, by name, by being a role, or by its fields.
    static func isPersonEntity(name: String, fieldNames: [String], roleNames: [String]) -> Bool {
        if roleNames.contains(name) { return true }
        if let last = name.split(separator: "_").last, isPersonNoun(String(last)) { return true }
        return fieldNames.contains(where: personFieldNames.contains)
    }

    /// Whether a noun names people: a person word or a person archetype.
    static func isPersonNoun(_ word: String) -> Bool {
        if ArchitectLexicon.personWords.contains(word) { return true }
        return EntityArchetypes.archetype(named: word)?.isPerson ?? false
    }
}
