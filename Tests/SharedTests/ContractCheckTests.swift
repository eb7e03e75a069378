import Foundation
import Hummingbird
import Shared
import Testing

/// The contract check compares registered routes with documented operations, both ways.
@Suite struct ContractCheckTests {
    private static let document = Data(#"""
        {"openapi": "3.1.0", "paths": {
          "/specs": {"get": {}, "post": {}, "parameters": []},
          "/specs/{id}/plans/{planId}": {"get": {}}
        }}
        """#.utf8)

    private static func router(extra: Bool = false, missingPlan: Bool = false) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("specs") { _, _ in "" }
        router.post("specs") { _, _ in "" }
        if !missingPlan { router.get("specs/:id/plans/:planId") { _, _ in "" } }
        if extra { router.delete("specs/:id") { _, _ in "" } }
        return router
    }

    @Test func matchingRoutesPass() throws {
        try ContractCheck.verify(Self.router(), against: try ContractRoutes(openAPI: Self.document), service: "test")
        #expect(ContractCheck.registered(in: Self.router()).contains(.init(method: "GET", path: "/specs/{id}/plans/{planId}")))
    }

    @Test func anUndocumentedRouteIsNamed() {
        let error = #expect(throws: ConfigError.self) { try ContractCheck.verify(Self.router(extra: true), against: try ContractRoutes(openAPI: Self.document), service: "test") }
        #expect(error?.reason == "routes missing from the contract: DELETE /specs/{id}")
    }

    @Test func aDocumentedOperationWithoutARouteIsNamed() {
        let error = #expect(throws: ConfigError.self) { try ContractCheck.verify(Self.router(missingPlan: true), against: try ContractRoutes(openAPI: Self.document), service: "test") }
        #expect(error?.reason == "documented operations without a route: GET /specs/{id}/plans/{planId}")
    }
}
