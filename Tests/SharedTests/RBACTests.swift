import Foundation
import Shared
import Testing

/// The role table of DESIGN.md, checked for every action and every role: owner/admin create
/// specs and start/cancel runs; member also plans; viewer only reads; approve/reject needs
/// owner/admin. `authorize` throws PERMISSION_DENIED exactly where `allows` says no.
@Suite struct RBACTests {
    /// The expected decision, written from DESIGN.md independently of `RBAC.table`. The switch
    /// is exhaustive, so a new action cannot be added without deciding who may perform it.
    static func expected(_ role: Role, _ action: Action) -> Bool {
        switch action {
        case .createSpec, .startRun, .cancelRun, .decideApproval:
            return role == .owner || role == .admin
        case .planSpec:
            return role != .viewer
        case .readSpec, .readRun, .readAnalytics, .readApproval, .readAgents:
            return true
        case .extendRun, .manageBudget:
            // The issue of budgets that pause: an owner or admin may raise a paused run's cap
            // and set the tenant's monthly budgets.
            return role == .owner || role == .admin
        case .readAudit, .manageApprovalPolicy:
            // DESIGN.md names neither; the audit trail and the approval policy are the tenant's
            // administration (owner/admin).
            return role == .owner || role == .admin
        }
    }

    @Test(arguments: Action.allCases, Role.allCases)
    func allowsMatchesTheDesign(action: Action, role: Role) {
        #expect(RBAC.allows(role, action) == Self.expected(role, action))
    }

    @Test(arguments: Action.allCases, Role.allCases)
    func authorizeThrowsPermissionDeniedExactlyWhenNotAllowed(action: Action, role: Role) throws {
        let principal = Principal(userID: "user-1", tenantID: UUID(), role: role)
        if Self.expected(role, action) {
            try RBAC.authorize(principal, action)
        } else {
            let error = #expect(throws: WireError.self) { try RBAC.authorize(principal, action) }
            #expect(error?.code == .permissionDenied)
            #expect(error?.httpStatus == 403)
            #expect(error?.message.contains(action.rawValue) == true)
        }
    }

    @Test(arguments: Action.allCases)
    func everyActionHasAnEntry(action: Action) throws {
        let roles = try #require(RBAC.table[action])
        #expect(!roles.isEmpty, "\(action) would be denied to everyone")
        #expect(roles.contains(.owner), "the owner may do everything")
    }

    @Test func viewerMayOnlyRead() {
        let allowed = Action.allCases.filter { RBAC.allows(.viewer, $0) }
        #expect(!allowed.isEmpty)
        #expect(allowed.allSatisfy { $0.rawValue.hasSuffix(".read") }, "viewer may \(allowed)")
    }

    @Test func memberDiffersFromViewerOnlyByPlanning() {
        let memberOnly = Action.allCases.filter { RBAC.allows(.member, $0) && !RBAC.allows(.viewer, $0) }
        let viewerOnly = Action.allCases.filter { RBAC.allows(.viewer, $0) && !RBAC.allows(.member, $0) }
        #expect(memberOnly == [.planSpec])
        #expect(viewerOnly.isEmpty)
    }

    @Test func ownerAndAdminHaveTheSameRights() {
        for action in Action.allCases {
            #expect(RBAC.allows(.owner, action) == RBAC.allows(.admin, action), "\(action)")
        }
    }

    @Test func serviceCallerIsAuthorizedByTheUsersRole() {
        // A service token carries the user's role; the calling service grants nothing extra.
        let viaService = Principal(userID: "user-1", tenantID: UUID(), role: .viewer, callingService: "run-service")
        let error = #expect(throws: WireError.self) { try RBAC.authorize(viaService, .startRun) }
        #expect(error?.code == .permissionDenied)
    }
}
