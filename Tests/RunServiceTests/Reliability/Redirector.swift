import Foundation
import MeshTestSupport
import Shared

/// A loopback HTTP server (a Python `http.server` process) that answers every request with a
/// 302 to `target` and writes a line per request to a file, so a test can tell that a client
/// asked and whether it followed.
final class Redirector: Sendable {
    let port: Int
    private let process = Process()
    private let log: String

    init(to target: String) throws {
        port = try LoopbackPort.free()
        log = FileManager.default.temporaryDirectory.appendingPathComponent("redirector-\(UUID().uuidString.prefix(8)).log").path
        FileManager.default.createFile(atPath: log, contents: nil)
        let script = """
            import sys
            from http.server import BaseHTTPRequestHandler, HTTPServer
            class Redirect(BaseHTTPRequestHandler):
                def answer(self):
                    self.rfile.read(int(self.headers.get("Content-Length") or 0))
                    with open(sys.argv[2], "a") as log:
                        log.write(self.command + " " + self.path + "\\n")
                    self.send_response(302)
                    self.send_header("Location", sys.argv[3])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                do_GET = do_POST = answer
                def log_message(self, *args):
                    pass
            server = HTTPServer(("127.0.0.1", int(sys.argv[1])), Redirect)
            open(sys.argv[2] + ".ready", "w").close()
            server.serve_forever()
            """
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, String(port), log, target]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: log + ".ready") { Thread.sleep(forTimeInterval: 0.05) }
    }

    /// How many requests it answered.
    var requests: Int {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    /// Stops the server (SIGKILL: a child of the test runner inherits its blocked SIGTERM).
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: log)
        try? FileManager.default.removeItem(atPath: log + ".ready")
    }
}
