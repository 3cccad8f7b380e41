import Glibc
import Testing
@testable import FastCGI

@Suite struct EnvironmentTests {
    @Test func environmentFileParsesSystemdStyleLines() throws {
        let entries = try EnvironmentFile.parse("""
            # comment
            ; another comment

            PARLEY_DATABASE_URL=postgres://parley@/parley
            export PARLEY_WORKERS = 4
            PARLEY_GREETING="hello \\"world\\"\\nbye"
            PARLEY_RAW='a $b \\n'
            EMPTY=
            """)
        #expect(entries.map(\.0) == ["PARLEY_DATABASE_URL", "PARLEY_WORKERS", "PARLEY_GREETING", "PARLEY_RAW", "EMPTY"])
        #expect(entries.map(\.1) == ["postgres://parley@/parley", "4", "hello \"world\"\nbye", "a $b \\n", ""])
    }

    @Test func environmentFileRejectsGarbageWithTheLineNumber() {
        #expect(throws: EnvironmentFile.ParseError.invalidLine(2)) { try EnvironmentFile.parse("A=1\nnot a setting\n") }
        #expect(throws: EnvironmentFile.ParseError.invalidLine(1)) { try EnvironmentFile.parse("1ABC=2") }
        #expect(throws: EnvironmentFile.ParseError.invalidLine(1)) { try EnvironmentFile.parse("A=\"unterminated") }
    }

    @Test func missingEnvironmentFileIsAnError() {
        #expect(throws: EnvironmentFile.ParseError.unreadable(path: "/nonexistent/parley.env", code: 2)) {
            try EnvironmentFile.load(path: "/nonexistent/parley.env")
        }
    }

    @Test func workersSeeTheCurrentFileNotTheStartupCopy() {
        var environment = WorkerEnvironment(
            processEnvironment: [("PATH", "/usr/bin"), ("OLD", "from-file"), ("LISTEN_FDS", "1"), ("LISTEN_PID", "9")],
            fileEntries: [("OLD", "from-file"), ("KEEP", "1")])
        #expect(environment.entries(readyFD: 3) == ["PATH=/usr/bin", "OLD=from-file", "KEEP=1", "PARLEY_WORKER_READY_FD=3", "PARLEY_WORKER_SHARED_FD=4"])
        environment.replaceFileEntries([("KEEP", "2"), ("NEW", "x")])
        #expect(environment.entries(readyFD: 3) == ["PATH=/usr/bin", "KEEP=2", "NEW=x", "PARLEY_WORKER_READY_FD=3", "PARLEY_WORKER_SHARED_FD=4"])
    }

    @Test func readyDescriptorIsReadFromTheEnvironment() {
        #expect(WorkerOptions.readyFD(in: ["PARLEY_WORKER_READY_FD": "3"]) == 3)
        #expect(WorkerOptions.readyFD(in: ["PARLEY_WORKER_READY_FD": "x"]) == nil)
        #expect(WorkerOptions.readyFD(in: [:]) == nil)
    }
}

@Suite struct SharedPageTests {
    @Test func countersAreSharedThroughTheInheritedDescriptor() throws {
        let page = try SharedPage.create()
        #expect(page.load(0) == 0)
        #expect(page.increment(0) == 1)
        // A second mapping of the same memfd, as a worker gets through PARLEY_WORKER_SHARED_FD.
        let duplicate = dup(page.fd)
        let other = try #require(SharedPage.inherited(environment: [SharedPage.environmentKey: String(duplicate)]))
        #expect(other.load(0) == 1)
        other.increment(0)
        #expect(page.load(0) == 2)
        #expect(page.load(1) == 0, "counters are independent")
        #expect(SharedPage.inherited(environment: [:]) == nil)
    }
}
