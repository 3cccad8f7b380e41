import Testing
import FastCGI
import Glibc
import TestSupport

/// A real libfcgi worker on a temporary socket, driven by the module's client as nginx would.
@Suite struct WorkerThreadsTests {
    private func makeServer(
        threads: Int = 2, maxRequests: Int = 0, idleTimeout: Double = 30, probe: Probe = Probe()
    ) throws -> FastCGITestServer {
        try FastCGITestServer(threads: threads, maxRequests: maxRequests, idleConnectionTimeout: idleTimeout) { index in
            TestResponder(probe: probe, threadIndex: index)
        }
    }

    @Test func getRequestSeesItsParams() throws {
        let probe = Probe()
        let server = try makeServer(threads: 3, probe: probe)
        defer { server.stop() }
        let response = try server.roundTrip(uri: "/hello", query: "a=1&b=2", headers: [("User-Agent", "probe/1")])
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain")
        #expect(response.bodyText == "method=GET query=a=1&b=2 agent=probe/1 missing=nil")
        #expect(probe.responderThreads.withLock { $0.sorted() } == [0, 1, 2])
    }

    @Test func postBodyIsEchoed() throws {
        let server = try makeServer()
        defer { server.stop() }
        let body = Array("{\"question\":\"why?\"}".utf8)
        let response = try server.roundTrip(
            method: "POST", uri: "/echo", headers: [("Content-Type", "application/json")], body: body)
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.body == body)
    }

    @Test func bodyOverTheLimitIsTooLarge() throws {
        let server = try makeServer()
        defer { server.stop() }
        let declared = try server.roundTrip(method: "POST", uri: "/echo", body: Array(repeating: 1, count: 5_000))
        #expect(declared.status == 413)

        // Without CONTENT_LENGTH the worker streams and stops one byte past the limit.
        let params = FastCGITestServer.params(method: "POST", uri: "/echo")
        let streamed = try fastCGIRoundTrip(
            socketPath: server.socketPath, params: params + [("CONTENT_LENGTH", "")],
            body: Array(repeating: 2, count: 2_000), timeout: 5)
        #expect(streamed.status == 413)
        let small = try fastCGIRoundTrip(
            socketPath: server.socketPath, params: params + [("CONTENT_LENGTH", "")],
            body: Array(repeating: 3, count: 1_024), timeout: 5)
        #expect(small.status == 200)
        #expect(small.body.count == 1_024)
    }

    @Test func shortBodyFails() throws {
        let server = try makeServer()
        defer { server.stop() }
        let params = FastCGITestServer.params(method: "POST", uri: "/echo").filter { $0.0 != "CONTENT_LENGTH" }
        let response = try fastCGIRoundTrip(
            socketPath: server.socketPath, params: params + [("CONTENT_LENGTH", "10")], body: [1, 2, 3], timeout: 5)
        #expect(response.status == 400)
    }

    @Test func keptConnectionServesSeveralRequests() throws {
        let server = try makeServer(threads: 1)
        defer { server.stop() }
        let connection = try server.connect()
        for index in 0..<5 {
            try connection.send(
                params: FastCGITestServer.params(uri: "/hello", query: "n=\(index)"), body: [], keepConnection: true)
            let response = try connection.readResponse()
            #expect(response.bodyText.contains("query=n=\(index)"))
        }
        // A request that did not read its body still leaves the connection usable.
        let body = Array(repeating: UInt8(7), count: 10_000)
        try connection.send(params: FastCGITestServer.params(uri: "/hello", body: body), body: body, keepConnection: true)
        #expect(try connection.readResponse().status == 200)
        try connection.send(params: FastCGITestServer.params(uri: "/hello"), body: [], keepConnection: true)
        #expect(try connection.readResponse().status == 200)

        // Without KEEP_CONN the worker closes after the response.
        try connection.send(params: FastCGITestServer.params(uri: "/hello"), body: [], keepConnection: false)
        #expect(try connection.readResponse().status == 200)
        #expect(connection.waitForClose())
    }

    @Test func largeUnreadBodyClosesTheKeptConnectionInsteadOfDraining() throws {
        let server = try makeServer(threads: 1)
        defer { server.stop() }
        let connection = try server.connect()
        let body = Array(repeating: UInt8(1), count: 200_000)
        try connection.send(params: FastCGITestServer.params(method: "POST", uri: "/echo", body: body), body: body, keepConnection: true)
        #expect(try connection.readResponse().status == 413)
        #expect(connection.waitForClose())
        // libfcgi drains until the peer closes too, as nginx does on END_REQUEST.
        connection.close()
        // The thread is free again.
        #expect(try server.roundTrip(uri: "/hello").status == 200)
    }

    @Test func flushedChunkReachesTheClientBeforeTheResponderFinishes() throws {
        let probe = Probe()
        let server = try makeServer(probe: probe)
        defer { server.stop() }
        let connection = try server.connect(timeout: 3)
        try connection.send(params: FastCGITestServer.params(uri: "/stream"), body: [], keepConnection: false)
        var received: [UInt8] = []
        while !String(decoding: received, as: UTF8.self).contains("data: first") {
            guard case .stdout(let bytes) = try connection.nextEvent() else {
                Issue.record("stream ended before the first chunk")
                return
            }
            received += bytes
        }
        #expect(!String(decoding: received, as: UTF8.self).contains("second"))
        probe.release.open()
        while case .stdout(let bytes) = try connection.nextEvent() { received += bytes }
        let response = try FastCGIResponse.parse(stdout: received)
        #expect(response.status == 200)
        #expect(response.header("X-Accel-Buffering") == "no")
        #expect(response.bodyText == "data: first\n\ndata: second\n\n")
    }

    @Test func largeResponseArrivesWhole() throws {
        let server = try makeServer()
        defer { server.stop() }
        let response = try server.roundTrip(uri: "/big")
        #expect(response.body.count == 300_000)
        #expect(response.body.allSatisfy { $0 == UInt8(ascii: "z") })
    }

    @Test func responderThatWritesNothingYields500() throws {
        let server = try makeServer()
        defer { server.stop() }
        let response = try server.roundTrip(uri: "/nothing")
        #expect(response.status == 500)
        #expect(response.bodyText == "Internal Server Error\n")
    }

    @Test func gracefulStopLetsTheInFlightRequestFinish() throws {
        let probe = Probe()
        let server = try makeServer(threads: 2, probe: probe)
        let connection = try server.connect(timeout: 5)
        try connection.send(params: FastCGITestServer.params(uri: "/slow"), body: [], keepConnection: true)
        #expect(probe.started.wait())
        server.threads.stop()
        usleep(300_000)
        #expect(!server.threads.hasStopped, "the busy thread is still serving")
        probe.release.open()
        let response = try connection.readResponse()
        #expect(response.status == 200)
        #expect(response.bodyText == "finished")
        // The kept connection is closed once idle for the stop grace period; every thread returns.
        #expect(connection.waitForClose())
        server.stop()
        #expect(server.threads.hasStopped)
    }

    @Test func keptConnectionIsStillServedWhileStopping() throws {
        let server = try makeServer(threads: 2)
        defer { server.stop() }
        let connection = try server.connect(timeout: 3)
        try connection.send(params: FastCGITestServer.params(uri: "/hello"), body: [], keepConnection: true)
        #expect(try connection.readResponse().status == 200)
        server.threads.stop()
        // nginx may already have picked this connection for its next request: it is answered.
        try connection.send(params: FastCGITestServer.params(uri: "/hello", query: "late"), body: [], keepConnection: true)
        #expect(try connection.readResponse().bodyText.contains("query=late"))
        #expect(connection.waitForClose())
    }

    @Test func stoppedWorkerAcceptsNothingNew() throws {
        let server = try makeServer(threads: 2)
        defer { server.stop() }
        server.threads.stop()
        let deadline = monotonicSeconds() + 2
        while !server.threads.hasStopped && monotonicSeconds() < deadline { usleep(10_000) }
        #expect(server.threads.hasStopped)
        // The socket still exists (connect succeeds into the backlog) but nobody answers.
        #expect(throws: FastCGIClientError.timedOut) {
            try fastCGIRoundTrip(
                socketPath: server.socketPath, params: FastCGITestServer.params(uri: "/hello"), body: [], timeout: 0.5)
        }
    }

    @Test func idleKeptConnectionIsClosedAfterTheTimeout() throws {
        let server = try makeServer(threads: 1, idleTimeout: 0.3)
        defer { server.stop() }
        let connection = try server.connect(timeout: 3)
        try connection.send(params: FastCGITestServer.params(uri: "/hello"), body: [], keepConnection: true)
        #expect(try connection.readResponse().status == 200)
        let start = monotonicSeconds()
        #expect(connection.waitForClose())
        #expect(monotonicSeconds() - start < 2)
    }

    @Test func idleKeptConnectionDoesNotPinItsThread() throws {
        // One thread and an idle kept connection: a new connection is served at once, and the
        // kept one stays open and usable.
        let server = try makeServer(threads: 1, idleTimeout: 30)
        defer { server.stop() }
        let kept = try server.connect(timeout: 3)
        try kept.send(params: FastCGITestServer.params(uri: "/hello"), body: [], keepConnection: true)
        #expect(try kept.readResponse().status == 200)
        let start = monotonicSeconds()
        for _ in 0..<3 { #expect(try server.roundTrip(uri: "/hello", timeout: 3).status == 200) }
        #expect(monotonicSeconds() - start < 1)
        try kept.send(params: FastCGITestServer.params(uri: "/hello", query: "again"), body: [], keepConnection: true)
        #expect(try kept.readResponse().bodyText.contains("query=again"))
    }

    @Test func manyKeptConnectionsShareFewThreads() throws {
        let server = try makeServer(threads: 2)
        defer { server.stop() }
        let connections = try (0..<6).map { _ in try server.connect(timeout: 3) }
        for round in 0..<3 {
            for (index, connection) in connections.enumerated() {
                try connection.send(
                    params: FastCGITestServer.params(uri: "/hello", query: "c=\(index)&r=\(round)"), body: [],
                    keepConnection: true)
            }
            for (index, connection) in connections.enumerated() {
                #expect(try connection.readResponse().bodyText.contains("query=c=\(index)&r=\(round)"))
            }
        }
    }

    @Test func workerStopsAfterMaxRequests() throws {
        let server = try makeServer(threads: 1, maxRequests: 3)
        defer { server.stop() }
        for _ in 0..<3 { #expect(try server.roundTrip(uri: "/hello").status == 200) }
        let deadline = monotonicSeconds() + 2
        while !server.threads.hasStopped && monotonicSeconds() < deadline { usleep(10_000) }
        #expect(server.threads.hasStopped)
        #expect(server.threads.reachedMaxRequests)
        #expect(server.threads.requestsServed == 3)
    }
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
