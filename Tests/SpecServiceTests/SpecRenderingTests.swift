import Foundation
import Hummingbird
import Logging
import Shared
import Testing
@testable import SpecService

/// Reads answer with JSON that Postgres renders; it must be exactly the document the `Codable`
/// model writes for the same row (same keys, absent optionals left out, times in whole seconds).
@Suite struct SpecRenderingTests {
    @Test func renderedSpecsEqualTheirCodableEncoding() async throws {
        let mesh = try MeshHarness()
        let tenant = UUID()
        let owner = mesh.token(tenant: tenant, role: .owner)
        let bodies = [
            SpecBodies.freeform(title: "Plain"),
            SpecBodies.guided,
            #"{"title":"With target","description":"Tickets with a title","mode":"freeform","target_repository":"svc/tickets","acceptance_criteria":["a \"quoted\" line","ünïcödé ✓"]}"#,
        ]
        try await mesh.withSpecService { client in
            var created: [String] = []
            for body in bodies {
                let response = try await client.send(.post, "/api/meta/v2/specs", token: owner, json: body)
                #expect(response.status == .created, "\(String(buffer: response.body))")
                created.append(try #require(response.json.string("id")))
            }
            let pool = PostgresPool(config: DatabaseConfig(url: try MeshHarness.require("META_BUILDER_SPEC_DATABASE_URL"), poolSize: 1), applicationName: "rendering-test", logger: Logger(label: "test"))
            defer { pool.close() }
            let repository = SpecRepository(pool: pool)
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            var expectedItems: [JSONValue] = []
            for id in created {
                let model = try await repository.find(try #require(UUID(uuidString: id)), tenant: tenant)
                let expected = try JSONDecoder().decode(JSONValue.self, from: encoder.encode(model))
                expectedItems.append(expected)
                let single = try await client.send(.get, "/api/meta/v2/specs/\(id)", token: owner)
                #expect(single.status == .ok)
                #expect(single.json == expected)
            }
            let list = try await client.send(.get, "/api/meta/v2/specs?page_size=2", token: owner)
            #expect(list.json["specs"] == .array(Array(expectedItems.reversed().prefix(2))))
            let token = try #require(list.json.string("next_page_token"))
            let rest = try await client.send(.get, "/api/meta/v2/specs?page_size=2&page_token=\(token)", token: owner)
            #expect(rest.json["specs"] == .array([expectedItems[0]]))
            #expect(rest.json["next_page_token"] == nil)
        }
    }
}
