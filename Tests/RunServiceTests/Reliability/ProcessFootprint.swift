import Foundation

/// What a process holds, read from /proc: resident memory, open descriptors and threads.
struct ProcessFootprint: Sendable, CustomStringConvertible {
    let residentMiB: Double
    let descriptors: Int
    let threads: Int

    /// The footprint of process `pid`; nil when it is gone.
    static func of(_ pid: Int32) -> ProcessFootprint? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Int {
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .flatMap { Int($0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") } ?? 0
        }
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.count ?? 0
        return ProcessFootprint(residentMiB: Double(field("VmRSS")) / 1024, descriptors: descriptors, threads: field("Threads"))
    }

    var description: String { String(format: "%.1f MiB, %d fds, %d threads", residentMiB, descriptors, threads) }
}
