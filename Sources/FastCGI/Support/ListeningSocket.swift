import Glibc

/// The socket nginx connects to: created at a path, or inherited from systemd or spawn-fcgi.
///
/// Owns `fd` only when it created it; `close()` closes it and `removeFile()` unlinks the path if
/// the file there is still the socket we bound (a newer server may have replaced it meanwhile).
/// The descriptor is non-blocking: worker threads poll it and treat EAGAIN from accept as "another
/// thread or process won the race", which is what lets them stop between polls.
public struct ListeningSocket: Sendable {
    public let fd: Int32
    /// The path we bound, when we created the socket.
    public let path: String?
    /// Device, inode and change time of the file we bound. Inode numbers are reused as soon as a
    /// file is deleted, so the change time is what tells our file from a successor's.
    private let identity: FileIdentity?

    /// Binds a unix socket at `path`, chmod `mode`, and listens with `backlog`.
    ///
    /// A leftover socket file from a crashed server is removed, but only after a connect() to it is
    /// refused: if something answers, another live server owns the path and we refuse to start.
    public static func bind(path: String, mode: UInt32 = 0o660, backlog: Int32 = 1024)
        throws(FastCGIError) -> ListeningSocket
    {
        guard let unix = unixAddress(path) else { throw .socketPathTooLong(path) }
        var address = unix.0
        try removeStaleSocket(at: path, address: address, length: unix.1)

        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system(call: "socket", code: errno) }
        // bind() creates the file with the process umask; narrowing the umask for that one call
        // means the socket is never reachable with looser permissions than `mode`.
        let previousMask = umask(mode_t(0o777 & ~mode))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, unix.1) }
        }
        let bindError = errno
        umask(previousMask)
        guard bound == 0 else {
            Glibc.close(fd)
            throw bindError == EADDRINUSE ? .socketInUse(path) : .system(call: "bind(\(path))", code: bindError)
        }
        do throws(FastCGIError) {
            guard chmod(path, mode_t(mode)) == 0 else { throw .system(call: "chmod(\(path))", code: errno) }
            guard listen(fd, backlog) == 0 else { throw .system(call: "listen", code: errno) }
            try setNonBlocking(fd)
            var info = stat()
            guard stat(path, &info) == 0 else { throw .system(call: "stat(\(path))", code: errno) }
            return ListeningSocket(fd: fd, path: path, identity: FileIdentity(info))
        } catch {
            Glibc.close(fd)
            unlink(path)
            throw error
        }
    }

    /// The socket we were started with: systemd socket activation (`LISTEN_PID` is us and
    /// `LISTEN_FDS=1`, so fd 3), else fd 0 when it is a listening socket (spawn-fcgi, or systemd's
    /// `StandardInput=socket`).
    public static func inherited(environment: [String: String]) throws(FastCGIError) -> ListeningSocket {
        if let pidText = environment["LISTEN_PID"], let pid = Int32(pidText), pid == getpid() {
            guard environment["LISTEN_FDS"] == "1" else {
                throw .invalidOption("systemd passed LISTEN_FDS=\(environment["LISTEN_FDS"] ?? "") sockets; expected exactly 1")
            }
            let fd: Int32 = 3
            guard isListeningSocket(fd) else { throw .notListening(fd) }
            setCloseOnExec(fd)
            try setNonBlocking(fd)
            return ListeningSocket(fd: fd, path: nil, identity: nil)
        }
        guard isListeningSocket(0) else { throw .noListeningSocket }
        try setNonBlocking(0)
        return ListeningSocket(fd: 0, path: nil, identity: nil)
    }

    public func close() {
        Glibc.close(fd)
    }

    /// Unlinks the socket file if we created it and it has not been replaced since.
    public func removeFile() {
        guard let path, let identity else { return }
        var info = stat()
        guard lstat(path, &info) == 0, FileIdentity(info) == identity else { return }
        unlink(path)
    }

    private static func removeStaleSocket(at path: String, address: sockaddr_un, length: socklen_t)
        throws(FastCGIError)
    {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw .system(call: "lstat(\(path))", code: errno)
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path) }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { throw .system(call: "socket", code: errno) }
        defer { Glibc.close(probe) }
        var target = address
        let connected = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, length) }
        }
        if connected == 0 { throw .socketInUse(path) }
        // ECONNREFUSED: nobody listens, the file is a corpse. EAGAIN: a live server's backlog is
        // full, which is still a live server.
        guard errno == ECONNREFUSED else {
            if errno == EAGAIN { throw .socketInUse(path) }
            throw .system(call: "connect(\(path))", code: errno)
        }
        guard unlink(path) == 0 || errno == ENOENT else { throw .system(call: "unlink(\(path))", code: errno) }
    }
}

private struct FileIdentity: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64
    let changedSeconds: Int
    let changedNanoseconds: Int

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        changedSeconds = Int(info.st_ctim.tv_sec)
        changedNanoseconds = Int(info.st_ctim.tv_nsec)
    }
}
