import Testing
@testable import AgentService
import Shared

/// More domains, phrasings, vague input, limits and determinism.
extension ProductArchitectTests {
    @Test func bookingRoomsReservationsAndCustomers() throws {
        let spec = try design("A booking system for meeting rooms. Rooms have a name, a capacity and a location. Customers have a name, an email and a phone. Reservations have a start datetime, an end datetime, a number of guests and notes, belong to a room and belong to a customer. Customers see only their own reservations; staff see all.")
        #expect(spec.entities.map(\.name) == ["room", "customer", "reservation"])
        #expect(try field(entity(spec, "room"), "capacity").type == .int)
        let reservation = try entity(spec, "reservation")
        #expect(try field(reservation, "start_at").type == .datetime)
        #expect(try field(reservation, "end_at").type == .datetime)
        #expect(try field(reservation, "number_of_guests").type == .int)
        #expect(try field(reservation, "notes").type == .text)
        #expect(try field(reservation, "room").references == "room")
        #expect(try field(reservation, "customer").references == "customer")
        #expect(try entity(spec, "customer").piiFields == ["name", "email", "phone"])
        #expect(permissions(spec, "customer", "reservation") == [.init(entity: "reservation", actions: [.read], scope: .own)])
        #expect(permissions(spec, "staff", "reservation") == [.init(entity: "reservation", actions: [.read], scope: .all)])
        #expect(spec.roles.map(\.name) == ["customer", "staff", "admin"])
    }

    @Test func clinicDoctorsSeeTheirOwnPatientsAppointments() throws {
        let spec = try design("A clinic app. Patients have a name, a date of birth, a phone and an address. Appointments have a patient, a doctor, a scheduled at datetime, a reason and notes. Receptionists manage everything; doctors see only their own patients' appointments.")
        #expect(spec.entities.map(\.name) == ["patient", "appointment"])
        let patient = try entity(spec, "patient")
        #expect(try field(patient, "date_of_birth").type == .date)
        #expect(patient.piiFields == ["name", "date_of_birth", "phone", "address"])
        let appointment = try entity(spec, "appointment")
        #expect(try field(appointment, "scheduled_at").type == .datetime)
        #expect(try field(appointment, "patient").references == "patient")
        #expect(try field(appointment, "doctor").type == .string)
        #expect(appointment.ownerField == "doctor")
        #expect(permissions(spec, "doctor", "appointment") == [.init(entity: "appointment", actions: [.read], scope: .own)])
        #expect(permissions(spec, "receptionist", "patient") == [.init(entity: "patient", actions: CRUDAction.allCases, scope: .all)])
        #expect(spec.roles.map(\.name) == ["receptionist", "doctor"])
        #expect(spec.acceptanceCriteria.contains { $0.statement == "A doctor cannot read another user's appointment" })
    }

    @Test func hrEmployeesSalariesAndLeaveRequests() throws {
        let spec = try design("An HR system with employees, departments and leave requests. Employees have a first name, last name, email, a salary and a hire date, and belong to a department. Leave requests have a start date, an end date, a reason and a status (pending, approved, rejected) and belong to an employee. Employees see only their own leave requests; HR managers manage everything.")
        #expect(spec.entities.map(\.name) == ["department", "employee", "leave_request"])
        #expect(try entity(spec, "department").fields.allSatisfy { $0.inferred })
        let employee = try entity(spec, "employee")
        #expect(try field(employee, "salary").type == .money)
        #expect(try field(employee, "hire_date").type == .date)
        #expect(employee.piiFields == ["first_name", "last_name", "email", "salary"])
        let leave = try entity(spec, "leave_request")
        #expect(leave.plural == "leave_requests")
        #expect(try field(leave, "status").values == ["pending", "approved", "rejected"])
        #expect(try field(leave, "employee").references == "employee")
        #expect(spec.roles.map(\.name) == ["employee", "hr_manager"])
        #expect(permissions(spec, "employee", "leave_request") == [.init(entity: "leave_request", actions: [.read], scope: .own)])
        #expect(permissions(spec, "hr_manager", "employee") == [.init(entity: "employee", actions: CRUDAction.allCases, scope: .all)])
    }

    @Test func projectManagementTasksAssignedToMembers() throws {
        let spec = try design("A project management tool. Projects have a name, a description and a budget. Each project has many tasks. Tasks have a title, a due date, a status (todo, in progress, done) and an assignee. Managers see all projects and tasks; members see only tasks assigned to them.")
        #expect(spec.entities.map(\.name) == ["project", "task"])
        #expect(try field(entity(spec, "project"), "budget").type == .money)
        let task = try entity(spec, "task")
        #expect(try field(task, "due_date").type == .date)
        #expect(try field(task, "status").values == ["todo", "in_progress", "done"])
        #expect(task.ownerField == "assignee")
        #expect(spec.relations == [RelationSpec(kind: .oneToMany, from: "project", to: "task", via: "project")])
        #expect(permissions(spec, "member", "task") == [.init(entity: "task", actions: [.read], scope: .own)])
        #expect(permissions(spec, "member", "project") == [.init(entity: "project", actions: [.read], scope: .all)])
        #expect(spec.roles.map(\.name) == ["manager", "member", "admin"])
    }

    @Test func otherPhrasingsOfEnumsRelationsAndPermissions() throws {
        let tickets = try design("Tickets have a status: open, pending, closed and a priority (low/medium/high). Each ticket is for a customer.")
        let ticket = try entity(tickets, "ticket")
        #expect(try field(ticket, "status").values == ["open", "pending", "closed"])
        #expect(try field(ticket, "priority").values == ["low", "medium", "high"])
        #expect(try field(ticket, "customer").references == "customer")
        #expect(try entity(tickets, "customer").fields.allSatisfy { $0.inferred })

        let articles = try design("Articles have many tags and tags have many articles.")
        #expect(articles.relations == [RelationSpec(kind: .manyToMany, from: "article", to: "tag", via: "article_tags")])
        let keyword = try design("Posts have a title and a body. Posts and tags are many-to-many.")
        #expect(keyword.relations.contains(RelationSpec(kind: .manyToMany, from: "post", to: "tag", via: "post_tags")))

        let projects = try design("Projects have a name. Each project has many tasks. Tasks have a title, an estimate in hours, a done flag and a status. Viewers can only view projects and tasks. Members cannot delete tasks.")
        let task = try entity(projects, "task")
        #expect(try field(task, "done").type == .bool)
        #expect(try field(task, "estimate_hours").type == .decimal)
        #expect(try field(task, "status").values == ["todo", "in_progress", "done"])
        #expect(projects.assumptions.contains("task.status: no values were written; assumed todo, in_progress, done."))
        #expect(permissions(projects, "viewer", "task") == [.init(entity: "task", actions: [.read], scope: .all)])
        #expect(!permissions(projects, "member", "task").contains { $0.actions.contains(.delete) })
    }

    @Test func namesArePluralisedProperly() throws {
        let spec = try design("Companies have a name. Categories have a title. People have an email. Addresses have a street. Each person has a status (active, blocked).")
        #expect(spec.entities.map(\.plural).sorted() == ["addresses", "categories", "companies", "people"])
        #expect(try field(entity(spec, "person"), "status").values == ["active", "blocked"])
        #expect(EnglishInflection.plural("status") == "statuses")
        #expect(EnglishInflection.singular("statuses") == "status")
    }

    @Test(arguments: ["", "   ", "make it good", "an app", "something cool for my business", "I want a nice system that works well and is fast."])
    func vagueTextIsRejectedWithGuidance(_ text: String) throws {
        let error = try #require(throws: WireError.self) { try design(text) }
        #expect(error.code == .invalidArgument)
        #expect(error.details.first?.field == "description")
        #expect(error.message.contains("describe the things the application manages"))
    }

    @Test func absurdInputIsCapped() throws {
        let many = (1...55).map { "Gadget\($0)s have a name." }.joined(separator: " ")
        let error = try #require(throws: WireError.self) { try design(many) }
        #expect(error.code == .invalidArgument && error.details.first?.field == "description")
        #expect(error.message.contains("at most 50"))
        let long = String(repeating: "Contacts have a name. ", count: 1_000)
        let tooLong = try #require(throws: WireError.self) { try design(long) }
        #expect(tooLong.details.first?.field == "description")
    }

    @Test func sameInputGivesTheSameSpec() throws {
        for text in [Self.crm, "Build a CRM system with contacts and deals", "Articles have many tags and tags have many articles."] {
            let first = try design(text)
            let second = try design(text)
            #expect(first == second)
        }
    }

    @Test func userCriteriaAreAppendedAsCustom() throws {
        let input = ArchitectInput(title: "CRM", description: Self.crm, mode: .freeform, acceptanceCriteria: ["Deals can be exported as CSV", "  "])
        let criteria = try ProductArchitect().design(input).acceptanceCriteria
        let last = try #require(criteria.last)
        #expect(last.kind == .custom && last.statement == "Deals can be exported as CSV")
        #expect(criteria.filter { $0.kind == .custom }.count == 1)
    }
}
