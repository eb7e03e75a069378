import Foundation
import Testing
@testable import Shared

/// The interpolation type binds values as parameters, never as text.
@Suite struct SQLTests {
    @Test func interpolatedValuesBecomeNumberedParameters() {
        let id = UUID()
        let name = "Robert'); DROP TABLE specs;--"
        let sql: SQL = "SELECT * FROM specs WHERE id = \(id) AND name = \(name) AND n = \(42)"
        #expect(sql.text == "SELECT * FROM specs WHERE id = $1 AND name = $2 AND n = $3")
        #expect(sql.binds == [id.uuidString.lowercased(), name, "42"])
        #expect(!sql.description.contains("DROP"))
    }

    @Test func nilBindsNullAndUnsafeSQLIsRawText() {
        let missing: String? = nil
        let sql: SQL = "UPDATE \(unsafeSQL: "specs") SET title = \(missing)"
        #expect(sql.text == "UPDATE specs SET title = $1")
        #expect(sql.binds == [nil])
    }

    @Test func nestedFragmentsAreRenumbered() {
        let filter: SQL = "status = \("ready") AND owner = \("u1")"
        var sql: SQL = "SELECT 1 WHERE tenant = \(UUID()) AND "
        sql.append(filter)
        let nested: SQL = "SELECT \(1), \(filter)"
        #expect(sql.text.hasSuffix("status = $2 AND owner = $3"))
        #expect(sql.binds.count == 3)
        #expect(nested.text == "SELECT $1, status = $2 AND owner = $3")
    }

    @Test func timestampsRoundTripThroughText() throws {
        let date = Date(timeIntervalSince1970: 1_764_087_651.123456)
        let parsed = try Date(postgresText: date.postgresText)
        #expect(abs(parsed.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.000_002)
        let fromServer = try Date(postgresText: "2026-11-25 16:20:51.5+01")
        #expect(fromServer.timeIntervalSince1970 == 1_795_620_051.5)
        #expect(throws: PostgresDecodingError.self) { try Date(postgresText: "yesterday") }
    }

    @Test func byteaHexRoundTrips() throws {
        let data = Data([0, 1, 0xfe, 0xff, 0x7f])
        #expect(data.postgresText == "\\x0001feff7f")
        #expect(try Data(postgresText: data.postgresText) == data)
    }
}
