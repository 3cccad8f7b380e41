import App
import ArgumentParser
import FastCGI
import Glibc

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the FastCGI pool: a master that supervises worker processes.",
        discussion: """
        SIGTERM stops gracefully (in-flight requests finish); SIGHUP re-reads PARLEY_CONFIG_FILE and replaces \
        the workers one by one. Without PARLEY_SOCKET the listening socket is inherited on fd 0 or from systemd.
        """
    )

    @Option(help: "Unix socket path to create (overrides PARLEY_SOCKET).") var socket: String?
    @Option(help: "Worker processes (overrides PARLEY_WORKERS).") var workers: Int?
    @Option(help: "Threads per worker (overrides PARLEY_THREADS).") var threads: Int?
    @Flag(help: .hidden) var worker = false

    func run() throws {
        var configuration = try CommandSupport.configuration()
        if let socket { configuration.socketPath = socket }
        if let workers { configuration.workers = workers }
        if let threads { configuration.threads = threads }
        if worker {
            throw ExitCode(WorkerProcess.run(configuration, environment: ProcessEnvironment.current()))
        }
        _ = try configuration.requireDatabaseURL()
        var arguments = [Self.executablePath(), "serve", "--worker"]
        if let threads { arguments += ["--threads", String(threads)] }
        let options = PoolOptions(socketPath: configuration.socketPath, socketMode: configuration.socketMode,
                                  workers: configuration.workers, workerArguments: arguments,
                                  environmentFile: configuration.configFile)
        throw ExitCode(runSupervisor(options))
    }

    /// Workers re-exec this very binary, so an upgrade in place takes effect on the next SIGHUP.
    static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, Int(PATH_MAX))
        guard length > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
