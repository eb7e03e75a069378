import Foundation
import MeshTestSupport
import Shared
import Testing
@testable import AgentService

/// Hostile generated code under the agent-service's sandbox (`SandboxIsolation.bubblewrap`, the
/// default, with a `ProcessCountLimit`), run the way DevOps and QA run it: each script tries one thing a model-written
/// scaffold could, and the same script run unconfined shows that the attempt would succeed there,
/// so each test can fail.
@Suite struct SandboxTests {
    /// A fresh workspace with `hostile.py` in it.
    static func workspace(_ script: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mb-sandbox-tests/\(UUID().uuidString.lowercased())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try script.write(toFile: path + "/hostile.py", atomically: true, encoding: .utf8)
        return path
    }

    /// Runs `hostile.py` with `arguments` in a new workspace, confined or not.
    static func run(_ script: String, _ arguments: [String] = [], isolation: SandboxIsolation = .bubblewrap) async throws -> (result: ProcessResult, workspace: String) {
        var sandbox = try AgentTestEnvironment.sandbox()
        sandbox.isolation = isolation
        if isolation == .none { sandbox.processGroups = nil }
        let workspace = try workspace(script)
        let result = try await sandbox.runPython(["hostile.py"] + arguments, in: workspace, environment: ProcessRunner.environment(), timeout: .seconds(60))
        return (result, workspace)
    }

    @Test func noOtherProcessNorItsEnvironmentIsVisible() async throws {
        // A process holding a secret in its environment, as the services do.
        let canary = "canary-\(UUID().uuidString)"
        let holder = try BackgroundProcess("/bin/sleep", ["60"], environment: ProcessRunner.environment(["META_BUILDER_SANDBOX_CANARY": canary]), timeout: .seconds(60))
        defer { Task { _ = await holder.stop(grace: .milliseconds(100)) } }
        let script = """
            import os, sys
            pids = [p for p in os.listdir("/proc") if p.isdigit()]
            found = []
            for pid in pids:
                try:
                    with open(f"/proc/{pid}/environ", "rb") as fh:
                        if sys.argv[1].encode() in fh.read():
                            found.append(pid)
                except OSError:
                    pass
            print(f"pids={len(pids)} found={found}")
            """
        let confined = try await Self.run(script, [canary])
        #expect(confined.result.succeeded, "\(confined.result.output)")
        #expect(confined.result.output.contains("found=[]"), "\(confined.result.output)")
        let pids = confined.result.output.split(separator: " ").first { $0.hasPrefix("pids=") }.flatMap { Int($0.dropFirst(5)) }
        #expect((pids ?? .max) <= 3, "only the sandbox's own processes: \(confined.result.output)")
        let open = try await Self.run(script, [canary], isolation: .none)
        #expect(!open.result.output.contains("found=[]"), "unconfined, the test process's environment is readable: \(open.result.output)")
    }

    @Test func onlyTheWorkspaceIsWritableAndNothingElseOfTheRepositoryIsVisible() async throws {
        let secrets = FileManager.default.currentDirectoryPath + "/.local/infra.env"
        try #require(FileManager.default.fileExists(atPath: secrets), "scripts/infra writes \(secrets)")
        let escape = FileManager.default.temporaryDirectory.appendingPathComponent("mb-sandbox-escape-\(UUID().uuidString)").path
        let script = """
            import sys
            def attempt(label, action):
                try:
                    action()
                    print(f"{label}=ok")
                except OSError as error:
                    print(f"{label}=refused ({error.strerror})")
            def write(path):
                with open(path, "w") as fh:
                    fh.write("x")
            def read(path):
                with open(path) as fh:
                    fh.read()
            attempt("workspace", lambda: write("inside.txt"))
            attempt("etc", lambda: write("/etc/mb-hostile"))
            attempt("escape", lambda: write(sys.argv[1]))
            attempt("secrets", lambda: read(sys.argv[2]))
            """
        let confined = try await Self.run(script, [escape, secrets])
        let output = confined.result.output
        #expect(output.contains("workspace=ok"), "\(output)")
        #expect(output.contains("etc=refused"), "\(output)")
        #expect(output.contains("secrets=refused"), "\(output)")
        #expect(FileManager.default.fileExists(atPath: confined.workspace + "/inside.txt"))
        #expect(!FileManager.default.fileExists(atPath: escape), "a write outside the workspace lands in the sandbox's own /tmp at most")
        let open = try await Self.run(script, [escape, secrets], isolation: .none)
        #expect(open.result.output.contains("secrets=ok"), "unconfined, the infrastructure's secrets are readable: \(open.result.output)")
        try? FileManager.default.removeItem(atPath: escape)
    }

    @Test func aDaemonLeftBehindDiesWithTheCommand() async throws {
        let marker = "mb-daemon-\(UUID().uuidString)"
        let script = """
            import subprocess, sys
            subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", sys.argv[1]], start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            print("started")
            """
        func survivors() throws -> [Int32] {
            try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap(Int32.init).filter { pid in
                guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
                return String(decoding: data, as: UTF8.self).contains(marker)
            }
        }
        let confined = try await Self.run(script, [marker])
        #expect(confined.result.output.contains("started"), "\(confined.result.output)")
        var left = try survivors()
        for _ in 0..<50 where !left.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            left = try survivors()
        }
        #expect(left.isEmpty, "the daemon died with its sandbox")
        let open = try await Self.run(script, [marker], isolation: .none)
        #expect(open.result.output.contains("started"))
        let escaped = try survivors()
        #expect(!escaped.isEmpty, "unconfined, the daemon outlives the command")
        escaped.forEach { kill($0, SIGKILL) }
    }

    @Test func forkingWithoutEndStopsAtTheProcessCap() async throws {
        let marker = "mb-fork-\(UUID().uuidString)"
        let script = """
            import os, sys, time
            children = 0
            try:
                for _ in range(5000):
                    pid = os.fork()
                    if pid == 0:
                        sys.argv.append(sys.argv[1])
                        time.sleep(60)
                        os._exit(0)
                    children += 1
                print(f"forks={children} refused=none")
            except OSError as error:
                print(f"forks={children} refused={type(error).__name__}")
            """
        let confined = try await Self.run(script, [marker])
        let output = confined.result.output
        #expect(output.contains("refused=BlockingIOError"), "\(output)")
        let forks = output.split(separator: " ").first { $0.hasPrefix("forks=") }.flatMap { Int($0.dropFirst(6)) } ?? .max
        #expect(forks < ProcessCountLimit.maximumTasks, "\(output)")
        #expect(forks > 10, "the cap stops a bomb, not ordinary work: \(output)")
    }

    @Test func aCommandsProcessGroupCapsItAndGoesWithIt() async throws {
        let parent = try #require(try AgentTestEnvironment.sandbox().processGroups, "the sandbox makes a process-count group per command")
        let limit = try await ProcessCountLimit.make(in: parent)
        let cap = try String(contentsOfFile: limit.directory + "/pids.max", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(cap == String(ProcessCountLimit.maximumTasks))
        let joined = limit.wrap(("/bin/cat", ["/proc/self/cgroup"]))
        let result = try await ProcessRunner.run(joined.executable, joined.arguments, timeout: .seconds(30))
        #expect(result.output.contains(URL(fileURLWithPath: limit.directory).lastPathComponent), "the command ran inside its group: \(result.output)")
        await limit.remove()
        #expect(!FileManager.default.fileExists(atPath: limit.directory))
    }

    @Test func memoryAndFileSizeAreLimited() async throws {
        let script = """
            def attempt(label, action):
                try:
                    action()
                    print(f"{label}=ok")
                except (OSError, MemoryError) as error:
                    print(f"{label}=refused ({type(error).__name__})")
            def allocate():
                block = bytearray(8 << 30)
                block[-1] = 1
            def big_file():
                with open("big.bin", "wb") as fh:
                    for _ in range(300):
                        fh.write(b"\\0" * (1 << 20))
            attempt("memory", allocate)
            attempt("file", big_file)
            """
        let confined = try await Self.run(script)
        // The refused file still holds up to the cap (256 MiB): not left behind in /tmp.
        defer { try? FileManager.default.removeItem(atPath: confined.workspace) }
        #expect(confined.result.output.contains("memory=refused (MemoryError)"), "\(confined.result.output)")
        #expect(confined.result.output.contains("file=refused (OSError)"), "\(confined.result.output)")
        let size = (try? FileManager.default.attributesOfItem(atPath: confined.workspace + "/big.bin")[.size] as? Int) ?? 0
        #expect(size <= SandboxIsolation.Limit.fileSizeBytes)
    }

    @Test func itRunsAsNobodyWithoutCapabilitiesAndCannotTouchTheRepositoryOfItsWorkspace() async throws {
        let script = """
            import os
            caps = [line.split()[1] for line in open("/proc/self/status") if line.startswith(("CapEff", "CapPrm"))]
            try:
                with open(".git/config", "a") as fh:
                    fh.write("[core]\\n\\tfsmonitor = /bin/sh -c 'touch /tmp/owned'\\n")
                git = "ok"
            except OSError as error:
                git = f"refused ({error.strerror})"
            print(f"uid={os.getuid()} gid={os.getgid()} groups={os.getgroups()} caps={caps} git={git}")
            """
        func run(_ isolation: SandboxIsolation) async throws -> String {
            var sandbox = try AgentTestEnvironment.sandbox()
            sandbox.isolation = isolation
            if isolation == .none { sandbox.processGroups = nil }
            let workspace = try Self.workspace(script)
            try FileManager.default.createDirectory(atPath: workspace + "/.git", withIntermediateDirectories: false)
            try "[core]\n".write(toFile: workspace + "/.git/config", atomically: true, encoding: .utf8)
            return try await sandbox.runPython(["hostile.py"], in: workspace, environment: ProcessRunner.environment(), timeout: .seconds(60)).output
        }
        let confined = try await run(.bubblewrap)
        #expect(confined.contains("uid=65534 gid=65534 groups=[]"), "\(confined)")
        #expect(confined.contains("caps=['0000000000000000', '0000000000000000']"), "\(confined)")
        #expect(confined.contains("git=refused"), "\(confined)")
        let open = try await run(.none)
        #expect(open.contains("uid=0") && open.contains("git=ok"), "unconfined, the code runs as the service's own root: \(open)")
    }

    @Test func noNetworkReachesOutOfTheSandbox() async throws {
        // A port that accepts and never answers stands for another service of the mesh.
        let peer = try SilentPort()
        let redis = try AgentTestEnvironment.require("META_BUILDER_REDIS_PORT")
        let script = """
            import socket, sys
            for label, port in (("peer", int(sys.argv[1])), ("redis", int(sys.argv[2]))):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=3).close()
                    print(f"{label}=connected")
                except OSError as error:
                    print(f"{label}=refused ({type(error).__name__})")
            """
        let confined = try await Self.run(script, [String(peer.port), redis])
        #expect(confined.result.output.contains("peer=refused"), "\(confined.result.output)")
        #expect(confined.result.output.contains("redis=refused"), "\(confined.result.output)")
        let open = try await Self.run(script, [String(peer.port), redis], isolation: .none)
        #expect(open.result.output.contains("peer=connected") && open.result.output.contains("redis=connected"), "unconfined, loopback is open: \(open.result.output)")
    }

    @Test func thePreviewDatabaseIsReachableOnlyThroughItsSocketAndOnlyWithAPassword() async throws {
        let sandbox = try AgentTestEnvironment.sandbox()
        let socket = try #require(sandbox.databaseSocket)
        let preview = try #require(URLComponents(string: try AgentTestEnvironment.require("META_BUILDER_PREVIEW_DATABASE_URL")))
        let script = """
            import sys, psycopg
            socket_dir, port, database, user, password = sys.argv[1:6]
            attempts = {
                "socket": dict(host=socket_dir, port=port, dbname=database, user=user, password=password),
                "superuser": dict(host=socket_dir, port=port, dbname=database, user="postgres"),
                "tcp": dict(host="127.0.0.1", port=port, dbname=database, user=user, password=password, connect_timeout=3),
            }
            for label, settings in attempts.items():
                try:
                    with psycopg.connect(**settings) as connection:
                        connection.execute("SELECT 1")
                    print(f"{label}=connected")
                except psycopg.OperationalError as error:
                    print(f"{label}=refused ({str(error).strip().splitlines()[-1][:80]})")
            """
        let arguments = [socket, String(try #require(preview.port)), String(preview.path.dropFirst()), try #require(preview.user), try #require(preview.password)]
        let confined = try await Self.run(script, arguments)
        let output = confined.result.output
        #expect(output.contains("socket=connected"), "\(output)")
        #expect(output.contains("superuser=refused"), "no trust on the socket: \(output)")
        #expect(output.contains("tcp=refused"), "\(output)")
        let open = try await Self.run(script, arguments, isolation: .none)
        #expect(open.result.output.contains("tcp=connected"), "unconfined, loopback TCP reaches the database: \(open.result.output)")
    }
}
