import Testing
@testable import Shared

/// Every SQLSTATE class and Redis reply has a deliberate wire error: what the client can fix,
/// what passes (with Retry-After), and what is a bug; messages never carry the server's text.
@Suite struct ErrorMappingTests {
    @Test(arguments: [
        ("23505", StatusCode.alreadyExists), ("23P01", .alreadyExists), ("23503", .failedPrecondition), ("23001", .failedPrecondition),
        ("23502", .invalidArgument), ("23514", .invalidArgument), ("22001", .invalidArgument), ("22P02", .invalidArgument),
        ("22012", .invalidArgument), ("54001", .invalidArgument), ("42501", .permissionDenied),
        ("40001", .aborted), ("40P01", .aborted), ("55P03", .aborted),
        ("08006", .unavailable), ("53100", .unavailable), ("53300", .unavailable), ("57P01", .unavailable), ("58030", .unavailable), ("25006", .unavailable),
        ("57014", .deadlineExceeded), ("42P01", .internal), ("42601", .internal), ("XX000", .internal), ("0A000", .internal),
    ])
    func sqlStatesMapByCodeAndClass(state: String, code: StatusCode) {
        let server = "relation \"secret_table\" violates constraint \"secret_table_pkey\" on column \"hidden\""
        let wire = PostgresError(.server(sqlState: state), server).wireError
        #expect(wire.code == code, "\(state)")
        #expect((wire.retryAfter != nil) == [.aborted, .unavailable].contains(code), "\(state): Retry-After only for what passes")
        #expect(!wire.message.contains("secret_table") && !wire.message.contains("hidden"), "\(state): \(wire.message)")
    }

    @Test(arguments: [
        ("LOADING Redis is loading the dataset in memory", StatusCode.unavailable), ("BUSY Redis is busy running a script", .unavailable),
        ("OOM command not allowed when used memory > 'maxmemory'", .unavailable), ("READONLY You can't write against a read only replica", .unavailable),
        ("MASTERDOWN Link with MASTER is down", .unavailable), ("TRYAGAIN Multiple keys request during rehashing", .unavailable),
        ("ERR unknown command 'FOO'", .internal), ("WRONGTYPE Operation against a key holding the wrong kind of value", .internal),
        ("NOAUTH Authentication required", .internal), ("WRONGPASS invalid username-password pair", .internal),
    ])
    func redisRepliesMapByTheirFirstWord(reply: String, code: StatusCode) {
        let wire = RedisError(isConnectionError: false, reply).wireError
        #expect(wire.code == code, "\(reply)")
        #expect((wire.retryAfter != nil) == (code == .unavailable))
        #expect(!wire.message.contains(reply))
    }

    @Test func aLostRedisConnectionIsUnavailable() {
        let wire = RedisError(isConnectionError: true, "connection reset by peer").wireError
        #expect(wire.code == .unavailable && wire.retryAfter == 1)
    }
}
