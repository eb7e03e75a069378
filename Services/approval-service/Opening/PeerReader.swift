import Foundation
import Shared

/// Reads JSON documents from the other services of the mesh through the Shared `HTTPClient`,
/// acting for the principal of the current request scope (its service token carries that
/// identity). A non-2xx answer throws the peer's wire error; a 2xx body that does not decode
/// breaks the peer's contract: INTERNAL without `Retry-After`, logged with the peer and trace id
/// and counted in `meta_builder_peer_contract_violations_total{peer}` (`HTTPClient.contractViolation`)
/// — never retried.
struct PeerReader: Sendable {
    let http: HTTPClient

    /// GETs `url` from `peer` (`run-service`, `spec-service`) and decodes it.
    func get<Document: Decodable>(_ url: String, from peer: String, as type: Document.Type) async throws -> Document {
        let response = try await http.send(HTTPClientRequest(method: "GET", url: url, headers: [("Accept", "application/json")]))
        if let error = response.wireError { throw error }
        do {
            return try JSONDecoder().decode(Document.self, from: response.body)
        } catch {
            throw http.contractViolation(peer: peer, url: url, "the body is not the documented \(Document.self): \(error)")
        }
    }

    /// GETs `url` from `peer` as UTF-8 text (`accept` names the media type asked for).
    func text(_ url: String, from peer: String, accept: String) async throws -> String {
        let response = try await http.send(HTTPClientRequest(method: "GET", url: url, headers: [("Accept", accept)]))
        if let error = response.wireError { throw error }
        guard let text = String(data: response.body, encoding: .utf8) else {
            throw http.contractViolation(peer: peer, url: url, "the text is not UTF-8")
        }
        return text
    }
}
