import Testing
@testable import AgentService
import Shared

/// `SensitiveDataClassifier`: each category from the structure of field names in the context of
/// their entity, and what context rules out.
@Suite struct SensitiveDataClassifierTests {
    @Test(arguments: [
        ("employee", "ssn"), ("employee", "social_security_number"), ("employee", "national_insurance_number"),
        ("employee", "ni_no"), ("employee", "passport_no"), ("passport", "number"), ("driver", "driving_licence_number"),
        ("employee", "tax_id"), ("contractor", "tin"), ("employee", "taxIdentificationNumber"), ("customer", "national_id"),
    ])
    func governmentIdentifiers(entity: String, field: String) {
        #expect(category(field, on: entity) == .governmentID)
    }

    @Test func aCompanysTaxNumberIsNotAPersonsGovernmentIdentifier() {
        #expect(category("tax_id", on: "company") == nil)
        #expect(category("ein", on: "supplier") == nil)
    }

    @Test(arguments: [
        ("employee", "iban"), ("employee", "bank_account_number"), ("customer", "acct_no"), ("employee", "routing_number"),
        ("employee", "sort_code"), ("customer", "card_number"), ("customer", "credit_card"), ("payment", "cvv"),
        ("bank_account", "number"), ("supplier", "iban"), ("customer", "pan"),
    ])
    func bankAccountsAndCards(entity: String, field: String) {
        #expect(category(field, on: entity) == .financialAccount)
    }

    @Test(arguments: [
        ("employee", "salary", FieldType.money), ("employee", "hourly_wage", .money), ("employee", "pay_rate", .decimal),
        ("employee", "annual_bonus", .money), ("staff_member", "compensation", .money), ("employee", "monthlyPay", .money),
    ])
    func compensationOfPeople(entity: String, field: String, type: FieldType) {
        #expect(category(field, type: type, on: entity) == .compensation)
    }

    @Test func payRecordsAboutAPersonAreCompensationAndAJobAdsSalaryIsNot() {
        let payslip = EntitySpec(name: "payslip", plural: "payslips", fields: [
            FieldSpec(name: "employee", type: .reference, references: "employee"), FieldSpec(name: "net_pay", type: .money),
        ])
        let employee = EntitySpec(name: "employee", plural: "employees", fields: [FieldSpec(name: "name", type: .string)])
        let classifier = SensitiveDataClassifier(entities: [employee, payslip], roleNames: [])
        #expect(classifier.category(of: FieldSpec(name: "net_pay", type: .money), in: "payslip") == .compensation)
        #expect(category("salary", type: .money, on: "job_posting") == nil)
        #expect(category("annual_income", type: .money, on: "company") == nil)
    }

    @Test(arguments: [
        ("patient", "diagnosis", FieldType.text), ("patient", "diagnoses", .text), ("patient", "medications", .text),
        ("prescription", "dosage", .string), ("prescription", "dose_mg", .decimal), ("patient", "clinical_notes", .text),
        ("patient", "allergies", .text), ("patient", "blood_type", .string), ("patient", "medical_history", .text),
        ("diagnosis", "description", .text), ("prescription", "notes", .text), ("patient", "condition", .string),
    ])
    func healthData(entity: String, field: String, type: FieldType) {
        #expect(category(field, type: type, on: entity) == .health)
    }

    @Test func aCatalogueOfDrugsAndAUsedCarsConditionAreNotHealthData() {
        #expect(category("name", on: "medication") == nil)
        #expect(category("drug_name", on: "product") == nil)
        #expect(category("condition", on: "vehicle") == nil)
        #expect(category("treatment", on: "spa_service") == nil)
    }

    @Test(arguments: [("employee", "fingerprint"), ("member", "face_template"), ("user", "facial_scan"), ("patient", "dna_sample"), ("visitor", "iris_scan")])
    func biometricData(entity: String, field: String) {
        #expect(category(field, on: entity) == .biometric)
    }

    @Test(arguments: [("user", "password"), ("user", "password_hash"), ("integration", "api_key"), ("integration", "client_secret"), ("customer", "pin"), ("webhook", "signing_secret"), ("user", "access_token"), ("user", "pwd")])
    func credentials(entity: String, field: String) {
        #expect(category(field, on: entity) == .credentials)
    }

    @Test func whenAPasswordChangedIsNotASecret() {
        #expect(category("password_changed_at", type: .datetime, on: "user") == nil)
        #expect(category("keyboard", on: "desk") == nil)
    }

    @Test func childrensPersonalDataByEntityNameOrDescription() {
        let child = EntitySpec(name: "child", plural: "children", fields: [FieldSpec(name: "name", type: .string, pii: true), FieldSpec(name: "shoe_size", type: .int)])
        let student = EntitySpec(name: "student", plural: "students", fields: [FieldSpec(name: "name", type: .string, pii: true)])
        let parent = EntitySpec(name: "parent", plural: "parents", fields: [FieldSpec(name: "name", type: .string, pii: true)])
        let said = SensitiveDataClassifier(entities: [child, student, parent], roleNames: [], description: "A nursery app. Students under 16 take courses; parents register their children.")
        #expect(said.category(of: child.fields[0], in: "child") == .children)
        #expect(said.category(of: child.fields[1], in: "child") == nil)
        #expect(said.category(of: student.fields[0], in: "student") == .children)
        #expect(said.category(of: parent.fields[0], in: "parent") == nil)
        let unsaid = SensitiveDataClassifier(entities: [student], roleNames: [], description: "University students aged 18 to 25 enrol in courses.")
        #expect(unsaid.category(of: student.fields[0], in: "student") == nil)
    }

    @Test(arguments: ["pupils aged 8 to 11", "campers are children", "players younger than 13", "members who are minors"])
    func descriptionsThatSayAnEntityIsChildren(sentence: String) {
        let names = ["pupil", "camper", "player", "member"]
        #expect(!ChildrenStatements.entities(in: sentence, names: names).isEmpty, "\(sentence)")
    }

    @Test(arguments: [("contact", "phone"), ("company", "name"), ("customer", "email"), ("order", "total"), ("book", "isbn"), ("employee", "hire_date"), ("employee", "employee_number")])
    func ordinaryFieldsHaveNoCategory(entity: String, field: String) {
        #expect(category(field, on: entity) == nil)
    }

    @Test func namesAreCutAtUnderscoresAndCapitals() {
        #expect(SensitiveDataClassifier.words("bankAccountNo") == ["bank", "account", "number"])
        #expect(SensitiveDataClassifier.words("patient_DOB") == ["patient", "date", "of", "birth"])
        #expect(SensitiveDataClassifier.words("salaries") == ["salary"])
    }

    private func category(_ field: String, type: FieldType = .string, on entity: String) -> SensitiveDataCategory? {
        let spec = EntitySpec(name: entity, plural: entity + "s", fields: [FieldSpec(name: field, type: type)])
        return SensitiveDataClassifier(entities: [spec], roleNames: []).category(of: spec.fields[0], in: entity)
    }
}
