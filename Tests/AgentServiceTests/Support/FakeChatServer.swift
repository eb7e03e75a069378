import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Synchronization

/// A local OpenAI-compatible chat server whose replies are scripted per call.
final class FakeChatServer: Sendable {
    /// What the server does for one call.
    enum Behaviour: Sendable {
        case reply(String, promptTokens: Int = 100, completionTokens: Int = 50)
        case status(Int, retryAfter: Int? = nil)
        case hang(Duration)
    }

    private let script: Mutex<[Behaviour]>
    private let received = Mutex<[String]>([])
    private let receivedHeaders = Mutex<[HTTPFields]>([])
    private let fallback: Behaviour

    /// Creates a server; once the script is used up every call gets `fallback`.
    init(_ script: [Behaviour], fallback: Behaviour = .status(500)) {
        self.script = Mutex(script)
        self.fallback = fallback
    }

    /// Bodies of the calls received.
    var calls: [String] { received.withLock { $0 } }

    /// Headers of the calls received.
    var headers: [HTTPFields] { receivedHeaders.withLock { $0 } }

    /// Runs the server for the duration of `body`, passing its `/v1` base URL.
    func run(_ body: @escaping @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.post("v1/chat/completions") { request, _ -> Response in
            let text = String(buffer: try await request.body.collect(upTo: 1 << 22))
            self.received.withLock { $0.append(text) }
            self.receivedHeaders.withLock { $0.append(request.headers) }
            let behaviour = self.script.withLock { $0.isEmpty ? self.fallback : $0.removeFirst() }
            switch behaviour {
            case .reply(let content, let promptTokens, let completionTokens):
                let payload: [String: Any] = [
                    "id": "chatcmpl-test", "object": "chat.completion", "model": "test-model",
                    "choices": [["index": 0, "message": ["role": "assistant", "content": content], "finish_reason": "stop"]],
                    "usage": ["prompt_tokens": promptTokens, "completion_tokens": completionTokens, "total_tokens": promptTokens + completionTokens],
                ]
                let data = try JSONSerialization.data(withJSONObject: payload)
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
            case .status(let code, let retryAfter):
                var headers: HTTPFields = [.contentType: "application/json"]
                if let retryAfter { headers[.retryAfter] = String(retryAfter) }
                return Response(status: .init(code: code), headers: headers, body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"message":"scripted failure"}}"#)))
            case .hang(let duration):
                try await Task.sleep(for: duration)
                return Response(status: .ok)
            }
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body("http://127.0.0.1:\(client.port!)/v1")
        }
    }
}
