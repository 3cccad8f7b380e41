import Glibc

/// Why the server side of this module could not start or keep a socket.
///
/// Client-side failures (`fastCGIRoundTrip`) are `FastCGIClientError`; wire-format failures are
/// `FastCGIRecordError`. None of these carry request data, so they are safe to log.
public enum FastCGIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A unix socket path must fit `sockaddr_un.sun_path` (107 bytes plus NUL).
    case socketPathTooLong(String)
    /// Something already answers on the socket path; we refuse to steal it from a live server.
    case socketInUse(String)
    /// The path exists and is not a socket; we never delete ordinary files.
    case notASocket(String)
    /// No `socketPath` and nothing inherited (systemd socket activation or fd 0).
    case noListeningSocket
    /// An inherited descriptor that is not a listening stream socket.
    case notListening(Int32)
    /// A configuration value that cannot work (zero workers, empty argv...).
    case invalidOption(String)
    /// A system call failed; `call` names it, `code` is errno.
    case system(call: String, code: Int32)

    public var description: String {
        switch self {
        case .socketPathTooLong(let path):
            return "socket path is too long (max 107 bytes): \(path)"
        case .socketInUse(let path):
            return "another server is already listening on \(path)"
        case .notASocket(let path):
            return "\(path) exists and is not a socket; refusing to replace it"
        case .noListeningSocket:
            return "no listening socket: pass a socket path, or start under systemd socket activation "
                + "(LISTEN_FDS=1) or spawn-fcgi (listening socket on fd 0)"
        case .notListening(let fd):
            return "file descriptor \(fd) is not a listening socket"
        case .invalidOption(let why):
            return "invalid option: \(why)"
        case .system(let call, let code):
            return "\(call) failed: \(errnoDescription(code))"
        }
    }
}

func errnoDescription(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return "\(String(cString: text)) (errno \(code))"
}
