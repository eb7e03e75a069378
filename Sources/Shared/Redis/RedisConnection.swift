import CHiredis
import Foundation

/// One hiredis context. hiredis 0.14 makes a context unusable after any error, so the owner
/// drops it on the first failure and opens a new one.
///
/// `@unchecked Sendable`: the context is only used by the thread or serial queue that owns this
/// object; `interrupt()` (a `shutdown(2)` of the socket) is the one call made from elsewhere.
final class RedisConnection: @unchecked Sendable {
    private let context: UnsafeMutablePointer<redisContext>

    private init(context: UnsafeMutablePointer<redisContext>) {
        self.context = context
    }

    deinit {
        redisFree(context)
    }

    /// Connects (blocking) with the config's timeout and authenticates with its credentials;
    /// `commandTimeoutMilliseconds` bounds each read and write afterwards (nil: block until data,
    /// for subscribers). A refused `AUTH` throws its reply (`WRONGPASS …`), never the password.
    static func connect(_ config: RedisConfig, commandTimeoutMilliseconds: Int?) throws -> RedisConnection {
        guard let context = redisConnectWithTimeout(config.host, Int32(config.port), timeval(milliseconds: config.timeoutMilliseconds)) else {
            throw RedisError(isConnectionError: true, "cannot allocate redis context")
        }
        if context.pointee.err != 0 {
            let message = Self.errorString(context)
            redisFree(context)
            throw RedisError(isConnectionError: true, message)
        }
        let connection = RedisConnection(context: context)
        // TCP keepalive: a peer that vanishes without closing is noticed even by a blocked reader.
        _ = redisEnableKeepAlive(context)
        _ = redisSetTimeout(context, timeval(milliseconds: commandTimeoutMilliseconds ?? config.timeoutMilliseconds))
        if let credentials = config.credentials {
            do {
                _ = try connection.command(["AUTH"] + [credentials.username].compactMap { $0 } + [credentials.password])
            } catch let error as RedisError where !error.isConnectionError {
                throw RedisError(isConnectionError: false, "AUTH refused: \(error.message)")
            }
        }
        if commandTimeoutMilliseconds == nil { _ = redisSetTimeout(context, timeval(milliseconds: 0)) }
        return connection
    }

    /// Sends one command (binary-safe argv) and waits for its reply (blocking).
    func command(_ arguments: [String]) throws -> RedisValue {
        try send(arguments)
        return try readReply()
    }

    /// Sends a command without reading the reply (subscribe).
    func send(_ arguments: [String]) throws {
        let buffers = arguments.map { Array($0.utf8) }
        let lengths = buffers.map { $0.count }
        let pointers = buffers.map { bytes -> UnsafeMutablePointer<CChar> in
            let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
            bytes.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { memcpy(pointer, base, bytes.count) }
            }
            return pointer
        }
        defer { pointers.forEach { $0.deallocate() } }
        var argv = pointers.map { UnsafePointer<CChar>?($0) }
        if redisAppendCommandArgv(context, Int32(arguments.count), &argv, lengths) != REDIS_OK {
            throw RedisError(isConnectionError: true, Self.errorString(context))
        }
    }

    /// Reads the next reply, blocking up to the command timeout.
    func readReply() throws -> RedisValue {
        var reply: UnsafeMutablePointer<redisReply>?
        guard mb_redis_get_reply(context, &reply) == REDIS_OK, let reply else {
            throw RedisError(isConnectionError: true, Self.errorString(context))
        }
        defer { freeReplyObject(reply) }
        let value = Self.copy(reply)
        if case .error(let message) = value { throw RedisError(isConnectionError: false, message) }
        return value
    }

    /// Unblocks a read in progress on another thread (used to stop a subscriber).
    func interrupt() {
        shutdown(context.pointee.fd, Int32(SHUT_RDWR))
    }

    private static func copy(_ reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STATUS: return .status(String(cString: r.str))
        case REDIS_REPLY_ERROR: return .error(String(cString: r.str))
        case REDIS_REPLY_INTEGER: return .integer(Int(r.integer))
        case REDIS_REPLY_NIL: return .null
        case REDIS_REPLY_STRING: return .bulk(Data(bytes: r.str, count: Int(r.len)))
        case REDIS_REPLY_ARRAY:
            return .array((0..<Int(r.elements)).map { copy(r.element[$0]!) })
        default: return .null
        }
    }

    private static func errorString(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

extension timeval {
    /// A timeval of the given milliseconds.
    init(milliseconds: Int) {
        self.init(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
    }
}
