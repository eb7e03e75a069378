import Foundation
import MeshTestSupport
import Shared

/// An operation of a service's served contract (`/openapi.json`), with the services its
/// `x-service-callers` admits and the roles its `x-roles` admits.
struct RouteContract: Sendable, CustomStringConvertible {
    let method: String
    /// The path template, e.g. `/api/meta/v2/runs/{id}`.
    let template: String
    let callers: [String]
    /// `x-roles`, when the operation states them.
    let roles: Set<String>?

    /// Internal routes admit service tokens only.
    var isInternal: Bool { template.hasPrefix("/internal/") }

    var description: String { "\(method) \(template)" }

    /// The path with every parameter replaced by `value(name)`.
    func path(_ value: (String) -> String) -> String {
        var path = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            path += rest[..<open] + value(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return path + rest
    }

    /// The authenticated operations of a contract: those under `/api/` or `/internal/`.
    static func all(in contract: JSONValue) -> [RouteContract] {
        operations(in: contract).filter { $0.template.hasPrefix("/api/") || $0.isInternal }
    }

    /// Every operation of a contract.
    static func operations(in contract: JSONValue) -> [RouteContract] {
        guard case let .object(paths)? = contract["paths"] else { return [] }
        return paths.keys.sorted().flatMap { template -> [RouteContract] in
            guard case let .object(operations)? = paths[template] else { return [] }
            return operations.keys.sorted().compactMap { method -> RouteContract? in
                guard ["get", "post", "put", "patch", "delete"].contains(method), let operation = operations[method] else { return nil }
                let callers = operation["x-service-callers"]?.array?.compactMap(\.stringValue) ?? []
                let roles = operation["x-roles"]?.array.map { Set($0.compactMap(\.stringValue)) }
                return RouteContract(method: method.uppercased(), template: template, callers: callers, roles: roles)
            }
        }
    }
}
