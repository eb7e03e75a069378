import Foundation
import MeshTestSupport
import Shared
import Testing

extension SharedRunQueue {
    /// The artifact disk full: the run-service runs with its artifact root on a 64 KiB tmpfs of
    /// its own mount namespace (`unshare`), too small for a run's ZIP and branch. A run that
    /// reaches finalizing fails with `artifact_error` and a detail that says the disk is full
    /// without the host path; its artifacts answer 404, never 500; nothing half-written is left
    /// in the store; the service keeps answering. Once the file system is grown (a remount
    /// inside the namespace) the next run of the same spec succeeds with downloadable artifacts.
    @Suite(.serialized) struct ReliabilityArtifactDiskTests {
        @Test func aFullArtifactDiskFailsTheRunCleanlyAndTheNextRunSucceedsOnceThereIsRoom() async throws {
            let settings = try ReliabilitySettings.current()
            var report = ReliabilityReport(suite: "artifact disk", settings: settings)
            try await RunMesh.with { mesh in
                mesh.signal(runService: 0, SIGKILL)
                let mount = #"mkdir -p "$0" && mount -t tmpfs -o size=64k,mode=0700 meta-builder-artifacts "$0" && exec "$1""#
                try await mesh.startRunService(0, launcher: ["/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", mount, mesh.artifactRoot])
                let pid = try #require(mesh.pid(runService: 0))
                var failures: [String] = []
                let tenant = UUID()
                let token = RunMesh.token(tenant: tenant, role: .owner)
                let spec = try await mesh.createSpec(token: token, title: "Tasks", description: SharedRunQueue.RunAPITests.tasks)

                let full = try #require(try await mesh.startRun(spec: spec, token: token).json?["id"]?.stringValue)
                let failed = try await mesh.waitForRun(full, token: token)
                let detail = failed[path: "failure", "detail"]?.stringValue ?? failed["failure_detail"]?.stringValue ?? "\(failed)"
                if failed["status"]?.stringValue != "failed" || !"\(failed)".contains("artifact_error") {
                    failures.append("a run on a full disk ended \(failed["status"]?.stringValue ?? "?"): \(failed)")
                }
                if !detail.lowercased().contains("space") { failures.append("the failure does not say the disk is full: \(detail)") }
                if "\(failed)".contains(mesh.artifactRoot) { failures.append("the failure names the host path: \(detail)") }
                let artifacts = try await mesh.call("GET", "/api/meta/v2/runs/\(full)/artifacts", token: token)
                if artifacts.status != 404 { failures.append("the failed run's artifacts answer \(artifacts.status): \(artifacts.text.prefix(160))") }
                // Blobs stored before the disk filled (the steps' recordings) stay; scratch files do not.
                let left = try Self.inNamespace(of: pid, ["find", mesh.artifactRoot, "-type", "f", "-path", "\(mesh.artifactRoot)/tmp/*"])
                if !left.isEmpty { failures.append("half-written files are left in the store: \(left.prefix(400))") }
                if try await mesh.call("GET", "/readyz", token: nil).status != 200 { failures.append("the run-service is not ready after the full disk") }

                _ = try Self.inNamespace(of: pid, ["mount", "-o", "remount,size=64m", mesh.artifactRoot])
                let roomy = try #require(try await mesh.startRun(spec: spec, token: token).json?["id"]?.stringValue)
                let succeeded = try await mesh.waitForRun(roomy, token: token)
                if succeeded["status"]?.stringValue != "succeeded" { failures.append("the run after the disk was grown ended \(succeeded["status"]?.stringValue ?? "?"): \(succeeded)") }
                let listed = try await mesh.call("GET", "/api/meta/v2/runs/\(roomy)/artifacts", token: token)
                let zip = listed.json?["artifacts"]?.array?.first { $0["kind"]?.stringValue == "zip" }
                if let id = zip?["id"]?.stringValue {
                    let download = try await mesh.call("GET", "/api/meta/v2/runs/\(roomy)/artifacts/\(id)", token: token)
                    if download.status != 200 || download.header("Content-Length") != zip?["size"].map({ "\($0.int ?? -1)" }) {
                        failures.append("the ZIP downloads as \(download.status), \(download.header("Content-Length") ?? "no length") bytes of \(zip?["size"]?.int ?? -1)")
                    }
                } else {
                    failures.append("the run after the disk was grown lists no ZIP: \(listed.text.prefix(200))")
                }
                report.check("a full artifact disk fails the run cleanly, and the next run succeeds once there is room", failures: failures)
                report.count("artifact_disk_failures", failures.count)
            }
            try report.finish()
        }

        /// Runs a command in the mount namespace of process `pid` (`nsenter`); its output. Fails
        /// unless it exits 0.
        private static func inNamespace(of pid: Int32, _ command: [String]) throws -> String {
            let (status, text) = try CommandOutput.run("/usr/bin/nsenter", ["--target", String(pid), "--mount", "--"] + command, withErrors: true)
            try #require(status == 0, "\(command.joined(separator: " ")): \(text)")
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
