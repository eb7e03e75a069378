import Foundation
import HTTPTypes
import HummingbirdTesting
import Shared
import Testing
@testable import SpecService

/// RBAC, tenant isolation, rate limits and idempotency of the spec-service.
@Suite struct SpecAccessTests {
    @Test func everyRoleOnEveryEndpoint() async throws {
        let mesh = try MeshHarness()
        let tenant = UUID()
        try await mesh.withAgentService {
            try await mesh.withSpecService { client in
                let seeded = try await client.send(.post, "/api/meta/v2/specs", token: mesh.token(tenant: tenant, role: .owner), json: SpecBodies.freeform())
                let specID = try #require(seeded.json.string("id"))
                let planned = try await client.send(.post, "/api/meta/v2/specs/\(specID)/plan", token: mesh.token(tenant: tenant, role: .owner))
                let planID = try #require(planned.json.string("id"))
                for role in Role.allCases {
                    let token = mesh.token(tenant: tenant, role: role)
                    let create = try await client.send(.post, "/api/meta/v2/specs", token: token, json: SpecBodies.freeform())
                    #expect(create.status == (RBAC.allows(role, .createSpec) ? .created : .forbidden), "\(role) create")
                    let plan = try await client.send(.post, "/api/meta/v2/specs/\(specID)/plan", token: token)
                    #expect(plan.status == (RBAC.allows(role, .planSpec) ? .created : .forbidden), "\(role) plan")
                    for uri in ["/api/meta/v2/specs", "/api/meta/v2/specs/\(specID)", "/api/meta/v2/specs/\(specID)/plans", "/api/meta/v2/specs/\(specID)/plans/\(planID)"] {
                        let read = try await client.send(.get, uri, token: token)
                        #expect(read.status == .ok, "\(role) GET \(uri)")
                    }
                }
                #expect(RBAC.allows(.member, .planSpec) && !RBAC.allows(.member, .createSpec) && !RBAC.allows(.viewer, .planSpec))
                let expired = JWT(secret: mesh.jwtSecret, issuer: "meta-builder", audience: "meta-builder")
                    .sign(JWTClaims(sub: "user-1", tid: tenant.uuidString.lowercased(), role: "owner", exp: Date().timeIntervalSince1970 - 60))
                let routes: [(HTTPRequest.Method, String)] = [
                    (.post, "/api/meta/v2/specs"), (.get, "/api/meta/v2/specs"), (.get, "/api/meta/v2/specs/\(specID)"),
                    (.post, "/api/meta/v2/specs/\(specID)/plan"), (.get, "/api/meta/v2/specs/\(specID)/plans"),
                    (.get, "/api/meta/v2/specs/\(specID)/plans/\(planID)"),
                ]
                for (method, uri) in routes {
                    for token in [nil, "not-a-jwt", mesh.token(tenant: tenant, role: .owner) + "x", expired] {
                        let response = try await client.send(method, uri, token: token, json: method == .post ? SpecBodies.freeform() : nil)
                        #expect(response.status == .unauthorized, "\(method) \(uri)")
                        #expect(response.wireError?.code == .unauthenticated)
                    }
                }
            }
        }
    }

    @Test func anotherTenantsIdsAreNotFound() async throws {
        let mesh = try MeshHarness()
        let tenantA = UUID(), tenantB = UUID()
        try await mesh.withAgentService {
            try await mesh.withSpecService { client in
                let ownerA = mesh.token(tenant: tenantA, role: .owner)
                let ownerB = mesh.token(tenant: tenantB, role: .owner)
                let created = try await client.send(.post, "/api/meta/v2/specs", token: ownerA, json: SpecBodies.freeform(title: "A's secret CRM"))
                let specID = try #require(created.json.string("id"))
                let planned = try await client.send(.post, "/api/meta/v2/specs/\(specID)/plan", token: ownerA)
                let planID = try #require(planned.json.string("id"))
                for (method, uri) in [(HTTPRequest.Method.get, "/api/meta/v2/specs/\(specID)"), (.post, "/api/meta/v2/specs/\(specID)/plan"), (.get, "/api/meta/v2/specs/\(specID)/plans"), (.get, "/api/meta/v2/specs/\(specID)/plans/\(planID)")] {
                    let response = try await client.send(method, uri, token: ownerB)
                    #expect(response.status == .notFound, "\(method) \(uri)")
                    #expect(response.wireError?.code == .notFound)
                }
                let listB = try await client.send(.get, "/api/meta/v2/specs", token: ownerB)
                guard case .array(let specs)? = listB.json["specs"] else { Issue.record("no specs"); return }
                #expect(specs.isEmpty)
                let garbage = try await client.send(.get, "/api/meta/v2/specs/not-a-uuid", token: ownerB)
                #expect(garbage.status == .notFound)
            }
        }
    }

    @Test func twentyFirstCreateInAWindowIsRateLimited() async throws {
        let mesh = try MeshHarness()
        let tenant = UUID(), other = UUID()
        try await mesh.withSpecService { client in
            let token = mesh.token(tenant: tenant, role: .admin)
            for index in 0..<20 {
                let response = try await client.send(.post, "/api/meta/v2/specs", token: token, json: SpecBodies.freeform(title: "Spec \(index)"))
                #expect(response.status == .created)
            }
            let limited = try await client.send(.post, "/api/meta/v2/specs", token: token, json: SpecBodies.freeform())
            #expect(limited.status == .tooManyRequests)
            #expect(limited.wireError?.code == .resourceExhausted)
            let retryAfter = try #require(limited.headers[.retryAfter].flatMap(Int.init))
            #expect(retryAfter >= 1 && retryAfter <= 3600)
            #expect(limited.headers[HTTPField.Name("RateLimit-Remaining")!] == "0")
            let unaffected = try await client.send(.post, "/api/meta/v2/specs", token: mesh.token(tenant: other, role: .admin), json: SpecBodies.freeform())
            #expect(unaffected.status == .created)
        }
    }

    @Test func concurrentCreatesWithOneKeyMakeOneSpec() async throws {
        let mesh = try MeshHarness()
        let tenant = UUID()
        try await mesh.withSpecService { client in
            let token = mesh.token(tenant: tenant, role: .owner)
            let key = UUID().uuidString
            // Eight connections at once (the test client would send them one after another).
            let answers = try await ParallelClient.with(client) { parallel in
                try await withThrowingTaskGroup(of: (Int, String?, StatusCode?, String?).self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            let response = try await parallel.send("POST", "/api/meta/v2/specs", token: token, json: SpecBodies.freeform(), headers: [("Idempotency-Key", key)])
                            return (response.status, response.json.string("id"), response.wireError?.code, response.header("Retry-After"))
                        }
                    }
                    return try await group.reduce(into: [(Int, String?, StatusCode?, String?)]()) { $0.append($1) }
                }
            }
            // Each one either got the spec (made or replayed) or was told the key is still in progress.
            let created = answers.filter { $0.0 == 201 }
            let inProgress = answers.filter { $0.0 == 409 }
            #expect(!created.isEmpty)
            #expect(created.count + inProgress.count == 8)
            #expect(inProgress.allSatisfy { $0.2 == .aborted && $0.3 == "1" })
            #expect(Set(created.compactMap(\.1)).count == 1)
            let list = try await client.send(.get, "/api/meta/v2/specs", token: token)
            guard case .array(let specs)? = list.json["specs"] else { Issue.record("no specs"); return }
            #expect(specs.count == 1)
            let conflict = try await client.send(.post, "/api/meta/v2/specs", token: token, json: SpecBodies.freeform(title: "Different"), headers: [.idempotencyKey: key])
            #expect(conflict.status == .conflict)
            #expect(conflict.wireError?.code == .alreadyExists)
            let replay = try await client.send(.post, "/api/meta/v2/specs", token: token, json: SpecBodies.freeform(), headers: [.idempotencyKey: key])
            #expect(replay.headers[.idempotentReplayed] == "true")
            #expect(replay.json.string("id") == created.first?.1)
        }
    }

    @Test func replaysAreTheSameRequestWrittenDifferentlyAndCostNoQuota() async throws {
        let mesh = try MeshHarness(rateLimits: RateLimitConfig(limits: [.specs: 2, .plans: 20], windowSeconds: 3600))
        try await mesh.withSpecService { client in
            let token = mesh.token(tenant: UUID(), role: .owner)
            let key = UUID().uuidString
            let compact = #"{"title":"CRM","mode":"freeform","description":"contacts with a name and an email"}"#
            let first = try await client.send(.post, "/api/meta/v2/specs", token: token, json: compact, headers: [.idempotencyKey: key])
            #expect(first.status == .created)
            #expect(first.headers[HTTPField.Name("RateLimit-Remaining")!] == "1")
            // Reordered keys and whitespace: the same request, replayed, as often as the client retries.
            let reordered = """
                { "description" : "contacts with a name and an email",
                  "mode" : "freeform", "title" : "CRM" }
                """
            for _ in 0..<3 {
                let replay = try await client.send(.post, "/api/meta/v2/specs", token: token, json: reordered, headers: [.idempotencyKey: key])
                #expect(replay.status == .created)
                #expect(replay.headers[.idempotentReplayed] == "true")
                #expect(replay.json.string("id") == first.json.string("id"))
            }
            // The replays spent nothing: one more new spec fits in the quota of 2, the next does not.
            let second = try await client.send(.post, "/api/meta/v2/specs", token: token, json: SpecBodies.freeform(title: "Second"))
            #expect(second.status == .created)
            let third = try await client.send(.post, "/api/meta/v2/specs", token: token, json: SpecBodies.freeform(title: "Third"))
            #expect(third.status == .tooManyRequests)
        }
    }

    @Test(arguments: [
        (#"{"title": "x", "#, nil as String?),
        (#"{"title": 5, "description": "contacts", "mode": "freeform"}"#, "title"),
        (#"{"title": "  ", "description": "contacts with a name", "mode": "freeform"}"#, "title"),
        (#"{"title": "x", "description": "contacts", "mode": "poetry"}"#, "mode"),
        (#"{"title": "x", "mode": "freeform"}"#, "description"),
        (#"{"title": "x", "description": "contacts", "mode": "freeform", "colour": "red"}"#, "colour"),
        (#"{"title": "x", "mode": "guided"}"#, "form"),
        (#"{"title": "x", "mode": "guided", "form": {"entities": [{"name": "book", "fields": [{"name": "author", "type": "reference", "references": "writer"}]}]}}"#, "form.entities[0].fields[0].references"),
        (#"{"title": "x", "mode": "guided", "form": {"entities": [{"name": "book", "fields": [{"name": "pages", "type": "integer"}]}]}}"#, "form.entities[0].fields[0].type"),
        (#"{"title": "x", "mode": "guided", "form": {"entities": [{"name": "book", "fields": [{"name": "a", "type": "int"}]}, {"name": "book", "fields": [{"name": "b", "type": "int"}]}]}}"#, "form.entities[1].name"),
        // A mistyped key inside the form is refused, not dropped (it would silently lose the PII flag).
        (#"{"title": "x", "mode": "guided", "form": {"entities": [{"name": "patient", "fields": [{"name": "email", "type": "email", "PII": true}]}]}}"#, "form.entities[0].fields[0].PII"),
        (#"{"title": "x", "mode": "guided", "form": {"entities": [{"name": "deal", "ownerField": "owner", "fields": [{"name": "owner", "type": "string"}]}]}}"#, "form.entities[0].ownerField"),
        // Control characters: a NUL would be cut off by libpq or rejected by jsonb.
        (#"{"title": "\u0000abc", "description": "contacts with a name", "mode": "freeform"}"#, "title"),
        (#"{"title": "x", "description": "contacts with a name", "mode": "freeform", "acceptance_criteria": ["ok", "bell \u0007"]}"#, "acceptance_criteria[1]"),
    ])
    func badInputIsRejectedNamingTheField(body: String, field: String?) async throws {
        let mesh = try MeshHarness()
        try await mesh.withSpecService { client in
            let response = try await client.send(.post, "/api/meta/v2/specs", token: mesh.token(tenant: UUID(), role: .owner), json: body)
            #expect(response.status == .badRequest, "\(body)")
            #expect(response.wireError?.code == .invalidArgument)
            if let field { #expect(response.wireError?.details.first?.field == field, "\(body)") }
        }
    }

    @Test func oversizedDescriptionIsRejected() async throws {
        let mesh = try MeshHarness()
        try await mesh.withSpecService { client in
            let response = try await client.send(.post, "/api/meta/v2/specs", token: mesh.token(tenant: UUID(), role: .owner), json: SpecBodies.freeform(description: String(repeating: "contacts and deals ", count: 1200)))
            #expect(response.status == .badRequest)
            #expect(response.wireError?.details.first?.field == "description")
        }
    }
}
