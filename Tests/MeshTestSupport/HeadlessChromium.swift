import CSpawn
import Foundation
import Shared
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Debian's Chromium, headless, driven over the DevTools protocol on a pipe
/// (`--remote-debugging-pipe`: commands on fd 3, answers and events on fd 4, each message JSON
/// ended by a NUL byte). It opens pages, runs JavaScript in them, and takes screenshots. Its pipe
/// is read on a thread of its own, never on the cooperative pool. A missing `chromium` fails the
/// test that asked for it: `scripts/install-deps` installs it.
public final class HeadlessChromium: Sendable {
    /// A command the browser answered with an error, or a page script that threw.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private let pid: pid_t
    private let commands: Int32
    private let profile: String
    private let state = Mutex(State())
    private let writer = DispatchQueue(label: "headless-chromium.writer")

    private struct State {
        var nextID = 1
        var waiting: [Int: CheckedContinuation<JSONValue, any Error>] = [:]
        var session: String?
        var closed = false
    }

    /// Starts Chromium with a fresh profile and a 1280×900 window; its output goes to `logPath`.
    public static func launch(logPath: String) async throws -> HeadlessChromium {
        let binary = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let binary else { throw Failure(description: "chromium is not installed (scripts/install-deps installs it)") }
        let browser = try HeadlessChromium(binary: binary, logPath: logPath)
        let created = try await browser.send("Target.createTarget", ["url": "about:blank"], inSession: false)
        guard let target = created["targetId"]?.stringValue else { throw Failure(description: "no page target: \(created)") }
        let attached = try await browser.send("Target.attachToTarget", ["targetId": target, "flatten": true], inSession: false)
        guard let session = attached["sessionId"]?.stringValue else { throw Failure(description: "not attached: \(attached)") }
        browser.state.withLock { $0.session = session }
        _ = try await browser.send("Page.enable")
        return browser
    }

    private init(binary: String, logPath: String) throws {
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: profile, withIntermediateDirectories: true)
        var toBrowser: [Int32] = [0, 0], fromBrowser: [Int32] = [0, 0]
        guard mb_pipe_cloexec(&toBrowser) == 0, mb_pipe_cloexec(&fromBrowser) == 0 else { throw Failure(description: "pipe: \(errno)") }
        let log = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toBrowser[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromBrowser[1], 4)
        if log >= 0 {
            posix_spawn_file_actions_adddup2(&actions, log, 1)
            posix_spawn_file_actions_adddup2(&actions, log, 2)
        }
        let arguments = [
            binary, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars",
            "--window-size=1280,900", "--user-data-dir=\(profile)", "about:blank",
        ]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, binary, &actions, nil, &argv, environ)
        close(toBrowser[0])
        close(fromBrowser[1])
        if log >= 0 { close(log) }
        guard spawned == 0 else {
            close(toBrowser[1]); close(fromBrowser[0])
            throw Failure(description: "posix_spawn \(binary): \(spawned)")
        }
        self.pid = pid
        commands = toBrowser[1]
        let answers = fromBrowser[0]
        let thread = Thread { [weak self] in self?.readAnswers(from: answers); close(answers) }
        thread.name = "headless-chromium.reader"
        thread.start()
    }

    deinit { quit() }

    /// Opens `url` and waits until the page has loaded.
    public func visit(_ url: String, timeout: Duration = .seconds(30)) async throws {
        _ = try await send("Page.navigate", ["url": url])
        try await waitUntil("document.readyState === 'complete' && location.href.startsWith(\(Self.literal(url)))", timeout: timeout)
    }

    /// Evaluates `expression` in the page and returns its value (awaiting a promise).
    @discardableResult
    public func evaluate(_ expression: String) async throws -> JSONValue {
        let result = try await send("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let exception = result["exceptionDetails"] { throw Failure(description: "the page threw: \(exception)") }
        return result[path: "result", "value"] ?? .null
    }

    /// Waits until `condition` (a JavaScript expression) is true in the page.
    public func waitUntil(_ condition: String, timeout: Duration = .seconds(30)) async throws {
        let giveUp = ContinuousClock.now + timeout
        while ContinuousClock.now < giveUp {
            if (try? await evaluate("Boolean(\(condition))"))?.bool == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "timed out waiting for \(condition) on \((try? await evaluate("location.href")) ?? .null)")
    }

    /// Writes a PNG of the whole page to `path`.
    public func screenshot(to path: String) async throws {
        let shot = try await send("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true])
        guard let base64 = shot["data"]?.stringValue, let png = Data(base64Encoded: base64) else { throw Failure(description: "no screenshot data") }
        try png.write(to: URL(fileURLWithPath: path))
    }

    /// Ends the browser and removes its profile.
    public func quit() {
        let wasOpen = state.withLock { state in
            defer { state.closed = true }
            return !state.closed
        }
        guard wasOpen else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        Glibc.close(commands)
        failAll(Failure(description: "the browser was closed"))
        try? FileManager.default.removeItem(atPath: profile)
    }

    /// A JavaScript string literal of `text`.
    public static func literal(_ text: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [text])
        return data.flatMap { String(data: $0, encoding: .utf8) }.map { String($0.dropFirst().dropLast()) } ?? "''"
    }

    // MARK: The protocol

    private func send(_ method: String, _ parameters: [String: Any] = [:], inSession: Bool = true, timeout: Duration = .seconds(30)) async throws -> JSONValue {
        let (id, session) = state.withLock { state in
            defer { state.nextID += 1 }
            return (state.nextID, state.session)
        }
        var message: [String: Any] = ["id": id, "method": method, "params": parameters]
        if inSession, let session { message["sessionId"] = session }
        let bytes = [UInt8](try JSONSerialization.data(withJSONObject: message)) + [0]
        let timer = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.fail(id, Failure(description: "\(method) got no answer within \(timeout)"))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let closed = state.withLock { state in
                if !state.closed { state.waiting[id] = continuation }
                return state.closed
            }
            if closed { return continuation.resume(throwing: Failure(description: "the browser was closed")) }
            let fd = commands
            writer.async {
                var offset = 0
                while offset < bytes.count {
                    let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    if written <= 0 { break }
                    offset += written
                }
            }
        }
    }

    private func readAnswers(from fd: Int32) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            pending.append(contentsOf: buffer[0..<count])
            while let end = pending.firstIndex(of: 0) {
                let message = Data(pending[..<end])
                pending.removeSubrange(...end)
                guard let json = try? JSONDecoder().decode(JSONValue.self, from: message), let id = json["id"]?.int else { continue }
                if let error = json["error"] {
                    fail(id, Failure(description: "\(error)"))
                } else {
                    let continuation = state.withLock { $0.waiting.removeValue(forKey: id) }
                    continuation?.resume(returning: json["result"] ?? .null)
                }
            }
        }
        failAll(Failure(description: "the browser's pipe closed"))
    }

    private func fail(_ id: Int, _ error: Failure) {
        state.withLock { $0.waiting.removeValue(forKey: id) }?.resume(throwing: error)
    }

    private func failAll(_ error: Failure) {
        let waiting = state.withLock { state in
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        waiting.forEach { $0.resume(throwing: error) }
    }
}
