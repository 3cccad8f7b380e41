import Glibc

/// Writes every byte, retrying on EINTR and short writes. Returns false when the descriptor
/// fails (EPIPE, EBADF...), which callers treat as "the other side is gone".
@discardableResult
func writeAll(fd: Int32, _ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { raw in
        guard let base = raw.baseAddress else { return true }
        var offset = 0
        while offset < raw.count {
            let written = write(fd, base + offset, raw.count - offset)
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return false
            }
        }
        return true
    }
}

func setNonBlocking(_ fd: Int32) throws(FastCGIError) {
    let flags = fcntl(fd, F_GETFL)
    guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else {
        throw .system(call: "fcntl(O_NONBLOCK)", code: errno)
    }
}

func setCloseOnExec(_ fd: Int32) {
    let flags = fcntl(fd, F_GETFD)
    if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
}

/// True when `fd` is a stream socket in the listening state (what spawn-fcgi and systemd pass).
func isListeningSocket(_ fd: Int32) -> Bool {
    var accepting: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0 else { return false }
    return accepting != 0
}

/// poll() one descriptor for input; EINTR counts as "not yet". `POLLHUP`/`POLLERR` count as
/// readable because the next read is what reports them.
func waitReadable(_ fd: Int32, timeoutMilliseconds: Int32) -> Bool {
    var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    let ready = poll(&entry, 1, timeoutMilliseconds)
    return ready > 0 && entry.revents != 0
}

/// Fills a `sockaddr_un` for `path`, or nil when the path does not fit.
func unixAddress(_ path: String) -> (sockaddr_un, socklen_t)? {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard !bytes.isEmpty, bytes.count < capacity else { return nil }
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        for (index, byte) in bytes.enumerated() { raw[index] = byte }
    }
    let length = MemoryLayout<sa_family_t>.size + bytes.count + 1
    return (address, socklen_t(length))
}
