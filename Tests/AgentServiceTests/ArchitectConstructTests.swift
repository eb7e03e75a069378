import Testing
@testable import AgentService
import Shared

/// One test per construct the Product Architect reads (issue #13), each in words of its own —
/// the corpus (`ArchitectCorpusTests`) measures them together over other texts.
@Suite struct ArchitectConstructTests {
    private func design(_ text: String) throws -> FormalSpec {
        try ProductArchitect().design(ArchitectInput(title: "Construct", description: text, mode: .freeform))
    }

    /// The fields the text gave an entity (inferred ones, such as a default owner, left out).
    private func fields(_ spec: FormalSpec, _ entity: String) -> [String: FieldType] {
        Dictionary(uniqueKeysWithValues: (spec.entity(named: entity)?.fields ?? []).filter { !$0.inferred }.map { ($0.name, $0.type) })
    }

    private func permission(_ spec: FormalSpec, _ role: String, _ entity: String) -> [RoleSpec.Permission] {
        spec.roles.first { $0.name == role }?.permissions.filter { $0.entity == entity } ?? []
    }

    @Test func severalEntitiesWithParenthesisedFieldsInOneSentence() throws {
        let spec = try design("Owners (name, mobile, email) keep horses (name, breed, height in hands, foaled on).")
        #expect(spec.entities.map(\.name) == ["owner", "horse"])
        #expect(fields(spec, "owner") == ["name": .string, "mobile": .phone, "email": .email])
        #expect(fields(spec, "horse")["foaled_on"] == .date)
        #expect(spec.relations.map { "\($0.from)→\($0.to)" } == ["owner→horse"])
    }

    @Test func aColonListAfterTheSystemNounIsTheEntityList() throws {
        let spec = try design("A kayak hire kiosk: kayaks (colour, seats, hourly price), paddlers (name, email), hires (kayak, paddler, out at, back at).")
        #expect(spec.entities.map(\.name).sorted() == ["hire", "kayak", "paddler"])
        #expect(fields(spec, "kayak") == ["colour": .string, "seats": .int, "hourly_price": .money])
        #expect(fields(spec, "hire")["out_at"] == .datetime)
        #expect(fields(spec, "hire")["kayak"] == .reference && fields(spec, "hire")["paddler"] == .reference)
    }

    @Test func verbsOfRecordingListFieldsAndReferences() throws {
        let spec = try design("Crates have a label. Weighings record the crate, a gross weight in kg, a note and weighed at.")
        let weighing = fields(spec, "weighing")
        #expect(weighing["crate"] == .reference)
        #expect(weighing["gross_weight"] == .decimal && weighing["weighed_at"] == .datetime && weighing["note"] == .text)
        #expect(spec.entity(named: "crate") != nil && spec.entities.count == 2)
    }

    @Test func verbsOfLinkingMakeReferencesAndKeepTheFieldsWithTheSubject() throws {
        let spec = try design("Fittings connect a tailor to a client at a date and time, with a fee and notes.")
        let fitting = fields(spec, "fitting")
        #expect(fitting["tailor"] == .reference && fitting["client"] == .reference)
        #expect(fitting["scheduled_at"] == .datetime && fitting["fee"] == .money && fitting["notes"] == .text)
    }

    @Test func aJoinWithItsOwnAttributesIsAnEntity() throws {
        let spec = try design("Runners have a name. Races have a title and a distance in km. Runners register for races with a bib number and a finish time.")
        let join = try #require(spec.entity(named: "registration"))
        #expect(join.fields.filter { $0.type == .reference }.map(\.references) == ["runner", "race"])
        #expect(fields(spec, "registration")["bib_number"] != nil)
        #expect(!spec.relations.contains { $0.kind == .manyToMany })
        #expect(!spec.entities.contains { $0.name.contains("many") })
    }

    @Test func aParentsChildrenInAnyVerb() throws {
        let spec = try design("Farmers have a name. Farmers harvest crops with a weight in kg.")
        #expect(fields(spec, "crop")["farmer"] == .reference && fields(spec, "crop")["weight"] == .decimal)
    }

    @Test func manyOnBothSidesIsManyToMany() throws {
        let spec = try design("Recipes have a title. Ingredients have a name. A recipe uses many ingredients and an ingredient appears in many recipes.")
        #expect(spec.relations.contains { $0.kind == .manyToMany && Set([$0.from, $0.to]) == ["recipe", "ingredient"] })
    }

    @Test func aSelfReferenceIsNamedByItsNoun() throws {
        let spec = try design("Employees have a name and an email, and each employee has a mentor who is another employee.")
        let mentor = try #require(spec.entity(named: "employee")?.fields.first { $0.name == "mentor" })
        #expect(mentor.type == .reference && mentor.references == "employee")
        let nested = try design("Folders have a name and can sit inside a parent folder.")
        #expect(nested.entity(named: "folder")?.fields.contains { $0.references == "folder" } == true)
    }

    @Test func typesFromThePhrasing() throws {
        let spec = try design("Voyages have a departs on date, a return timestamp, a hull length in metres, a year launched, a crew count, a duration in days, a charter fee and a deposit paid flag.")
        let voyage = fields(spec, "voyage")
        #expect(voyage["departs_on"] == .date)
        #expect(voyage["return_at"] == .datetime)
        #expect(voyage["hull_length"] == .decimal)
        #expect(voyage["year_launched"] == .int && voyage["crew_count"] == .int && voyage["duration_days"] == .int)
        #expect(voyage["charter_fee"] == .money)
        #expect(voyage["deposit_paid"] == .bool)
    }

    @Test func inlineEnumsEndAtTheirLastAlternative() throws {
        let spec = try design("Tickets have a channel: phone, chat or email, a summary and an opened at time.")
        let channel = try #require(spec.entity(named: "ticket")?.fields.first { $0.name == "channel" })
        #expect(channel.type == .enum && channel.values == ["phone", "chat", "email"])
        #expect(fields(spec, "ticket")["summary"] == .text && fields(spec, "ticket")["opened_at"] == .datetime)
    }

    @Test func readVerbsAreReadOnlyAndOwnFollowsTheDomainLink() throws {
        let spec = try design("Couriers have a name. Parcels have a weight and belong to a courier. Dispatchers manage parcels; couriers see only their own parcels; auditors read everything.")
        #expect(permission(spec, "dispatcher", "parcel") == [.init(entity: "parcel", actions: CRUDAction.allCases, scope: .all)])
        #expect(permission(spec, "courier", "parcel") == [.init(entity: "parcel", actions: [.read], scope: .own)])
        #expect(permission(spec, "auditor", "courier") == [.init(entity: "courier", actions: [.read], scope: .all)])
        let parcel = try #require(spec.entity(named: "parcel"))
        #expect(parcel.ownerField == "courier", "own rows are the courier's parcels, not the rows a courier created")
        #expect(!parcel.fields.contains { $0.name == "owner" })
    }

    @Test func ownRowsUnderAnOwnedParentFollowThePath() throws {
        let spec = try design("Patients have a name. Appointments have a starts at and belong to a patient. Prescriptions have a drug and a dose in mg and belong to an appointment. Doctors manage everything; patients see only their own prescriptions.")
        #expect(spec.entity(named: "prescription")?.ownerField == "appointment.patient")
        #expect(permission(spec, "patient", "prescription") == [.init(entity: "prescription", actions: [.read], scope: .own)])
        #expect(spec.entity(named: "prescription")?.fields.contains { $0.name == "owner" } == false)
    }

    @Test func roleSentencesKeepEveryRoleAndInventOnlyAnInferredAdmin() throws {
        let spec = try design("Shifts have a start and an end. Timesheets have hours. Supervisors can adjust shifts; trainees can only log timesheets; assessors read everything.")
        #expect(spec.roles.filter { !$0.inferred }.map(\.name) == ["supervisor", "trainee", "assessor"])
        #expect(spec.roles.filter(\.inferred).map(\.name) == ["admin"])
        #expect(permission(spec, "supervisor", "shift") == [.init(entity: "shift", actions: [.read, .update], scope: .all)])
        #expect(permission(spec, "trainee", "timesheet").flatMap(\.actions).contains(.create))
    }

    @Test func markdownTablesOfEntitiesAndRoles() throws {
        let spec = try design("""
        | Entity | Fields |
        |---|---|
        | Greenhouse | name, area in square metres |
        | Tray | label, sown on |

        | Role | Can do |
        |---|---|
        | Grower | manage trays |
        | Visitor | view greenhouses |
        """)
        #expect(spec.entities.map(\.name).sorted() == ["greenhouse", "tray"])
        #expect(fields(spec, "greenhouse")["area"] == .decimal && fields(spec, "tray")["sown_on"] == .date)
        #expect(permission(spec, "visitor", "greenhouse") == [.init(entity: "greenhouse", actions: [.read], scope: .all)])
    }

    @Test func terseNotesAreOneFactPerLine() throws {
        let spec = try design("""
        gym log
        lifters - name, email, body weight in kg
        sessions: lifter, started at, notes
        """)
        #expect(spec.entities.map(\.name).sorted() == ["lifter", "session"])
        #expect(fields(spec, "lifter")["body_weight"] == .decimal)
        #expect(fields(spec, "session")["lifter"] == .reference)
    }

    @Test func writtenFieldsAreNeverSwappedForDefaults() throws {
        let spec = try design("Invoices have an invoice number and a due date. Customers are mentioned but not described.")
        let invoice = try #require(spec.entity(named: "invoice"))
        #expect(invoice.fields.filter { !$0.inferred }.map(\.name) == ["invoice_number", "due_date"])
        #expect(invoice.fields.filter { $0.inferred && $0.type != .reference && $0.name != invoice.ownerField }.isEmpty)
    }

    @Test func whatWasNotUnderstoodIsReported() throws {
        let spec = try design("Boats have a name and a length in metres. Our harbour has been run on paper since 1987. Boats have a berth.")
        let unrecognized = try #require(spec.unrecognized.first)
        #expect(spec.unrecognized.count == 1)
        #expect(unrecognized.sentence == 2 && unrecognized.text.contains("harbour") && !unrecognized.reason.isEmpty)
    }

    @Test func thePermissionMatrixNamesEachCellsSourceClause() throws {
        let spec = try design("Couriers have a name. Parcels have a weight and belong to a courier. Couriers see only their own parcels and can update them; auditors read everything.")
        let courier = spec.permissionMatrix.filter { $0.role == "courier" && $0.entity == "parcel" }
        #expect(courier.map { "\($0.action.rawValue) \($0.scope.rawValue)" } == ["read own", "update own"], "'them' is their own parcels")
        #expect(courier.first?.source.contains("couriers see only their own parcels") == true)
        #expect(spec.permissionMatrix.first { $0.role == "auditor" && $0.entity == "courier" }?.source == "auditors read everything")
        #expect(spec.permissionMatrix.first { $0.role == "admin" }?.source == PermissionMatrix.addedAdmin)
        let cells = spec.roles.flatMap { role in role.permissions.flatMap { permission in permission.actions.map { _ in role.name } } }
        #expect(spec.permissionMatrix.count == cells.count, "one cell per granted action")
    }

    @Test func inferredRelationsAndRolesAreMarked() throws {
        let spec = try design("A blog with comments.")
        #expect(spec.roles.allSatisfy { $0.inferred })
        #expect(spec.relations.allSatisfy { $0.inferred })
        #expect(!spec.relations.isEmpty)
    }

    @Test func aDateAndTimeAfterAParentIsAFieldNotAnEntity() throws {
        let spec = try design("Climbers have a name. Sessions are booked for a climber at a date and time with a wall number.")
        #expect(spec.entities.map(\.name).sorted() == ["climber", "session"])
        #expect(fields(spec, "session")["scheduled_at"] == .datetime && fields(spec, "session")["climber"] == .reference)
    }

    @Test func applicationsPeopleFileAreEntities() throws {
        let spec = try design("Grant applications record the charity, the sum requested and a decision: pending, awarded or refused. Charities have a name. An application has a submitted on date.")
        #expect(spec.entity(named: "grant_application") != nil)
        #expect(fields(spec, "grant_application")["charity"] == .reference)
        let plain = try design("We need a simple application for our choir. The application has a login page. Singers have a name.")
        #expect(plain.entities.map(\.name) == ["singer"], "the application being built is no entity")
    }

    @Test func verbsOfChildrenNameChildEntities() throws {
        let spec = try design("Hives have a name. Each hive gets inspections (inspected on, queen seen yes/no, mood: calm or aggressive), and each hive keeps its treatment records on file.")
        #expect(fields(spec, "inspection")["hive"] == .reference && fields(spec, "inspection")["inspected_on"] == .date)
        #expect(fields(spec, "treatment_record")["hive"] == .reference)
        let busy = try design("Pitches have a number. Summer gets really busy, and we tried to get off paper.")
        #expect(busy.entities.map(\.name) == ["pitch"], "an adjective or an infinitive is no child")
    }

    @Test func aPluralWithFieldsOfItsOwnIsAChild() throws {
        let spec = try design("Visits have a date. Each visit can have observation notes with a finding and a severity (low or high). Every visit gets a summary report with a score out of 10.")
        #expect(fields(spec, "observation_note")["visit"] == .reference && fields(spec, "observation_note")["finding"] != nil)
        #expect(fields(spec, "summary_report")["visit"] == .reference)
        #expect(fields(spec, "visit")["observation_notes"] == nil)
    }

    @Test func anEquationNamesAJoinAndSlashedWordsAreValues() throws {
        let spec = try design("walkers: name, email. dogs: name, breed. walk = walker + dog, walked on, slot am/pm/eve, paid y/n.")
        let walk = fields(spec, "walk")
        #expect(walk["walker"] == .reference && walk["dog"] == .reference && walk["paid"] == .bool)
        #expect(spec.entity(named: "walk")?.fields.first { $0.name == "slot" }?.values == ["am", "pm", "eve"])
    }

    @Test func forEachThingWeKeepListsItsFields() throws {
        let spec = try design("The kennel rents out pens, and for each pen we keep the pen code, the width in metres and a heated yes/no.")
        #expect(fields(spec, "pen") == ["pen_code": .string, "width": .decimal, "heated": .bool])
    }

    @Test func eachWithAfterACommaGivesTheNounBeforeItsFields() throws {
        let spec = try design("We rent out lockers, each with a code, a size in litres and a monthly fee.")
        #expect(fields(spec, "locker") == ["code": .string, "size": .decimal, "monthly_fee": .money])
    }

    @Test func theHeadOfACompoundNamesItsEntity() throws {
        let spec = try design("Swimmers have a name. Swimming lessons have a level and a fee. Bookings record the swimmer and the lesson, with a start date.")
        #expect(spec.entity(named: "lesson") == nil, "'lesson' is the one compound ending in it")
        #expect(fields(spec, "booking")["swimming_lesson"] == .reference)
    }

    @Test func theSizeOfAGroupIsACount() throws {
        let spec = try design("Tours have a title, a group size and a size (small, medium or large).")
        #expect(fields(spec, "tour")["group_size"] == .int && fields(spec, "tour")["size"] == .enum)
    }

    @Test func aVerbAfterASubjectWithFieldsMakesItsObjectAChild() throws {
        let spec = try design("Drivers (name, licence number) make deliveries with a van registration and a departed at time. Depots have a name.")
        #expect(fields(spec, "driver")["licence_number"] != nil)
        #expect(fields(spec, "delivery")["driver"] == .reference && fields(spec, "delivery")["departed_at"] == .datetime)
    }

    @Test func aParentAfterTheObjectOfAVerbIsReferencedToo() throws {
        let spec = try design("Allotments have a plot number. Gardeners (name, email) take leases on allotments with a start date and an annual rent.")
        let lease = fields(spec, "lease")
        #expect(lease["gardener"] == .reference && lease["allotment"] == .reference)
        #expect(lease["start_date"] == .date && lease["annual_rent"] == .money)
        #expect(fields(spec, "allotment")["start_date"] == nil)
    }

    @Test func peopleWhoRecordRowsDefineThemAndMayCreateThem() throws {
        let spec = try design("Hives have a name. Inspectors file weekly hive checks for hives (checked on, brood seen yes/no, notes).")
        let check = fields(spec, "hive_check")
        #expect(check["hive"] == .reference && check["checked_on"] == .date && check["brood_seen"] == .bool && check["notes"] == .text)
        #expect(check["inspector"] == .string, "who filed it is a user")
        let inspector = permission(spec, "inspector", "hive_check")
        #expect(inspector.first?.actions.contains(.create) == true)
    }

    @Test func hiringPeopleIsAJoin() throws {
        let spec = try design("Festivals have a name. Musicians have a name and an instrument. Festivals hire musicians with a fee and a set length in minutes.")
        let booking = try #require(spec.entity(named: "booking"))
        #expect(Set(booking.fields.compactMap(\.references)) == ["festival", "musician"])
        #expect(fields(spec, "musician")["fee"] == nil && fields(spec, "booking")["fee"] == .money)
    }

    @Test func anOwnerThatIsAnEntityIsReferenced() throws {
        let spec = try design("Horse owners have a name and a phone. Horses have a name and belong to an owner.")
        #expect(fields(spec, "horse")["horse_owner"] == .reference)
    }

    @Test func verbsOfPlacingLinkTheirParties() throws {
        let spec = try design("Horses have a name. Stables have a code. Liveries put a horse into a stable, starting at a date and time, with a weekly fee. We put on shows with a title.")
        let livery = fields(spec, "livery")
        #expect(livery["horse"] == .reference && livery["stable"] == .reference && livery["starts_at"] == .datetime && livery["weekly_fee"] == .money)
        #expect(fields(spec, "show")["title"] == .string, "'put on' is no link")
    }

    @Test func aVerbAfterTheLinkedPartiesStartsTheFields() throws {
        let spec = try design("Orders have a total. Seat types have a name. Seats link an order to a seat type and carry a row letter and a wheelchair yes/no.")
        #expect(fields(spec, "seat") == ["order": .reference, "seat_type": .reference, "row_letter": .string, "wheelchair": .bool])
    }

    @Test func aParentOfTheSameKindIsASelfReference() throws {
        let spec = try design("Folders have a name and can be nested under a parent folder. Mentors are staff. Each trainee has a buddy who is another trainee.")
        #expect(spec.entity(named: "parent_folder") == nil)
        #expect(spec.entity(named: "folder")?.fields.first { $0.name == "parent_folder" }?.references == "folder")
        let roles = try design("Cleaners have a name, and each cleaner has a team leader who is another cleaner. Team leaders see all cleaners.")
        #expect(roles.entity(named: "cleaner")?.fields.first { $0.name == "team_leader" }?.references == "cleaner", "a role's name does not make it a user field")
    }

    @Test func beingAssignedOneParentIsAReference() throws {
        let spec = try design("Coaches have a name. Athletes have a name, and each athlete is assigned one coach.")
        #expect(fields(spec, "athlete")["coach"] == .reference)
    }

    @Test func oneWhoManagesThingsIsARole() throws {
        let spec = try design("Boats have a name. Moorings have a number. The harbour secretary manages boats and moorings; the principal manages everything; the service advisor manages boats.")
        let names = Set(spec.roles.map(\.name))
        #expect(names.isSuperset(of: ["harbour_secretary", "principal", "service_advisor"]))
        #expect(spec.entity(named: "harbour_secretary") == nil && spec.entity(named: "principal") == nil)
        #expect(permission(spec, "harbour_secretary", "mooring").first?.actions.count == 4)
    }

    @Test func animalsAndBusinessContactsAreNoPersonalData() throws {
        let spec = try design("Owners have a name and a phone. Horses have a name, a date of birth and belong to an owner. Treatments record the horse, a drug and a dose in ml. Farriers have a name, a mobile and an office phone. Feed suppliers have a name and a phone.")
        let pii = Set(spec.entities.flatMap { entity in entity.fields.filter(\.pii).map { "\(entity.name).\($0.name)" } })
        #expect(pii.isSuperset(of: ["owner.name", "owner.phone", "farrier.name", "farrier.mobile"]))
        #expect(pii.isDisjoint(with: ["horse.name", "horse.date_of_birth", "treatment.dose", "farrier.office_phone", "feed_supplier.phone"]))
    }

    @Test func aUsualParentNamedOnceAmongFieldsStaysAField() throws {
        let once = try design("Volunteers: name, email, company, room.")
        #expect(once.entities.map(\.name) == ["volunteer"] && fields(once, "volunteer")["company"] == .string)
        let spoken = try design("Volunteers have a name and a company. Companies have a name and a sector.")
        #expect(fields(spoken, "volunteer")["company"] == .reference)
    }

    @Test func aFieldsNameBeforeAVerbIsNoEntity() throws {
        let spec = try design("Makers have a name and a country. A maker's name is printed on our wall labels. Renewals have a renewal date. Key dates belong to a renewal and have a title.")
        #expect(Set(spec.entities.map(\.name)) == ["maker", "renewal", "key_date"])
    }

    @Test func whatWeKeepForEachThingIsItsChild() throws {
        let spec = try design("Pupils have a name. We log reading records for each pupil with a book title, a page count and a read on date. For each pupil there are reports: a term, a grade and comments.")
        #expect(fields(spec, "reading_record")["pupil"] == .reference && fields(spec, "reading_record")["read_on"] == .date)
        #expect(fields(spec, "report")["pupil"] == .reference && fields(spec, "report")["comments"] == .text)
        #expect(fields(spec, "pupil")["book_title"] == nil)
    }

    @Test func aListAfterWhatWeDoWithThingsIsTheirFields() throws {
        let spec = try design("We hire out canoes: seats, colour, hourly price. The data: paddlers have a name and an email. Canoes carry a hull number.")
        #expect(fields(spec, "canoe") == ["seats": .int, "colour": .string, "hourly_price": .money, "hull_number": .string])
        #expect(fields(spec, "paddler") == ["name": .string, "email": .email])
    }

    @Test func aParentWithFieldsInParenthesesIsAnEntity() throws {
        let spec = try design("Classes have a title. Every class is held in one studio (name, floor: sprung wood or vinyl, mirrored yes/no).")
        #expect(fields(spec, "studio") == ["name": .string, "floor": .enum, "mirrored": .bool])
        #expect(fields(spec, "class")["studio"] == .reference)
    }

    @Test func terseNotesDropTheAuxiliary() throws {
        let spec = try design("bands: name, genre. venues: name. gigs: played on, fee. gig booked at one venue. each gig assigned one band")
        #expect(fields(spec, "gig")["venue"] == .reference && fields(spec, "gig")["band"] == .reference)
    }

    @Test func withAfterAPluralObjectGivesItsFields() throws {
        let spec = try design("Farms have a name. Each farm has paddocks, with a name, an area in hectares and a crop (wheat, barley or oats).")
        #expect(fields(spec, "paddock") == ["farm": .reference, "name": .string, "area": .decimal, "crop": .enum])
        #expect(fields(spec, "farm") == ["name": .string])
    }

    @Test func eachJoinNamedAfterACommaKeepsItsFields() throws {
        let spec = try design("Divers have a name. Trips have a date. Divers sign up for trips, each sign-up with a kit size (s, m or l) and a paid flag.")
        let signup = fields(spec, "signup")
        #expect(signup["diver"] == .reference && signup["trip"] == .reference && signup["paid"] == .bool && signup["kit_size"] == .enum)
    }

    @Test func aPassiveWithAParticleNamesTheParent() throws {
        let spec = try design("Jobs have a title and a site. Estimates are drawn up against a job with a total and a valid until date. Permits are taken out for a job with a permit number.")
        #expect(fields(spec, "estimate") == ["job": .reference, "total": .money, "valid_until_date": .date])
        #expect(fields(spec, "permit")["job"] == .reference)
    }

    @Test func aParticipleBeforeAThingStillNamesIt() throws {
        let spec = try design("Suppliers have a name. Signed contracts have a start date and belong to a supplier. Deliveries refer to a signed contract with a delivered on date.")
        #expect(spec.entity(named: "contract") != nil && spec.entity(named: "signed_contract") == nil)
        #expect(fields(spec, "delivery")["contract"] == .reference && fields(spec, "contract")["supplier"] == .reference)
    }

    @Test func oneOfASetIsAParent() throws {
        let spec = try design("Classes have a name and a level, and each class meets in one of our halls. Halls have a name and a capacity. Every class has a mentor who is one of our volunteers; volunteers have a name and a phone.")
        let lesson = try #require(spec.entity(named: "class"))
        #expect(lesson.fields.contains { $0.name == "hall" && $0.references == "hall" })
        #expect(lesson.fields.contains { $0.name == "mentor" && $0.references == "volunteer" })
        #expect(!lesson.fields.contains { $0.name.contains("one_of") })
    }

    @Test func aCompoundNamedAfterAnotherEntityIsItsChild() throws {
        let spec = try design("Invoices have a number and an issued on date. Invoice lines have a description, a quantity and a unit price. Invoice templates have a name.")
        #expect(fields(spec, "invoice_line")["invoice"] == .reference)
        #expect(fields(spec, "invoice_template")["invoice"] == nil)
        #expect(fields(spec, "invoice")["invoice_line"] == nil)
    }

    @Test func aParentAfterAPrepositionInTheSubject() throws {
        let spec = try design("Venues have a name. Deliveries to a venue record the supplier name and a received at time. Refunds for cancelled tickets: amount, refunded on. Tickets have a seat. Every day at a venue gets a takings sheet with a cash total.")
        #expect(fields(spec, "delivery")["venue"] == .reference && fields(spec, "delivery")["received_at"] == .datetime)
        #expect(fields(spec, "refund")["ticket"] == .reference && spec.entity(named: "cancelled_ticket") == nil)
        #expect(fields(spec, "takings_sheet")["venue"] == .reference && spec.entity(named: "day") == nil)
    }

    @Test func aJoinForAPeriodOrWithWhatIsReceived() throws {
        let spec = try design("Guests have a name. Cottages have a name. Guests rent cottages for a week (peak or off-peak) with a deposit. Apprentices have a name. Workshops have a title. Apprentices join workshops for a term and receive a certificate number.")
        #expect(fields(spec, "rental") == ["guest": .reference, "cottage": .reference, "week": .enum, "deposit": .money])
        let membership = fields(spec, "membership")
        #expect(membership["apprentice"] == .reference && membership["workshop"] == .reference && membership["term"] == .string && membership["certificate_number"] != nil)
        #expect(spec.entity(named: "week") == nil && spec.entity(named: "term") == nil)
    }

    @Test func aJoinNamedElsewhereOrInOneStatementOfASentence() throws {
        let spec = try design("Judges have a name. Cakes have a flavour. Judges rate cakes, and each rating has a score and a comment. Tours have a name and a price, and walkers sign up for tours with a meeting point.")
        #expect(fields(spec, "rating") == ["judge": .reference, "cake": .reference, "score": .decimal, "comment": .text])
        #expect(fields(spec, "signup") == ["walker": .reference, "tour": .reference, "meeting_point": .string])
        #expect(fields(spec, "tour") == ["name": .string, "price": .money])
    }

    @Test func aVerbOfRecordingBeforeAParticipleListsFields() throws {
        let spec = try design("Visits record checked in at, left at and a purpose.")
        #expect(fields(spec, "visit") == ["checked_in_at": .datetime, "left_at": .datetime, "purpose": .string])
    }

    @Test func aLabelWithAParentListsFieldsNotEntities() throws {
        let spec = try design("Pupils: name, year group.\nLesson plans per pupil: topic, sets, drills, review date.\nBoats: name, life jackets (yes/no).")
        #expect(Set(spec.entities.map(\.name)) == ["pupil", "lesson_plan", "boat"])
        #expect(fields(spec, "lesson_plan")["pupil"] == .reference && fields(spec, "lesson_plan")["review_date"] == .date)
        #expect(fields(spec, "boat")["life_jackets"] == .bool)
    }

    @Test func chattyAsidesNameNoThings() throws {
        let spec = try design("Our paper diary has finally overflowed. Bookings now have a date and a party size.")
        #expect(spec.entities.map(\.name) == ["booking"] && fields(spec, "booking") == ["date": .date, "party_size": .int])
    }

    @Test func powerUnitsAndPercentagesAreDecimals() throws {
        let spec = try design("Panels have an output in kW, a percentage efficiency and a serial number.")
        #expect(fields(spec, "panel") == ["output": .decimal, "percentage_efficiency": .decimal, "serial_number": .string])
    }

    @Test func severalParentsOfAPassiveAndPeopleAssignedToThings() throws {
        let spec = try design("Residents have a name. Flats have a number. Leaks are reported by residents against a flat with a reported at time. Plumbers have a name and are assigned to leaks. Invoices may be for a leak with an amount.")
        let leak = fields(spec, "leak")
        #expect(leak["resident"] == .reference && leak["flat"] == .reference && leak["plumber"] == .reference && leak["reported_at"] == .datetime)
        #expect(fields(spec, "plumber")["leak"] == nil)
        #expect(fields(spec, "invoice")["leak"] == .reference)
    }

    @Test func aJoinAPermissionVerbNamesElsewhereAndOwningVerbs() throws {
        let spec = try design("Guests have a name. Cabins have a name. Guests can book cabins; a booking has a nights count. Members have a name. Members own kayaks (colour, length in metres).")
        #expect(fields(spec, "booking") == ["guest": .reference, "cabin": .reference, "nights_count": .int])
        #expect(fields(spec, "kayak")["member"] == .reference)
    }

    @Test func aDescribedSubjectsThingsAreItsChildren() throws {
        let spec = try design("Patients (name, phone) order prescriptions; a prescription has a drug and a dose in mg. Fans (name, email) love our music.")
        #expect(fields(spec, "prescription") == ["patient": .reference, "drug": .string, "dose": .decimal])
        #expect(spec.entity(named: "music") == nil)
    }

    @Test func valuesAfterOf() throws {
        let spec = try design("Kayaks have a colour of the owner's choice, a hull type of sea, touring or river, and a condition of good, worn or damaged.")
        let kayak = try #require(spec.entity(named: "kayak"))
        #expect(kayak.fields.first { $0.name == "hull_type" }?.values == ["sea", "touring", "river"])
        #expect(kayak.fields.first { $0.name == "condition" }?.values == ["good", "worn", "damaged"])
        #expect(!kayak.fields.contains { $0.name == "touring" || $0.name == "worn" })
    }

    @Test func aScaleAfterAFieldIsWholePoints() throws {
        let spec = try design("Reviews have a title, a rating 1-5, an effort score out of 10 and a difficulty 1 to 3.")
        #expect(fields(spec, "review") == ["title": .string, "rating": .int, "effort_score": .int, "difficulty": .int])
    }

    @Test func fieldsAfterAUserLinkAreTheSubjects() throws {
        let spec = try design("Repairs are assigned to a fitter with a start date and a labour cost. Vans: reg, assigned to, next service on.")
        #expect(fields(spec, "repair") == ["assignee": .string, "start_date": .date, "labour_cost": .money])
        #expect(fields(spec, "van") == ["reg": .string, "assignee": .string, "next_service_on": .date])
    }

    @Test func fieldsWithValuesInALabelAndNounsThatAlsoQuantify() throws {
        let spec = try design("Parcel: weight in kg, method (post, courier or collection), tracked yes/no, collection point.\nPrice lists: name, season.\nPicker: name, set number.")
        #expect(spec.entities.map(\.name).sorted() == ["parcel", "picker", "price_list"])
        #expect(fields(spec, "parcel") == ["weight": .decimal, "method": .enum, "tracked": .bool, "collection_point": .string])
        #expect(fields(spec, "picker")["set_number"] != nil)
    }

    @Test func aVerbBeforeALabelsColonIsItsNoun() throws {
        let spec = try design("What the app has to hold: kayaks (colour, seats).\nLogs: logged at, message.")
        #expect(spec.entities.map(\.name).sorted() == ["kayak", "log"])
        #expect(fields(spec, "log") == ["logged_at": .datetime, "message": .text])
    }

    @Test func aJoinTheTextNamesAtADateAndParentsInAListAndExistingRows() throws {
        let spec = try design("A sailing club: boats (name, class), sailors (name, email) and sails for each boat (area in m2, colour). Every new sailor is nominated by an existing sailor. Sailors book boats on a date with a crew size; each booking is paid upfront.")
        #expect(fields(spec, "sail")["boat"] == .reference)
        #expect(spec.entity(named: "sailor")?.fields.contains { $0.name == "nominated_by" && $0.references == "sailor" } == true)
        let booking = fields(spec, "booking")
        #expect(booking["sailor"] == .reference && booking["boat"] == .reference && booking["crew_size"] == .int && booking["date"] == .date)
    }

    @Test func notesEndingInADateFieldAndAGroupOfPeopleAsARole() throws {
        let spec = try design("vans: reg, serviced on\ndrivers: name, hired on\nthe transport desk manages vans and drivers")
        #expect(fields(spec, "van") == ["reg": .string, "serviced_on": .date])
        #expect(fields(spec, "driver") == ["name": .string, "hired_on": .date])
        #expect(permission(spec, "transport_desk", "van").flatMap(\.actions).count == 4)
    }

    @Test func terseSingleParentsAndNotesKeptAsThings() throws {
        let spec = try design("depots: name\nvans: reg\neach van from one depot\ndrivers: name\neach driver keeps trip notes: the van, a mileage and remarks")
        #expect(fields(spec, "van")["depot"] == .reference)
        #expect(fields(spec, "trip_note") == ["driver": .reference, "van": .reference, "mileage": .int, "remarks": .text])
    }

    @Test func aVerbWordAfterEachOrAfterAGrantingVerbIsANoun() throws {
        let spec = try design("archives: name\nrecords: title, year\neach record from one archive\nclerks manage records and archives")
        #expect(fields(spec, "record")["archive"] == .reference)
        #expect(permission(spec, "clerk", "record").flatMap(\.actions).count == 4)
    }

    @Test func oneParentWithItsFieldsAndAnotherRowAfterAPassive() throws {
        let spec = try design("Castles have a name. Each tour gets one guide (name, languages) and has a start date. Tours visit many castles and a castle sees plenty of tours. Guides are trained by a head guide, who is another guide.")
        #expect(fields(spec, "tour")["guide"] == .reference && fields(spec, "guide")["name"] == .string)
        #expect(spec.relations.contains { $0.kind == .manyToMany && Set([$0.from, $0.to]) == ["tour", "castle"] })
        #expect(spec.entity(named: "head_guide") == nil)
        #expect(spec.entity(named: "guide")?.fields.contains { $0.references == "guide" } == true)
    }

    @Test func aNumberThatIdentifiesAPersonIsPersonalData() throws {
        let spec = try design("Volunteers have a name and a volunteer number. Buses have a bus number and a seat count.")
        #expect(spec.entity(named: "volunteer")?.fields.first { $0.name == "volunteer_number" }?.pii == true)
        #expect(spec.entity(named: "bus")?.fields.first { $0.name == "bus_number" }?.pii == false)
    }

    @Test func personalDataStatementsNameTheirPeople() throws {
        let spec = try design("Teams have a team name, a captain name and a captain phone. Pitches have a name. Staff members have a name and a shift. Captains' contact details are personal data, and so are staff names.")
        let team = try #require(spec.entity(named: "team"))
        #expect(team.fields.first { $0.name == "captain_name" }?.pii == true && team.fields.first { $0.name == "team_name" }?.pii == false)
        #expect(spec.entity(named: "pitch")?.fields.first { $0.name == "name" }?.pii == false)
        #expect(spec.entity(named: "staff_member")?.fields.first { $0.name == "name" }?.pii == true)
    }

    @Test func aPersonalDataEquationIsAStatementNotAList() throws {
        let spec = try design("walkers: name, nickname, mobile\nwalker nicknames = personal data\nroutes: name, length in km")
        #expect(spec.entities.map(\.name).sorted() == ["route", "walker"])
        #expect(spec.entity(named: "walker")?.fields.first { $0.name == "nickname" }?.pii == true)
    }

    @Test func thingsThatAssignLinkAndADateAmongThePartiesIsAField() throws {
        let spec = try design("Kennels have a name. Dogs have a name. Boarding slots assign a dog to a kennel on a date with a feeding note. Tasks have a title. Managers assign tasks.")
        #expect(fields(spec, "boarding_slot") == ["dog": .reference, "kennel": .reference, "date": .date, "feeding_note": .text])
        #expect(spec.entity(named: "date") == nil)
        #expect(permission(spec, "manager", "task").flatMap(\.actions).contains(.update))
    }

    @Test func aPermissionVerbInAListOfFieldsStartsAField() throws {
        let spec = try design("Lockers have a number, a floor and access codes. Guides have a title and view count.")
        #expect(fields(spec, "locker")["access_codes"] != nil && fields(spec, "guide") == ["title": .string, "view_count": .int])
    }

    @Test func manyOfAThingEachWithFieldsIsAJoin() throws {
        let spec = try design("Paints have a name. Murals have a title. Murals use many paints, each with a litres used count.")
        let join = try #require(spec.entity(named: "mural_paint"))
        #expect(join.fields.filter { $0.type == .reference }.compactMap(\.references).sorted() == ["mural", "paint"])
        #expect(fields(spec, "paint")["mural"] == nil)
    }

    @Test func aYesNoQuestionIsOneBoolFieldNotAClause() throws {
        let spec = try design("Kennels have a name, whether the run is covered, whether it is on the ground floor and whether they have passed an inspection. Kennels have a size.")
        #expect(fields(spec, "kennel") == ["name": .string, "run_covered": .bool, "on_ground_floor": .bool, "inspection_passed": .bool, "size": .string])
        #expect(spec.entities.map(\.name) == ["kennel"])
    }

    @Test func groupedEntitiesJoinedByAndAreAListNotALink() throws {
        let spec = try design("A tack room: riders (name, email) and saddles (maker, seat size in inches).")
        #expect(spec.entities.map(\.name) == ["rider", "saddle"])
        #expect(spec.relations.isEmpty)
    }

    @Test func aPassivePlacedAtADateAndTimeIsADatetimeFieldNotAParent() throws {
        let spec = try design("Auctions are held at a date and time with a lot count and a buyer premium.")
        #expect(Set(fields(spec, "auction").keys) == ["scheduled_at", "lot_count", "buyer_premium"])
        #expect(fields(spec, "auction")["scheduled_at"] == .datetime && fields(spec, "auction")["lot_count"] == .int)
        #expect(spec.entities.map(\.name) == ["auction"])
    }

    @Test func aLineBeforeALabelEndsEvenAfterAJoiningWord() throws {
        let spec = try design("hires: boat, out at, back at\nskippers: name, licence number")
        #expect(fields(spec, "hire")["back_at"] == .datetime)
        #expect(Set(fields(spec, "skipper").keys) == ["name", "licence_number"])
    }

    @Test func aJoinNamedAfterAManyToManyTakesItsPlace() throws {
        let spec = try design("Volunteers have a name. Beaches have a title. Volunteers go to many beaches; every visit is a sweep with a bag count and the hours they spent. Drivers have a name. Routes have a code. A driver covers lots of routes and a route has many drivers, so for each trip we note the fee we paid them.")
        let sweep = try #require(spec.entity(named: "sweep"))
        #expect(sweep.fields.filter { $0.type == .reference }.compactMap(\.references).sorted() == ["beach", "volunteer"])
        #expect(Set(fields(spec, "sweep").keys) == ["bag_count", "hours", "beach", "volunteer"])
        #expect(!spec.relations.contains { $0.kind == .manyToMany })
        #expect(fields(spec, "trip") == ["fee": .money, "driver": .reference, "route": .reference])
    }

    @Test func aParticipleOfAJoiningVerbWithFieldsIsAJoin() throws {
        let spec = try design("kayaks: colour, seats\npaddlers: name, email\neach kayak booked by one paddler per week (week, paid)\nguides: name\npaddlers registered with guides (registered on)")
        #expect(fields(spec, "booking") == ["kayak": .reference, "paddler": .reference, "week": .string, "paid": .bool])
        #expect(fields(spec, "registration") == ["paddler": .reference, "guide": .reference, "registered_on": .date])
        #expect(fields(spec, "kayak")["paddler"] == nil && fields(spec, "paddler")["guide"] == nil)
    }

    @Test func aVerbOfWhereAThingStaysNamesItsParentAndAHeadNamesTheCompound() throws {
        let spec = try design("Galleries have a name. Every display cabinet sits in one gallery. Cabinets have a code and a locked yes/no. My cat sits in on every meeting.")
        #expect(fields(spec, "display_cabinet") == ["gallery": .reference, "code": .string, "locked": .bool])
        #expect(spec.entities.map(\.name) == ["gallery", "display_cabinet"])
    }

    @Test func aJoinForTheLengthOfSomethingHasNoThirdParty() throws {
        let spec = try design("Campers have a name. Tents have a size. Campers rent tents for the length of their stay with a pitch number and a price.")
        #expect(fields(spec, "rental") == ["camper": .reference, "tent": .reference, "pitch_number": .string, "price": .money])
        #expect(spec.entities.count == 3)
    }

    @Test func initialsNameTheCompoundTheyAbbreviate() throws {
        let spec = try design("service calls: reported at, fault\neach SC belongs to one engineer\nvisits per SC: arrived at, fixed yes/no\nengineers: name")
        #expect(spec.entities.map(\.name).sorted() == ["engineer", "service_call", "visit"])
        #expect(fields(spec, "service_call")["engineer"] == .reference && fields(spec, "visit")["service_call"] == .reference)
    }

    @Test func whatWeKeepInEachThingIsItsChild() throws {
        let spec = try design("Ponds have a name and a depth in metres. We also take water samples in each pond: oxygen level, clarity and sampled at.")
        #expect(fields(spec, "water_sample")["pond"] == .reference)
        #expect(fields(spec, "water_sample")["sampled_at"] == .datetime)
        #expect(spec.relations.map { "\($0.from)→\($0.to)" } == ["pond→water_sample"])
    }

    @Test func waysToReachSomeoneAreFieldsEvenAsSubjects() throws {
        let spec = try design("Tutors have a name, a home phone and a college email. Tutor home phones and college emails belong to the tutors.")
        #expect(spec.entities.map(\.name) == ["tutor"])
        #expect(spec.relations.isEmpty)
    }

    @Test func aThingThatBecomesAnotherIsItsParent() throws {
        let spec = try design("Leads have a company name and a source. Qualified leads become accounts with an industry and a monthly invoice. Invoices: account, amount, issued on.")
        #expect(fields(spec, "account")["lead"] == .reference && fields(spec, "account")["industry"] == .string)
        #expect(fields(spec, "account")["monthly_invoice"] != .reference)
        #expect(Set(spec.relations.map { "\($0.from)→\($0.to)" }) == ["lead→account", "account→invoice"])
    }

    @Test func aSubsetOfAThingNamingAnotherRowIsThatThing() throws {
        let spec = try design("Volunteers have a name and an email. A new volunteer has a shadow who is another volunteer.")
        #expect(spec.entities.map(\.name) == ["volunteer"])
        #expect(spec.entity(named: "volunteer")?.fields.first { $0.name == "shadow" }?.references == "volunteer")
    }

    @Test func aRelativeClauseWithoutThatAfterANounIsCut() throws {
        let spec = try design("Shifts have a start time. Rotas have a week. Swaps have a reason and the shift the swap was for.")
        #expect(fields(spec, "swap")["shift"] == .reference)
        #expect(!spec.relations.contains { $0.from == "swap" && $0.to == "swap" })
        #expect(NounPhrase.relativeWithoutThat(["letters", "the", "tenant", "sends", "us"]) == 1)
        #expect(NounPhrase.relativeWithoutThat(["time", "a", "resident", "is", "given"]) == nil)
    }

    @Test func aHistoryOfThingsNamesManyChildren() throws {
        let spec = try design("Boilers have a serial number. Each boiler keeps a history of services, each with a serviced on date and a cost.")
        #expect(fields(spec, "service")["boiler"] == .reference && fields(spec, "service")["serviced_on"] == .date)
        #expect(fields(spec, "boiler")["history"] == nil)
    }

    @Test func theWriterBetweenAVerbAndItsParentIsNoParty() throws {
        let spec = try design("Parcels have a weight in kg and a received on date. Parcels come to us from couriers: we record each courier's name and phone.")
        #expect(fields(spec, "parcel")["courier"] == .reference)
    }

    @Test func thingsAfterEachInAQuestionAreItsRowsParties() throws {
        let spec = try design("Pupils have a name. Lessons have a subject. Registers record whether each pupil was late to each lesson.")
        #expect(fields(spec, "register")["pupil"] == .reference && fields(spec, "register")["lesson"] == .reference)
        #expect(fields(spec, "register")["late"] == .bool)
        #expect(YesNoQuestions.parties(["each", "member", "came", "to", "each", "talk"]) == [["talk"]])
    }

    @Test func alsoOneOfTheThingIsASelfReference() throws {
        let spec = try design("Climbers have a name, a grade and a belay partner, who is also a climber.")
        #expect(spec.entity(named: "climber")?.fields.first { $0.name == "belay_partner" }?.references == "climber")
        #expect(spec.entities.map(\.name) == ["climber"])
    }
}
