import CCurl
import Foundation

/// One HTTP exchange on a curl easy handle.
///
/// `@unchecked Sendable`: created by the caller, then owned by the curl loop thread from the
/// moment it is submitted until it completes; the continuation is resumed exactly once there.
final class CurlTransfer: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    var responseBody = Data()
    var responseHeaders: [(String, String)] = []
    var continuation: CheckedContinuation<HTTPClientResponse, any Error>?
    let maximumResponseBytes: Int
    var overflowed = false
    /// The caller's deadline, to tell a connect timeout from an expired deadline.
    let deadline: Deadline
    /// Where a streamed transfer's 2xx body goes as it arrives (on the loop thread); nil keeps it
    /// in `responseBody`. An error answer's body is always kept, to be read as a wire error.
    let bodySink: (@Sendable (Data) -> Void)?

    init(request: HTTPClientRequest, deadline: Deadline, maximumResponseBytes: Int, bodySink: (@Sendable (Data) -> Void)? = nil) throws {
        let timeoutMilliseconds = deadline.remainingMilliseconds
        guard let handle = curl_easy_init() else { throw WireError(.internal, "curl_easy_init failed") }
        self.handle = handle
        self.maximumResponseBytes = maximumResponseBytes
        self.deadline = deadline
        self.bodySink = bodySink
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // Suppress curl's own `Expect: 100-continue` round trip.
        headerList = curl_slist_append(headerList, "Expect:")
        mb_curl_setopt_string(handle, CURLOPT_URL, request.url)
        if let socket = request.unixSocketPath { mb_curl_setopt_string(handle, CURLOPT_UNIX_SOCKET_PATH, socket) }
        mb_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        mb_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, timeoutMilliseconds))
        mb_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, min(timeoutMilliseconds, 5000)))
        mb_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        // Only HTTP leaves the process: a file://, gopher:// or other URL is refused before
        // anything is opened or connected (and no redirect is followed to one).
        mb_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        mb_curl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        mb_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        if request.method == "HEAD" { mb_curl_setopt_long(handle, CURLOPT_NOBODY, 1) }
        mb_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        if let body = request.body {
            mb_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            // COPYPOSTFIELDS copies the bytes, so the buffer may go away afterwards.
            if body.isEmpty {
                mb_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
            } else {
                body.withUnsafeBytes { bytes in
                    mb_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress!))
                }
            }
        }
        let opaque = Unmanaged.passUnretained(self).toOpaque()
        mb_curl_setopt_write(handle, CURLOPT_WRITEFUNCTION, curlWriteBody)
        mb_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, opaque)
        mb_curl_setopt_write(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        mb_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, opaque)
        mb_curl_setopt_pointer(handle, CURLOPT_PRIVATE, opaque)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
    }

    /// The HTTP status of a completed transfer.
    var statusCode: Int {
        var code = 0
        mb_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    /// The response as seen by the caller.
    func response() -> HTTPClientResponse {
        HTTPClientResponse(status: statusCode, headers: responseHeaders, body: responseBody)
    }
}

private func curlWriteBody(_ pointer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?) -> Int {
    guard let pointer, let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    if let sink = transfer.bodySink, (200..<300).contains(transfer.statusCode) {
        sink(Data(bytes: pointer, count: length))
        return length
    }
    if transfer.responseBody.count + length > transfer.maximumResponseBytes {
        transfer.overflowed = true
        return 0
    }
    transfer.responseBody.append(UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: length)
    return length
}

private func curlWriteHeader(_ pointer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ userdata: UnsafeMutableRawPointer?) -> Int {
    guard let pointer, let userdata else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    let line = String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    if line.hasPrefix("HTTP/") {
        transfer.responseHeaders = []
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].trimmingCharacters(in: .whitespaces)
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        transfer.responseHeaders.append((name, value))
    }
    return length
}
