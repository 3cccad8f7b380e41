import Glibc

/// The environment each new worker starts with: the supervisor's own, overlaid with the current
/// contents of the environment file, plus the readiness descriptor and the shared page's.
///
/// Keys that came from the file at startup (systemd loaded them into our environment) are taken
/// out of the base, so deleting a line from the file and reloading really removes the variable.
/// systemd's socket-activation variables are dropped: they describe the supervisor, not workers.
struct WorkerEnvironment {
    private static let supervisorOnlyKeys: Set<String> = ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"]

    private let base: [(String, String)]
    private(set) var fileEntries: [(String, String)]

    init(processEnvironment: [(String, String)], fileEntries: [(String, String)]) {
        let fileKeys = Set(fileEntries.map(\.0))
        base = processEnvironment.filter { !fileKeys.contains($0.0) && !Self.supervisorOnlyKeys.contains($0.0) }
        self.fileEntries = fileEntries
    }

    mutating func replaceFileEntries(_ entries: [(String, String)]) {
        fileEntries = entries
    }

    /// `KEY=VALUE` strings for posix_spawn; later sources win.
    func entries(readyFD: Int32) -> [String] {
        var merged: [String: String] = [:]
        var order: [String] = []
        let descriptors = [(WorkerOptions.readyFDEnvironmentKey, String(readyFD)),
                           (SharedPage.environmentKey, String(SharedPage.fdInChild))]
        for (key, value) in base + fileEntries + descriptors {
            if merged.updateValue(value, forKey: key) == nil { order.append(key) }
        }
        return order.compactMap { key in merged[key].map { "\(key)=\($0)" } }
    }

    /// This process's environment as pairs (reads `environ`, which only the supervisor does).
    static func current() -> [(String, String)] {
        var pairs: [(String, String)] = []
        let start: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
        guard var cursor = start else { return pairs }
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                pairs.append((String(text[..<equals]), String(text[text.index(after: equals)...])))
            }
            cursor += 1
        }
        return pairs
    }
}
