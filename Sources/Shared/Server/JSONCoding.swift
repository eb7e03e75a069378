import HTTPTypes
import Foundation
import Hummingbird

/// The JSON the services write: sorted keys, ISO 8601 dates.
public enum JSONCoding {
    /// Encodes a value.
    public static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(value)
    }

    /// A JSON response with a status.
    public static func response(_ body: Data, status: Int) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension HTTPField.Name {
    /// `Idempotent-Replayed: true` marks a replayed create response.
    public static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}
