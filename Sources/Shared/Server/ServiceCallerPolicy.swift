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

    /// The callers of a contract's operations; a name that is no service of the mesh is refused.
    public init(contract: ContractRoutes) throws {
        var callers: [String: Set<String>] = [:]
        for operation in contract.operations {
            guard let names = operation.serviceCallers else { continue }
            guard Set(names).isSubset(of: Self.meshServices) else {
                throw ConfigError(key: "openapi.json", reason: "x-service-callers of \(operation.method) \(operation.path) must list services of the mesh")
            }
            callers["\(operation.method) \(operation.path)"] = Set(names)
        }
        self.callers = callers
    }

    /// Reads the callers from an OpenAPI document (see `init(contract:)`).
    public init(openAPI document: Data) throws {
        try self.init(contract: ContractRoutes(openAPI: document))
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
