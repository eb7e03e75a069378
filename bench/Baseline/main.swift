import Foundation
import Hummingbird

/// The benchmark's baseline: a bare Hummingbird server (same dependency versions as the
/// services) answering `GET /json` with a fixed 203-byte JSON body, and nothing else — no
/// middleware, no auth, no database. `bench/http` divides every service figure by its figures.
@main
struct Baseline {
    static func main() async throws {
        let port = Int(ProcessInfo.processInfo.environment["BASELINE_PORT"] ?? "") ?? 18180
        let body = ByteBuffer(string: Self.body)
        let router = Router()
        router.get("json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "baseline"))
        try await app.runService()
    }

    /// 203 bytes, about the size of a small resource.
    static let body = #"{"id":"6f1c2b7e-3f4a-4c59-9a1e-2b8d7c6e5f40","title":"Baseline resource A1","status":"planned","created_at":"2026-12-06T07:00:00Z","tags":["bench","baseline","hummingbird","json"],"count":4242,"ok":true}"#
}
