/// A kind of sensitive data whose presence alone makes a plan worth a human's approval. Each
/// category is a risk factor of `SecurityCompliance` (its raw value is the factor's name), and a
/// field of any category is personal data (encrypted at rest in the generated app).
enum SensitiveDataCategory: String, CaseIterable, Sendable {
    /// Social security, national insurance, passport, driving licence and tax numbers.
    case governmentID = "government_id"
    /// Bank accounts (IBAN, account, routing and sort codes) and payment cards (number, CVV).
    case financialAccount = "financial_account"
    /// Salaries, wages, pay rates, bonuses.
    case compensation
    /// Diagnoses, medications and dosages, clinical notes, allergies, blood types.
    case health = "health_data"
    /// Fingerprints, face and iris templates, voice prints, genetic data.
    case biometric = "biometric_data"
    /// Personal data of children and minors.
    case children = "children_data"
    /// Passwords, PINs, API keys, tokens, secrets.
    case credentials

    /// The words a person would use for the category, in the flag's detail.
    var label: String {
        switch self {
        case .governmentID: "government identifiers"
        case .financialAccount: "bank accounts and payment cards"
        case .compensation: "compensation"
        case .health: "health and medical data"
        case .biometric: "biometric data"
        case .children: "children's personal data"
        case .credentials: "credentials and secrets"
        }
    }

    /// Phrases of the category, as normalised name tokens (see `SensitiveDataClassifier`): a
    /// field whose name (or, for a generic name like `number`, its entity's name followed by its
    /// own) contains one of them in order belongs to the category. Children's data is decided by
    /// the entity, not by phrases.
    var phrases: [[String]] {
        let text: [String] = switch self {
        case .governmentID:
            ["ssn", "social security", "social insurance", "national insurance", "nino", "ni number", "national id",
             "national identity", "identity card", "identity number", "id card", "passport", "driver license",
             "driving license", "tax id", "tax identification", "tax number", "tax file number", "taxpayer id",
             "tin", "ein", "itin", "aadhaar", "voter id", "residence permit", "visa number", "medicare number", "nhs number",
             "licence number", "license number", "driving licence", "provisional licence", "id number", "utr",
             "unique taxpayer reference", "dbs", "right to work", "work permit"]
        case .financialAccount:
            ["iban", "bic", "swift code", "bank account", "account number", "bank details", "routing number", "routing code",
             "aba number", "sort code", "bsb", "card number", "credit card", "debit card", "payment card", "pan",
             "cvv", "cvc", "cvv2", "card verification", "card security code", "card expiry"]
        case .compensation:
            ["salary", "wage", "compensation", "remuneration", "stipend", "bonus", "payroll", "earnings", "income",
             "pay rate", "rate of pay", "pay grade", "pay band", "pay scale", "hourly rate", "day rate", "base pay",
             "gross pay", "net pay", "annual pay", "monthly pay", "overtime pay", "commission rate"]
        case .health:
            ["diagnosis", "diagnose", "medication", "medicine", "prescription", "prescribe", "dosage", "dose", "drug",
             "clinical", "medical", "allergy", "blood type", "blood group", "symptom", "treatment", "therapy",
             "vaccination", "vaccine", "immunization", "disability", "mental health", "health record", "health condition", "health history",
             "health insurance", "health data", "health information", "condition", "health note", "health notes",
             "care plan", "dietary requirement", "dietary need", "special educational need", "sen",
             "icd", "mrn", "lab result", "test result", "pregnancy", "surgery", "illness", "disease", "injury",
             "pain score", "pain level", "pain scale"]
        case .biometric:
            ["biometric", "fingerprint", "finger print", "thumbprint", "face scan", "face id", "face template",
             "face encoding", "face geometry", "face recognition", "facial", "retina", "iris scan", "iris template",
             "voiceprint", "voice print", "palm print", "palm vein", "hand geometry", "dna", "genetic", "genome"]
        case .children:
            []
        case .credentials:
            ["password", "passcode", "passphrase", "secret", "credential", "api key", "private key", "secret key",
             "access key", "signing key", "encryption key", "token", "pin", "otp", "mfa secret", "totp",
             "recovery code", "security answer", "client secret"]
        }
        return text.map { $0.split(separator: " ").map(String.init) }
    }
}
