import Foundation
import Shared

/// The body of `POST /runs/{id}/regenerate`: what a run start takes (`StartRunRequest`) but the
/// base repository, which is the regenerated run's, and `spec_id`, the spec to generate from
/// when not the run's own (a revised spec is a new spec). Validated field by field.
enum RegenerateRunRequest {
    /// Decodes strictly; the spec to generate from (nil: the run's), the start options, and the
    /// raw document, whose hash keys idempotent replays.
    static func parse(_ data: Data, settings: RunSettings) throws -> (specID: UUID?, options: StartRunRequest.Options, raw: JSONValue) {
        let body = data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) ? Data("{}".utf8) : data
        let raw = try WireJSONDecoder.decode(JSONValue.self, from: body)
        guard case .object(var fields) = raw else { throw WireError(.invalidArgument, "request body must be a JSON object") }
        guard fields["base_repository"] == nil else {
            throw WireError.invalidArgument(field: "base_repository", "a regeneration builds on the regenerated run's base repository; leave it out")
        }
        var spec: UUID?
        if let value = fields.removeValue(forKey: "spec_id") {
            guard let text = value.stringValue, let id = UUID(text: text) else { throw WireError.invalidArgument(field: "spec_id", "must be a spec id (a UUID)") }
            spec = id
        }
        let (options, _) = try StartRunRequest.parse(try JSONEncoder().encode(JSONValue.object(fields)), settings: settings)
        return (spec, options, raw)
    }
}
