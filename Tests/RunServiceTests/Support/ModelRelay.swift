import Foundation
import Hummingbird
import HummingbirdTesting
import MeshTestSupport
import Shared
import Synchronization

/// A model provider for the mesh: an OpenAI-compatible chat server (`POST /v1/chat/completions`)
/// that answers a role's prompt as that role's deterministic agent would. It reads the role from
/// the prompt's first line and the input from its end, asks the mesh's agent-service to run that
/// role with the deterministic provider, and replies with the output — changed by `amend` where a
/// test wants a model to say more (a reviewer's raised risk) — as model `ModelRelay.model`, with
/// tokens counted from the text. It keeps the roles it was asked for, in order.
final class ModelRelay: Sendable {
    /// The model name every reply carries (price it with `META_BUILDER_MODEL_PRICES`).
    static let model = "relay-model"

    private let agentPort: Int
    private let amend: @Sendable (_ role: String, _ output: JSONValue) -> JSONValue
    private let client = MeshClient(jwtSecret: RunMesh.jwtSecret)
    /// The tenant the relay's own agent calls run in (never a test's tenant).
    private let tenant = UUID()
    private let asked = Mutex<[String]>([])

    /// The prompts' first words, by role.
    private static let roles = [
        "You are the Product Architect": "product_architect", "You are the System Designer": "system_designer",
        "You are the Security/Compliance reviewer": "security_compliance", "You are the Codegen Engineer": "codegen_engineer",
        "You are the Auto-Fixer": "auto_fixer", "You are the Reviewer": "reviewer",
    ]

    /// A relay to the agent-service of the mesh `withMesh` starts, on a free port.
    init(amend: @escaping @Sendable (_ role: String, _ output: JSONValue) -> JSONValue = { $1 }) throws {
        agentPort = try LoopbackPort.free()
        self.amend = amend
    }

    /// The roles asked for so far, in order.
    var calls: [String] { asked.withLock { $0 } }

    /// Runs the relay and a mesh whose agent-service calls it — its URL, an API key, and the
    /// price of `model` (0.0004 / 0.0016 USD per 1000 prompt / completion tokens) — with
    /// `environment` added, for the duration of `body`.
    func withMesh(environment extra: [String: String] = [:], _ body: @escaping @Sendable (RunMesh) async throws -> Void) async throws {
        try await run { [agentPort] baseURL in
            let environment = [
                "META_BUILDER_OPENAI_BASE_URL": baseURL, "META_BUILDER_OPENAI_API_KEY": "sk-relay-test-key",
                "META_BUILDER_MODEL_PRICES": "\(Self.model)=0.0004/0.0016",
            ].merging(extra) { $1 }
            try await RunMesh.with(agentPort: agentPort, environment: environment, body)
        }
    }

    /// Runs the server for the duration of `body`, passing its `/v1` base URL.
    private func run<T: Sendable>(_ body: @escaping @Sendable (String) async throws -> T) async throws -> T {
        let router = Router()
        router.post("v1/chat/completions") { request, _ -> Response in
            try await self.answer(try await request.body.collect(upTo: 1 << 24))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        let result = Mutex<T?>(nil)
        try await app.test(.live) { client in
            let value = try await body("http://127.0.0.1:\(client.port!)/v1")
            result.withLock { $0 = value }
        }
        return result.withLock { $0! }
    }

    private struct Completion: Decodable {
        struct Message: Decodable {
            let role: String
            let content: String
        }

        let messages: [Message]
    }

    /// One completion: the role's deterministic output, amended, as the assistant's message.
    private func answer(_ body: ByteBuffer) async throws -> Response {
        let completion = try JSONDecoder().decode(Completion.self, from: Data(buffer: body))
        let prompt = completion.messages.first { $0.role == "user" }?.content ?? ""
        guard let role = Self.roles.first(where: { prompt.hasPrefix($0.key) })?.value,
              let marker = prompt.range(of: "\nInput:\n", options: .backwards) else {
            return Self.json(400, ["error": ["message": "not a Meta-Builder role prompt"]])
        }
        asked.withLock { $0.append(role) }
        let call = #"{"idempotency_key":"relay-\#(UUID().lowercaseText)","provider":"deterministic","input":"# + prompt[marker.upperBound...] + "}"
        let token = client.serviceToken(for: Principal(userID: "model-relay", tenantID: tenant, role: .owner), to: "agent-service")
        let executed = try await client.call("POST", "http://127.0.0.1:\(agentPort)/internal/v1/agents/\(role)/execute", token: token, body: call, timeout: .seconds(120))
        guard executed.status == 201, let output = executed.json?["output"] else {
            return Self.json(502, ["error": ["message": "the deterministic \(role) answered \(executed.status): \(executed.text.prefix(300))"]])
        }
        let content = String(decoding: try JSONEncoder().encode(amend(role, output)), as: UTF8.self)
        let promptTokens = prompt.utf8.count / 4
        let completionTokens = content.utf8.count / 4
        return Self.json(200, [
            "id": "chatcmpl-relay", "object": "chat.completion", "model": Self.model,
            "choices": [["index": 0, "message": ["role": "assistant", "content": content], "finish_reason": "stop"]],
            "usage": ["prompt_tokens": promptTokens, "completion_tokens": completionTokens, "total_tokens": promptTokens + completionTokens],
        ])
    }

    private static func json(_ status: Int, _ payload: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: payload)) ?? Data()
        return Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
