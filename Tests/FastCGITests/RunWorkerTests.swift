import Testing
@testable import FastCGI
import Glibc
import Synchronization
import TestSupport

/// `runWorker` in-process: on its own thread, with signals sent to that thread only
/// (pthread_kill), so the test process itself never sees them.
@Suite struct RunWorkerTests {
    private final class Outcome: Sendable {
        let exitCode = Atomic<Int32>(-1)
    }

    private final class ThreadBody {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    private func startThread(_ body: @escaping @Sendable () -> Void) throws -> pthread_t {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        let result = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<ThreadBody>.fromOpaque(raw).takeRetainedValue().body()
            return nil
        }, context)
        guard result == 0 else { throw FastCGIError.system(call: "pthread_create", code: result) }
        return thread
    }

    private func waitForReadyByte(_ fd: Int32) -> Bool {
        guard waitReadable(fd, timeoutMilliseconds: 10_000) else { return false }
        var byte: UInt8 = 0
        return read(fd, &byte, 1) == 1
    }

    @Test func signalsReadinessServesAndStopsOnSIGTERM() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/w.sock"
        let socket = try ListeningSocket.bind(path: path)
        defer { socket.close() }
        var pipeFDs: [Int32] = [-1, -1]
        #expect(pipe(&pipeFDs) == 0)
        defer { close(pipeFDs[0]) }
        let outcome = Outcome()
        let probe = Probe()
        let options = WorkerOptions(listenFD: socket.fd, threads: 2, readyFD: pipeFDs[1])
        let thread = try startThread {
            let code = runWorker(options, exitWithParent: false) { TestResponder(probe: probe, threadIndex: $0) }
            outcome.exitCode.store(code, ordering: .releasing)
        }
        #expect(waitForReadyByte(pipeFDs[0]))
        let params = FastCGITestServer.params(uri: "/hello")
        #expect(try fastCGIRoundTrip(socketPath: path, params: params, body: [], timeout: 5).status == 200)

        pthread_kill(thread, SIGHUP)
        usleep(200_000)
        #expect(try fastCGIRoundTrip(socketPath: path, params: params, body: [], timeout: 5).status == 200,
            "SIGHUP is ignored by workers")

        // SIGTERM with a request in flight: it still completes, then the worker exits 0.
        let connection = try FastCGIConnection(socketPath: path, timeout: 5)
        try connection.send(params: FastCGITestServer.params(uri: "/slow"), body: [], keepConnection: true)
        #expect(probe.started.wait())
        pthread_kill(thread, SIGTERM)
        usleep(200_000)
        probe.release.open()
        #expect(try connection.readResponse().bodyText == "finished")
        pthread_join(thread, nil)
        #expect(outcome.exitCode.load(ordering: .acquiring) == 0)
    }

    @Test func exitsWithTheRecycleCodeAfterMaxRequests() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/r.sock"
        let socket = try ListeningSocket.bind(path: path)
        defer { socket.close() }
        let outcome = Outcome()
        let probe = Probe()
        let options = WorkerOptions(listenFD: socket.fd, threads: 1, maxRequests: 2)
        let thread = try startThread {
            let code = runWorker(options, exitWithParent: false) { TestResponder(probe: probe, threadIndex: $0) }
            outcome.exitCode.store(code, ordering: .releasing)
        }
        let params = FastCGITestServer.params(uri: "/hello")
        for _ in 0..<2 {
            #expect(try fastCGIRoundTrip(socketPath: path, params: params, body: [], timeout: 5).status == 200)
        }
        pthread_join(thread, nil)
        #expect(outcome.exitCode.load(ordering: .acquiring) == WorkerOptions.recycleExitCode)
    }

    @Test func refusesADescriptorThatIsNotListening() throws {
        var pipeFDs: [Int32] = [-1, -1]
        #expect(pipe(&pipeFDs) == 0)
        defer {
            close(pipeFDs[0])
            close(pipeFDs[1])
        }
        let outcome = Outcome()
        let notASocket = pipeFDs[0]
        let thread = try startThread {
            let code = runWorker(WorkerOptions(listenFD: notASocket, threads: 1), exitWithParent: false) { _ in
                TestResponder(probe: Probe(), threadIndex: 0)
            }
            outcome.exitCode.store(code, ordering: .releasing)
        }
        pthread_join(thread, nil)
        #expect(outcome.exitCode.load(ordering: .acquiring) == 1)
    }
}
