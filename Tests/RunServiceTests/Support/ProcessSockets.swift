import Foundation

/// What a process holds open, read from /proc.
enum ProcessSockets {
    /// How many established TCP connections process `pid` has to `port` on any address.
    static func connections(pid: Int32, toPort port: Int) -> Int {
        let fdDirectory = "/proc/\(pid)/fd"
        let inodes = Set(((try? FileManager.default.contentsOfDirectory(atPath: fdDirectory)) ?? []).compactMap { fd -> String? in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(fdDirectory)/\(fd)"),
                  target.hasPrefix("socket:[") else { return nil }
            return String(target.dropFirst("socket:[".count).dropLast())
        })
        let remotePort = String(format: "%04X", port)
        var count = 0
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            let lines = ((try? String(contentsOfFile: table, encoding: .utf8)) ?? "").split(separator: "\n").dropFirst()
            for line in lines {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                // sl local_address rem_address st … inode
                guard fields.count > 9, fields[3] == "01", fields[2].hasSuffix(":" + remotePort), inodes.contains(String(fields[9])) else { continue }
                count += 1
            }
        }
        return count
    }
}
