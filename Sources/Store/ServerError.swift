internal import CLibPQ

/// The diagnostic fields of a failed `PGresult`, read before the result is cleared.
struct ServerError {
    let sqlState: SQLState?
    let message: String
    let constraint: String?
    let connectionLost: Bool

    // PG_DIAG_* are single-character field codes (libpq-fe.h / postgres_ext.h).
    private static let sqlStateField = Int32(UInt8(ascii: "C"))
    private static let primaryMessageField = Int32(UInt8(ascii: "M"))
    private static let constraintField = Int32(UInt8(ascii: "n"))

    init(result: OpaquePointer, connection: OpaquePointer) {
        func field(_ code: Int32) -> String? {
            guard let value = PQresultErrorField(result, code) else { return nil }
            return String(cString: value)
        }
        let state = field(Self.sqlStateField).map(SQLState.init(rawValue:))
        sqlState = state
        constraint = field(Self.constraintField)
        // The primary message only: DETAIL lines quote row values ("Key (secret_hash)=(\x…) already
        // exists"), which must not reach logs. Errors raised by libpq itself have no fields, only
        // the full message.
        let primary = field(Self.primaryMessageField) ?? Connection.trimmed(PQresultErrorMessage(result))
        message = Self.redacted(primary.isEmpty ? Connection.trimmed(PQerrorMessage(connection)) : primary, state)
        connectionLost = PQstatus(connection) != CONNECTION_OK
    }

    func storeError(sql: String) -> StoreError {
        StoreError(
            kind: connectionLost ? .connection : .query, sqlState: sqlState,
            message: message.isEmpty ? "statement failed" : message, sql: sql, constraint: constraint)
    }

    /// Data exceptions (class 22) quote the rejected input in their primary message, e.g.
    /// `invalid input syntax for type uuid: "…"`, and that input is usually a bound argument. Quoted
    /// parts of such messages are replaced, keeping the type names and the shape of the message.
    static func redacted(_ message: String, _ state: SQLState?) -> String {
        guard state?.errorClass == "22" else { return message }
        var output = ""
        var inQuotes = false
        for character in message {
            if character == "\"" {
                output.append(inQuotes ? "…\"" : "\"")
                inQuotes.toggle()
            } else if !inQuotes {
                output.append(character)
            }
        }
        return output
    }
}
