import Testing
@testable import FastCGI
import Glibc

/// A fresh directory under /tmp, removed with everything in it.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/parley-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        guard let made else { throw FastCGIError.system(call: "mkdtemp", code: errno) }
        path = String(cString: made)
    }

    deinit {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}

@Suite struct ListeningSocketTests {
    @Test func bindCreatesANonBlockingListeningSocketWithTheMode() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/a.sock"
        let socket = try ListeningSocket.bind(path: path, mode: 0o660, backlog: 16)
        defer { socket.close() }
        var info = stat()
        #expect(lstat(path, &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        #expect(info.st_mode & 0o777 == 0o660)
        #expect(isListeningSocket(socket.fd))
        #expect(fcntl(socket.fd, F_GETFL) & O_NONBLOCK != 0)
        socket.removeFile()
        #expect(access(path, F_OK) != 0)
    }

    @Test func staleSocketFileIsReplaced() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/stale.sock"
        let first = try ListeningSocket.bind(path: path)
        first.close()  // a crashed server: the file stays, nobody listens
        #expect(access(path, F_OK) == 0)
        let second = try ListeningSocket.bind(path: path)
        second.close()
        second.removeFile()
    }

    @Test func liveServerIsNotDisplaced() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/live.sock"
        let live = try ListeningSocket.bind(path: path)
        defer {
            live.close()
            live.removeFile()
        }
        #expect(throws: FastCGIError.socketInUse(path)) { try ListeningSocket.bind(path: path) }
        #expect(isListeningSocket(live.fd))
    }

    @Test func ordinaryFileIsNeverDeleted() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/data.txt"
        let fd = open(path, O_CREAT | O_WRONLY, 0o600)
        close(fd)
        #expect(throws: FastCGIError.notASocket(path)) { try ListeningSocket.bind(path: path) }
        #expect(access(path, F_OK) == 0)
    }

    @Test func removeFileLeavesAReplacementAlone() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/x.sock"
        let old = try ListeningSocket.bind(path: path)
        old.close()
        // File times tick with the kernel's coarse clock; a successor in real life comes later.
        usleep(50_000)
        let replacement = try ListeningSocket.bind(path: path)
        defer { replacement.close() }
        old.removeFile()
        #expect(access(path, F_OK) == 0, "the old server must not unlink its successor's socket")
        replacement.removeFile()
        #expect(access(path, F_OK) != 0)
    }

    @Test func tooLongPathIsRejected() {
        let path = "/tmp/" + String(repeating: "p", count: 120)
        #expect(throws: FastCGIError.socketPathTooLong(path)) { try ListeningSocket.bind(path: path) }
    }

    @Test func inheritanceNeedsExactlyOneSystemdSocketOrAListeningStandardInput() {
        let pid = String(getpid())
        #expect(throws: FastCGIError.invalidOption("systemd passed LISTEN_FDS=2 sockets; expected exactly 1")) {
            try ListeningSocket.inherited(environment: ["LISTEN_PID": pid, "LISTEN_FDS": "2"])
        }
        // Another process's LISTEN_* is ignored; the test's stdin is no listening socket.
        #expect(throws: FastCGIError.noListeningSocket) {
            try ListeningSocket.inherited(environment: ["LISTEN_PID": "1", "LISTEN_FDS": "1"])
        }
    }
}
