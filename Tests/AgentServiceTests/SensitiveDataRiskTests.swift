import Testing
@testable import AgentService
import Shared

/// The sensitive-data risk factors of `SecurityCompliance`, from descriptions through the whole
/// planning chain (architect → designer → security review): one factor per category, each naming
/// its fields, and one category with the personal data it implies reaching the approval threshold.
@Suite struct SensitiveDataRiskTests {
    @Test func governmentIdentifiersSalariesAndBankAccountsAreGated() throws {
        let risk = try assess("An HR system with employees and departments. Employees have a first name, a last name, a national insurance number, a passport number, a salary, a bank account number and a sort code, and belong to a department. HR managers manage everything.")
        #expect(risk.score >= SecurityCompliance.approvalThreshold)
        #expect(risk.level == "high")
        #expect(detail(risk, "government_id") == "government identifiers: employee.national_insurance_number, employee.passport_number")
        #expect(detail(risk, "financial_account") == "bank accounts and payment cards: employee.bank_account_number, employee.sort_code")
        #expect(detail(risk, "compensation") == "compensation: employee.salary")
        #expect(try #require(detail(risk, "pii_present")).contains("employee.sort_code"))
    }

    @Test(arguments: [
        ("government_id", "Employees have a name and a social security number."),
        ("financial_account", "Customers have a name, an email and a credit card number."),
        ("compensation", "Employees have a name, a job title and an hourly wage."),
        ("health_data", "Patients have a name, a diagnosis, medications with a dosage, and clinical notes."),
        ("biometric_data", "Visitors have a name and a fingerprint template."),
        ("children_data", "A kindergarten app. Children have a name, a date of birth and a group."),
        ("children_data", "A summer camp app. Campers have a name, an address and a cabin. Campers are children aged 8 to 12."),
        ("credentials", "Webhooks have a name, a url and a signing secret."),
    ])
    func eachCategoryWithItsPersonalDataReachesTheThreshold(factor: String, description: String) throws {
        let risk = try assess(description)
        let flag = try #require(risk.flags.first { $0.factor == factor }, "\(risk.flags.map(\.factor))")
        #expect(flag.weight == 50)
        #expect(flag.detail.contains("."), "the flag names entity.field: \(flag.detail)")
        #expect(risk.flags.contains { $0.factor == "pii_present" })
        #expect(risk.score >= 70, "\(risk.flags)")
    }

    @Test func everyCategoryIsAFactorWeightedToReachTheThresholdWithPersonalData() {
        for category in SensitiveDataCategory.allCases {
            let factor = SecurityCompliance.Factor(category)
            #expect(factor.rawValue == category.rawValue)
            #expect(SecurityCompliance.Factor.piiPresent.weight + factor.weight == SecurityCompliance.approvalThreshold)
        }
    }

    @Test func sensitiveFieldsArePersonalDataEncryptedAtRest() throws {
        let spec = try design("Employees have a name, a national insurance number, a salary and a bank account number. Patients have a diagnosis and medications.")
        let employee = try #require(spec.entity(named: "employee"))
        #expect(Set(employee.piiFields) == ["name", "national_insurance_number", "salary", "bank_account_number"])
        #expect(try #require(spec.entity(named: "patient")).piiFields.contains("diagnosis"))
        let plan = try SystemDesigner().design(DesignerInput(spec: spec))
        let migration = try #require(plan.migrations.first { $0.name == "create_employees" })
        #expect(migration.up.contains("salary bytea"))
    }

    @Test func anOrdinaryCRMStaysBelowTheThreshold() throws {
        let risk = try assess(ProductArchitectTests.crm)
        #expect(risk.flags.map(\.factor) == ["pii_present", "financial_data", "row_ownership_rules"])
        #expect(risk.score == 40)
    }

    @Test func onlyStatementsThatDropOrTruncateMakeAMigrationDestructive() throws {
        var plan = try SystemDesigner().design(DesignerInput(spec: design(ProductArchitectTests.crm)))
        #expect(plan.migrations[0].up.contains("BEFORE TRUNCATE"), "the audit log's trigger names TRUNCATE without truncating")
        let base = plan.migrations
        for (statement, destructive) in [("DROP TABLE notes;", true), ("SELECT 1; truncate deals;", true), ("ALTER TABLE deals DROP COLUMN stage;", true),
                                         ("CREATE TRIGGER t BEFORE TRUNCATE ON deals FOR EACH STATEMENT EXECUTE FUNCTION f();", false)] {
            plan.migrations = base + [PlannedMigration(version: 99, name: "change", up: statement, down: "")]
            let flags = SecurityCompliance().assess(plan, description: ProductArchitectTests.crm, targetRepository: nil).flags
            #expect(flags.contains { $0.factor == "destructive_migration" && $0.detail.contains("change") } == destructive, "\(statement)")
        }
    }

    @Test func aCompanysPhoneAndAnAuthorsNameAreNotPersonalData() throws {
        let spec = try design("Suppliers have a name, an email, a phone and a contact name. Books have a title, an isbn and an author name. Authors have a name, an email and a bio.")
        #expect(try #require(spec.entity(named: "supplier")).piiFields == ["contact_name"])
        #expect(try #require(spec.entity(named: "book")).piiFields.isEmpty)
        #expect(try #require(spec.entity(named: "author")).piiFields == ["email"])
    }

    @Test func aDateOfBirthIsPersonalDataHoweverItIsWritten() throws {
        let spec = try design("Members have a name, a dob, a birthday and a born on date. Guests have a birth date.")
        #expect(try #require(spec.entity(named: "member")).piiFields == ["name", "date_of_birth", "birthday", "born_on"])
        #expect(try #require(spec.entity(named: "guest")).piiFields == ["date_of_birth"])
        for name in ["birthdate", "patient_dob", "born_on", "dateOfBirth"] {
            #expect(PersonalDataRules.isPersonal(field: name, type: .date, entity: "visit", onPersonEntity: false), "\(name)")
        }
    }

    @Test func theScoreIsAPureFunctionOfThePlan() throws {
        let description = "Patients have a name, an nhs number, allergies and a blood type."
        #expect(try assess(description) == assess(description))
    }

    private func design(_ text: String) throws -> FormalSpec {
        try ProductArchitect().design(ArchitectInput(title: "App", description: text, mode: .freeform))
    }

    private func assess(_ text: String) throws -> RiskAssessment {
        let plan = try SystemDesigner().design(DesignerInput(spec: design(text)))
        return SecurityCompliance().assess(plan, description: text, targetRepository: nil)
    }

    private func detail(_ risk: RiskAssessment, _ factor: String) -> String? {
        risk.flags.first { $0.factor == factor }?.detail
    }
}
