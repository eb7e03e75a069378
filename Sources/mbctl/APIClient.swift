import Foundation
import Logging
import Shared
import Synchronization

/// The public API over Shared's libcurl client: one `APIOperation` per call, the bearer token,
/// `Grpc-Timeout` and `traceparent` on every request. Transport failures become
/// `unreachable`, error answers `api` failures carrying the wire error.
struct APIClient: Sendable {
    /// A JSON answer: the bytes as received (printed with `--json`) and parsed.
    struct Answer: Sendable {
        /// The body as received.
        let body: Data
        /// The body parsed (`.null` when it is not JSON).
        let json: JSONValue

        /// The body as text.
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    private let settings: Settings
    private let http: HTTPClient

    /// Creates a client; downloads of up to `maximumResponseBytes` are read whole.
    init(settings: Settings, maximumResponseBytes: Int = 1 << 30) {
        self.settings = settings
        let logger = Logger(label: "mbctl") { _ in SwiftLogNoOpLogHandler() }
        http = HTTPClient(loop: CurlLoop(logger: logger, maxConnectionsPerHost: 8), authenticator: nil, logger: logger, maximumResponseBytes: maximumResponseBytes)
    }

    /// The base URL of a service.
    func baseURL(_ service: Service) -> String {
        settings.urls[service] ?? Settings.defaultURL
    }

    /// The full URL of an operation with its path parameters and query (nil values left out).
    func url(_ operation: APIOperation, _ parameters: [String], query: [(String, String?)] = []) -> String {
        var url = baseURL(operation.service) + operation.path(parameters)
        let pairs = query.compactMap { name, value in
            value.map { "\(name)=\($0.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? $0)" }
        }
        if !pairs.isEmpty { url += "?" + pairs.joined(separator: "&") }
        return url
    }

    /// Calls an operation; a 2xx answer is returned, anything else throws.
    func call(
        _ operation: APIOperation, _ parameters: [String] = [], query: [(String, String?)] = [],
        body: JSONValue? = nil, headers: [(String, String)] = [], timeout: Duration = .seconds(30)
    ) async throws -> Answer {
        var all = headers
        if let token = settings.token { all.append(("Authorization", "Bearer \(token)")) }
        var data: Data?
        if let body {
            data = try JSONEncoder().encode(body)
            all.append(("Content-Type", "application/json"))
        }
        let request = HTTPClientRequest(method: operation.method, url: url(operation, parameters, query: query), headers: all, body: data)
        let response: HTTPClientResponse
        do {
            response = try await http.send(request, deadline: .after(timeout))
        } catch let error as WireError {
            throw CLIFailure.unreachable(operation.service, url: baseURL(operation.service), error)
        }
        if let error = response.wireError { throw CLIFailure.api(error) }
        return Answer(body: response.body, json: (try? JSONDecoder().decode(JSONValue.self, from: response.body)) ?? .null)
    }

    /// Follows a Server-Sent Events answer of `operation`: each event as it arrives, resumed after
    /// `lastEventID` when given. The sequence ends when the server ends the stream; it throws
    /// the failures `call` throws.
    func events(_ operation: APIOperation, _ parameters: [String], lastEventID: String?) -> AsyncThrowingStream<ServerSentEvent, any Error> {
        var headers = [("Accept", "text/event-stream")]
        if let token = settings.token { headers.append(("Authorization", "Bearer \(token)")) }
        if let lastEventID { headers.append(("Last-Event-ID", lastEventID)) }
        let request = HTTPClientRequest(method: operation.method, url: url(operation, parameters), headers: headers)
        let (http, base) = (http, baseURL(operation.service))
        return AsyncThrowingStream { continuation in
            let parser = Mutex(ServerSentEventParser())
            let task = Task {
                do {
                    // The server bounds a stream by its own maximum deadline; the caller resumes.
                    let response = try await http.stream(request, deadline: .after(.seconds(900))) { chunk in
                        for event in parser.withLock({ $0.feed(chunk) }) { continuation.yield(event) }
                    }
                    if let error = response.wireError { throw CLIFailure.api(error) }
                    continuation.finish()
                } catch let error as WireError {
                    continuation.finish(throwing: CLIFailure.unreachable(operation.service, url: base, error))
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
