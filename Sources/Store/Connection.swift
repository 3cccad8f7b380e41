internal import CLibPQ

/// One libpq connection (`PGconn`), owned for its whole life by this object.
///
/// Thread rule: deliberately not `Sendable`. libpq connections must not be used from two threads at
/// once, so each worker thread owns one, usually through a `ConnectionSlot`, and lends it only inside
/// closures. `PQfinish` runs in `deinit`; nothing else closes it.
///
/// Every statement goes through the extended protocol with binary parameters and binary results
/// (`PQexecParams` / `PQexecPrepared` with resultFormat 1), except `executeScript`, which exists for
/// migrations' multi-statement files.
public final class Connection {
    let handle: OpaquePointer
    /// Prepared statement names by SQL text plus parameter types; see `queryPrepared`.
    var preparedStatements: [String: String] = [:]
    var statementCounter = 0
    var savepointCounter = 0

    /// Past this many distinct prepared statements `queryPrepared` stops preparing new ones and runs
    /// them unnamed, so SQL built with varying text cannot grow server memory without bound.
    static let preparedStatementLimit = 256

    /// Connects, or throws `StoreError(kind: .connection)` with libpq's reason.
    ///
    /// `conninfo` is a libpq connection string or URI. It is never included in errors, because it may
    /// hold a password. The client encoding is forced to UTF-8, since binary text values arrive in
    /// the client encoding and Swift strings are decoded as UTF-8.
    public init(conninfo: String) throws {
        try Self.validate(conninfo: conninfo)
        // Entries after "dbname" override what the expanded conninfo says; entries before it are
        // defaults the conninfo may override.
        let keywords = ["connect_timeout", "fallback_application_name", "dbname", "client_encoding"]
        let values = ["10", "parley", conninfo, "UTF8"]
        let connection = CStringArray(keywords).withPointers { keywordPointers in
            CStringArray(values).withPointers { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw StoreError(kind: .connection, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(connection))
            // PQconnectdbParams returns a handle even when connecting failed; it still has to be freed.
            PQfinish(connection)
            throw StoreError(kind: .connection, message: message.isEmpty ? "could not connect" : message)
        }
        handle = connection
        // libpq's default notice processor prints NOTICE/WARNING lines to stderr, which would break
        // the one-JSON-object-per-line log; notices carry nothing Store acts on.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
    }

    deinit {
        PQfinish(handle)
    }

    /// True while libpq believes the connection is usable. It learns of a dead server only when it
    /// next talks to it, so this can be true for a connection whose next statement will fail.
    public var isOK: Bool { PQstatus(handle) == CONNECTION_OK }

    /// The server version as an integer, e.g. 150008 for 15.8.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// The server process serving this connection (for `pg_terminate_backend`, `pg_stat_activity`).
    public var backendPID: Int { Int(PQbackendPID(handle)) }

    /// True inside `BEGIN … COMMIT`, including a transaction that has failed and awaits ROLLBACK.
    public var isInTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE
    }

    /// Reads, without blocking, whatever the server sent while the connection sat idle. A server that
    /// restarted or terminated this backend has sent a FATAL message and closed the socket; reading
    /// it makes libpq mark the connection bad, so the caller can reconnect before a request fails.
    /// libpq keeps its socket non-blocking, so this costs a couple of `recv` calls. The first read
    /// may return just the FATAL message; only the next one sees the closed socket.
    var survivedIdle: Bool {
        for _ in 0..<2 {
            guard isOK, PQconsumeInput(handle) == 1 else { return false }
            _ = PQisBusy(handle)  // parses what was read, so the input buffer does not grow
        }
        return isOK
    }

    var isInFailedTransaction: Bool { PQtransactionStatus(handle) == PQTRANS_INERROR }

    /// A round trip that proves the server answers; for readiness checks.
    public func ping() throws {
        _ = try queryPrepared("SELECT 1")
    }

    /// Runs one statement as an unnamed statement and returns its decoded rows.
    public func query(_ sql: SQL) throws -> QueryResult {
        let text = sql.text
        return try runUnnamed(sql, text: text).materialize(sql: text)
    }

    /// Runs one statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: SQL) throws -> Int {
        try runUnnamed(sql, text: sql.text).affectedRows
    }

    /// Like `query`, but prepares the statement once per connection and reuses it, saving the parse
    /// and plan on hot paths. Statements are keyed by text and parameter types, because a prepared
    /// statement's parameter types are fixed when it is prepared.
    ///
    /// If the server has lost the statement (`DISCARD ALL`, error 26000) it is prepared again and run
    /// once more, provided no transaction was spoiled by the failure. A reconnect needs nothing:
    /// `ConnectionSlot` makes a new `Connection`, whose cache starts empty.
    public func queryPrepared(_ sql: SQL) throws -> QueryResult {
        let text = sql.text
        let parameters = try EncodedParameters(sql.parameters, sql: sql)
        let key = text + "\u{0}" + parameters.types.map(String.init).joined(separator: ",")
        guard preparedStatements[key] != nil || preparedStatements.count < Self.preparedStatementLimit else {
            return try runUnnamed(parameters, text: text).materialize(sql: text)
        }
        let result: ResultHandle
        do {
            result = try runPrepared(key: key, text: text, parameters: parameters)
        } catch {
            guard error.sqlState == .invalidSQLStatementName, !isInTransaction else { throw error }
            preparedStatements[key] = nil
            return try runPrepared(key: key, text: text, parameters: parameters).materialize(sql: text)
        }
        return result.materialize(sql: text)
    }

    /// Runs a multi-statement script with the simple query protocol. For migrations only: it takes no
    /// parameters, and results (text format) are discarded.
    public func executeScript(_ script: String) throws {
        _ = try checked(PQexec(handle, script), sql: script)
    }

    /// A command with no parameters and no rows worth decoding (BEGIN, COMMIT, SAVEPOINT …).
    func command(_ text: String) throws(StoreError) {
        _ = try checked(PQexec(handle, text), sql: text)
    }

    private func runUnnamed(_ sql: SQL, text: String) throws(StoreError) -> ResultHandle {
        try runUnnamed(try EncodedParameters(sql.parameters, sql: sql), text: text)
    }

    private func runUnnamed(_ parameters: EncodedParameters, text: String) throws(StoreError) -> ResultHandle {
        let result = parameters.withValuePointers { values in
            PQexecParams(
                handle, text, Int32(values.count), parameters.types, values, parameters.lengths,
                parameters.formats, 1)
        }
        return try checked(result, sql: text)
    }

    private func runPrepared(key: String, text: String, parameters: EncodedParameters) throws(StoreError) -> ResultHandle {
        let name: String
        if let existing = preparedStatements[key] {
            name = existing
        } else {
            statementCounter += 1
            name = "parley_\(statementCounter)"
            let prepared = PQprepare(handle, name, text, Int32(parameters.types.count), parameters.types)
            _ = try checked(prepared, sql: text)
            preparedStatements[key] = name
        }
        let result = parameters.withValuePointers { values in
            PQexecPrepared(handle, name, Int32(values.count), values, parameters.lengths, parameters.formats, 1)
        }
        return try checked(result, sql: text)
    }

    /// Takes ownership of a result and turns a failed one into a `StoreError`.
    func checked(_ result: OpaquePointer?, sql: String) throws(StoreError) -> ResultHandle {
        guard let result else {
            // libpq returns no result only when out of memory or when it could not send the command.
            let message = Self.trimmed(PQerrorMessage(handle))
            throw StoreError(kind: isOK ? .query : .connection, message: message.isEmpty ? "no result" : message, sql: sql)
        }
        let owned = ResultHandle(result)
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return owned
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            throw StoreError(kind: .query, message: "COPY is not supported through Store", sql: sql)
        default:
            throw ServerError(result: result, connection: handle).storeError(sql: sql)
        }
    }

    private static func validate(conninfo: String) throws(StoreError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let options = PQconninfoParse(conninfo, &errorMessage)
        if let errorMessage { PQfreemem(errorMessage) }
        guard let options else {
            // libpq's parse error quotes the offending part of the string, which may be a password.
            throw StoreError(kind: .connection, message: "the connection string could not be parsed (not shown: it may hold a password)")
        }
        PQconninfoFree(options)
    }

    static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "" }
        var text = String(cString: message)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}

/// Lays out C strings in one buffer for arrays of `const char *` (PQconnectdbParams' keywords and
/// values), ending the pointer array with NULL as libpq expects.
struct CStringArray {
    private var buffer: [CChar] = []
    private var offsets: [Int] = []

    init(_ strings: [String]) {
        for string in strings {
            offsets.append(buffer.count)
            buffer.append(contentsOf: string.utf8.map { CChar(bitPattern: $0) })
            buffer.append(0)
        }
    }

    func withPointers<R>(_ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        buffer.withUnsafeBufferPointer { raw in
            guard let base = raw.baseAddress else { return body([nil]) }
            return body(offsets.map { base + $0 } + [nil])
        }
    }
}
