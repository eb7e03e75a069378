import Foundation
import Hummingbird

/// Which services may call which routes of a service with a service token, as its OpenAPI
/// contract declares them: an operation's `x-service-callers` lists the services allowed; an
/// operation without it accepts no service token. A service token is otherwise valid only at
/// the service it is addressed to, so this is the third check after issuer and audience.
public struct ServiceCallerPolicy: Sendable {
    /// The services of the mesh, the only names `x-service-callers` may hold.
    public static let meshServices: Set<String> = ["spec-service", "run-service", "agent-service", "approval-service"]

    /// Allowed callers by `METHOD /path/{parameter}` (OpenAPI's form, which is also the router's
    /// endpoint path).
    private let callers: [String: Set<String>]

    /// Reads the callers from an OpenAPI document; a name that is no service of the mesh is refused.
    public init(openAPI document: Data) throws {
        guard let root = try JSONSerialization.jsonObject(with: document) as? [String: Any],
              let paths = root["paths"] as? [String: [String: Any]] else {
            throw ConfigError(key: "openapi.json", reason: "has no paths object")
        }
        var callers: [String: Set<String>] = [:]
        for (path, item) in paths {
            for (method, operation) in item {
                guard let operation = operation as? [String: Any], let names = operation["x-service-callers"] else { continue }
                guard let names = names as? [String], Set(names).isSubset(of: Self.meshServices) else {
                    throw ConfigError(key: "openapi.json", reason: "x-service-callers of \(method.uppercased()) \(path) must list services of the mesh")
                }
                callers["\(method.uppercased()) \(path)"] = Set(names)
            }
        }
        self.callers = callers
    }

    /// The routes (`METHOD /path/{parameter}`) `service` may call, sorted.
    public func routes(callableBy service: String) -> [String] {
        callers.filter { $0.value.contains(service) }.keys.sorted()
    }

    /// Whether `service` may call the route `route` (the router's endpoint path) with `method`.
    public func allows(_ service: String, method: HTTPRequest.Method, route: String?) -> Bool {
        guard let route else { return false }
        return callers["\(method.rawValue) \(route)"]?.contains(service) == true
    }
}
