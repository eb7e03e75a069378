import Testing
@testable import AgentService
import Shared

/// Personal data stated in words: sentences that say which data is personal mark those fields PII.
@Suite struct PersonalDataStatementTests {
    @Test func contactDetailsOfAnEntityArePersonalData() throws {
        let spec = try design("A clinic with suppliers and patients. Suppliers have a name, a phone and an address. Patients have a name, a phone, an address and a room number. Patients' contact details are personal data.")
        #expect(spec.entities.map(\.name) == ["supplier", "patient"])
        #expect(try entity(spec, "patient").piiFields == ["name", "phone", "address"])
        #expect(try entity(spec, "supplier").piiFields.isEmpty)
    }

    @Test(arguments: [
        "Treat supplier contact details as confidential.",
        "Supplier contact details must be kept private.",
        "The contact details of suppliers are sensitive.",
        "Contact information of suppliers counts as personal data.",
    ])
    func phrasingsOfPersonalData(sentence: String) throws {
        let spec = try design("Suppliers have a name, an email, a phone, an address and a rating. " + sentence)
        #expect(try entity(spec, "supplier").piiFields == ["name", "email", "phone", "address"], "\(sentence)")
        #expect(spec.entities.map(\.name) == ["supplier"], "\(sentence)")
    }

    @Test func fieldsNamedWithoutAnEntityAreMarkedOnEveryEntity() throws {
        let spec = try design("Projects have a title and a budget. Contractors have a name, a day rate and a number of dependants. Budgets and day rates are confidential. The numbers of dependants are private.")
        #expect(try entity(spec, "project").piiFields == ["budget"])
        #expect(try entity(spec, "contractor").piiFields == ["name", "day_rate", "number_of_dependants"])
    }

    @Test func anEntitysDataInGeneralMarksAllItsOwnFields() throws {
        let spec = try design("Cases have a title, a summary and a status (open, closed), and belong to a client. Treat case records as sensitive.")
        #expect(try entity(spec, "case").piiFields == ["title", "summary", "status"])
    }

    @Test func sayingDataIsNotPersonalUnmarksIt() throws {
        let spec = try design("Members have a name, an email and a nickname. Nicknames are not personal data.")
        #expect(try entity(spec, "member").piiFields == ["name", "email"])
    }

    @Test(arguments: [
        "Tasks are assigned to members and private notes are kept apart.",
        "Notes are private to their author.",
        "Each employee has a personal email.",
    ])
    func sentencesThatAreNotStatements(sentence: String) {
        let words = DescriptionTokenizer().sentences(sentence).first?.words ?? []
        #expect(PersonalDataStatement.statement(words) == nil, "\(sentence)")
    }

    private func design(_ text: String) throws -> FormalSpec {
        try ProductArchitect().design(ArchitectInput(title: "App", description: text, mode: .freeform))
    }

    private func entity(_ spec: FormalSpec, _ name: String) throws -> EntitySpec {
        try #require(spec.entity(named: name), "no entity \(name) in \(spec.entities.map(\.name))")
    }
}
