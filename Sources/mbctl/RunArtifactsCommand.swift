import ArgumentParser
import Foundation
import Shared

/// `mbctl run artifacts RUN`: what finalizing built (ZIP, pull-request body, manifest, branch);
/// with `--download DIR`, the files, each verified against the listing's sha256 and size and
/// the manifest's entries for the ZIP and the pull-request body, and the ZIP's every entry
/// against the manifest's `files`.
struct RunArtifactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifacts",
        abstract: "List a run's artifacts and branch; --download DIR fetches them and verifies their sha256 against the manifest.",
        discussion: "Exit 5 when a downloaded artifact does not match (the file is then not kept)."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The run's id.")
    var runID: String

    @Option(help: "Download the artifacts into this directory (created when missing).")
    var download: String?

    /// One artifact downloaded and checked.
    struct Checked {
        let kind: String
        let fileName: String
        let path: String
        let sha256: String
        let size: Int
        let problems: [String]
    }

    func run() async throws {
        let context = try global.context()
        let answer = try await context.client.call(.runArtifacts, [runID])
        let console = context.console
        let artifacts = answer.json["artifacts"]?.items ?? []
        guard let download else {
            if console.json { return console.raw(answer) }
            let rows = artifacts.map { [$0["kind"].text, $0["file_name"].text, RunView.grouped($0["size"]?.integer ?? 0), $0["sha256"].text] }
            console.table(["KIND", "FILE", "BYTES", "SHA256"], rows)
            showBranch(answer.json["branch"], console)
            console.note("download and verify: mbctl run artifacts \(runID) --download DIR")
            return
        }
        let checked = try await fetch(artifacts, into: download, context)
        if console.json {
            console.raw(answer)
        } else {
            let rows = checked.map { [$0.kind, $0.path, RunView.grouped($0.size), String($0.sha256.prefix(16)) + "…", $0.problems.isEmpty ? "verified" : "MISMATCH"] }
            console.table(["KIND", "FILE", "BYTES", "SHA256", "CHECK"], rows) { column, cell in
                column == 4 ? console.styled(cell, cell == "verified" ? .green : .red) : nil
            }
            showBranch(answer.json["branch"], console)
        }
        let problems = checked.flatMap { item in item.problems.map { "\(item.fileName): \($0)" } }
        if !problems.isEmpty { throw CLIFailure(.verificationFailed, "artifacts of run \(runID) do not verify:\n  " + problems.joined(separator: "\n  ")) }
    }

    /// Downloads every artifact, checks it, and keeps only the files that verify.
    private func fetch(_ artifacts: [JSONValue], into directory: String, _ context: CommandContext) async throws -> [Checked] {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CLIFailure.usage("cannot create \(directory): \(error.localizedDescription)")
        }
        var bytes: [String: Data] = [:]
        for artifact in artifacts {
            let id = artifact["id"].text
            bytes[id] = try await context.client.call(.downloadArtifact, [runID, id], headers: [("Accept", "*/*")], timeout: .seconds(300)).body
        }
        let manifestData = artifacts.first { $0["kind"]?.stringValue == "manifest" }.flatMap { bytes[$0["id"].text] }
        let manifest = manifestData.flatMap { try? JSONDecoder().decode(JSONValue.self, from: $0) }
        var checked: [Checked] = []
        for artifact in artifacts {
            let id = artifact["id"].text
            let kind = artifact["kind"].text
            let data = bytes[id] ?? Data()
            let sha256 = Digest.sha256Hex(data)
            var problems: [String] = []
            if sha256 != artifact["sha256"].text { problems.append("sha256 \(sha256) is not the listed \(artifact["sha256"].text)") }
            if data.count != artifact["size"]?.integer { problems.append("\(data.count) bytes, listed \(artifact["size"].text)") }
            let entry: JSONValue? = switch kind {
            case "zip": manifest?["zip"]
            case "pull_request": manifest?.at("pull_request", "markdown")
            default: nil
            }
            if kind != "manifest" {
                if manifest == nil {
                    problems.append("no manifest to verify against")
                } else if entry?["sha256"]?.stringValue != sha256 || entry?["size"]?.integer != data.count {
                    problems.append("sha256 \(sha256) (\(data.count) bytes) is not the manifest's \(entry?["sha256"].text ?? "-") (\(entry?["size"].text ?? "-") bytes)")
                } else if kind == "zip" {
                    problems += ArchiveCheck.problems(zip: data, manifestFiles: manifest?["files"]?.items ?? [])
                }
            } else if manifest?["run_id"]?.stringValue != runID {
                problems.append("the manifest is not run \(runID)'s")
            }
            let name = URL(fileURLWithPath: artifact["file_name"].text).lastPathComponent
            let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
            if problems.isEmpty {
                do {
                    try data.write(to: URL(fileURLWithPath: path), options: .atomic)
                } catch {
                    throw CLIFailure.usage("cannot write \(path): \(error.localizedDescription)")
                }
            }
            checked.append(Checked(kind: kind, fileName: name, path: path, sha256: sha256, size: data.count, problems: problems))
        }
        return checked
    }

    private func showBranch(_ branch: JSONValue?, _ console: Console) {
        guard let branch, branch != .null else { return }
        console.line()
        console.fields([
            ("branch", branch["name"].text),
            ("commit", branch["commit"].text),
            ("repository", "\(branch["repository"].text) (\(branch["repository_kind"].text))"),
        ])
    }
}
