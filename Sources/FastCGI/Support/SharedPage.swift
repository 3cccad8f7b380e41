internal import CFCGI
import Glibc

/// One page of memory shared by the supervisor and all its workers, holding 64-bit counters that
/// any process can read or bump atomically. The supervisor creates it (an anonymous memfd) before
/// the first spawn and hands it to each worker as fd 4 (`PARLEY_WORKER_SHARED_FD`), so it lives as
/// long as the pool and leaves nothing behind in the file system.
///
/// What it is for: pool-wide "something changed" signals that must reach every worker before the
/// next request, without a database round trip, e.g. the authentication cache's epoch.
/// The mapping is never unmapped while the process runs; reads and writes are atomic, hence Sendable.
public final class SharedPage: @unchecked Sendable {
    public static let environmentKey = "PARLEY_WORKER_SHARED_FD"
    static let fdInChild: Int32 = 4
    public static let counterCount = 512

    private let base: UnsafeMutablePointer<UInt64>
    /// The memfd, kept open so the supervisor can pass it on to every new worker.
    let fd: Int32

    private init(fd: Int32, base: UnsafeMutablePointer<UInt64>) {
        self.fd = fd
        self.base = base
    }

    /// A new page, zeroed (for the supervisor; or for a process serving alone, e.g. tests).
    public static func create() throws(FastCGIError) -> SharedPage {
        let fd = parley_memfd_create("parley-pool")
        guard fd >= 0 else { throw .system(call: "memfd_create", code: errno) }
        guard ftruncate(fd, off_t(counterCount * 8)) == 0 else {
            let code = errno
            close(fd)
            throw .system(call: "ftruncate(shared page)", code: code)
        }
        return try map(fd)
    }

    /// The page a worker inherited from its supervisor, or nil when it was started some other way.
    public static func inherited(environment: [String: String]) -> SharedPage? {
        guard let text = environment[environmentKey], let fd = Int32(text), fd >= 0 else { return nil }
        return try? map(fd)
    }

    private static func map(_ fd: Int32) throws(FastCGIError) -> SharedPage {
        let address = mmap(nil, counterCount * 8, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let address, address != MAP_FAILED else {
            let code = errno
            close(fd)
            throw .system(call: "mmap(shared page)", code: code)
        }
        return SharedPage(fd: fd, base: address.assumingMemoryBound(to: UInt64.self))
    }

    public func load(_ counter: Int) -> UInt64 {
        precondition(counter >= 0 && counter < Self.counterCount, "shared counter out of range")
        return parley_atomic_load_u64(base + counter)
    }

    /// Adds one and returns the new value.
    @discardableResult
    public func increment(_ counter: Int) -> UInt64 {
        precondition(counter >= 0 && counter < Self.counterCount, "shared counter out of range")
        return parley_atomic_increment_u64(base + counter)
    }
}
