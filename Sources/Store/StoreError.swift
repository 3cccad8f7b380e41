/// A failure reported by PostgreSQL, by libpq, or by Store itself.
///
/// One type for every database failure, like GRDB's `DatabaseError`: callers branch on `kind` and
/// `sqlState`, never on message text. The description carries the server's primary message and the
/// SQL text, but never bound arguments and never the server's DETAIL line, because those echo row
/// values (API key hashes, e-mail addresses) into logs.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Hashable {
        /// The connection could not be made or was lost; retrying on a fresh connection may work.
        case connection
        /// The server rejected a statement, or Store refused to send it.
        case query
        /// A result value could not be turned into the requested Swift type.
        case decoding
        /// The migrations directory and the database disagree.
        case migration
    }

    public let kind: Kind
    /// The five-character SQLSTATE (`PG_DIAG_SQLSTATE`), when the server sent one.
    public let sqlState: SQLState?
    /// The server's (or Store's) message. Never contains bound arguments.
    public let message: String
    /// The statement text with `$n` placeholders, when the failure belongs to a statement.
    public let sql: String?
    /// The constraint the server named (`PG_DIAG_CONSTRAINT_NAME`), so callers can tell which unique
    /// index was hit without reading the message.
    public let constraint: String?

    public init(
        kind: Kind, sqlState: SQLState? = nil, message: String, sql: String? = nil, constraint: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.sql = sql
        self.constraint = constraint
    }

    /// True when the connection is gone or the server is going away, so the caller should answer
    /// "try again later" (503) and the connection slot should reconnect on next use.
    public var isConnectionFailure: Bool {
        if kind == .connection { return true }
        guard let sqlState else { return false }
        return sqlState.errorClass == "08"
            || sqlState == .adminShutdown || sqlState == .crashShutdown || sqlState == .cannotConnectNow
    }

    public var description: String {
        var text = "StoreError.\(kind)"
        if let sqlState { text += " [\(sqlState.rawValue)]" }
        text += ": \(message)"
        if let constraint { text += " (constraint \(constraint))" }
        if let sql { text += " — SQL: \(sql)" }
        return text
    }
}

/// A PostgreSQL SQLSTATE code (Appendix A of the PostgreSQL manual).
///
/// `catch SQLState.uniqueViolation { … }` works through `~=`, like GRDB's `ResultCode`.
public struct SQLState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// The first two characters: "23" for integrity violations, "08" for connection exceptions.
    public var errorClass: Substring { rawValue.prefix(2) }

    public var description: String { rawValue }

    // Class 08: connection exception
    public static let connectionException = SQLState("08000")
    public static let connectionFailure = SQLState("08006")
    // Class 22: data exception
    public static let dataException = SQLState("22000")
    public static let numericValueOutOfRange = SQLState("22003")
    public static let invalidTextRepresentation = SQLState("22P02")
    public static let stringDataRightTruncation = SQLState("22001")
    // Class 23: integrity constraint violation
    public static let notNullViolation = SQLState("23502")
    public static let foreignKeyViolation = SQLState("23503")
    public static let uniqueViolation = SQLState("23505")
    public static let checkViolation = SQLState("23514")
    public static let exclusionViolation = SQLState("23P01")
    // Class 25 / 26: transaction state, prepared statements
    public static let inFailedSQLTransaction = SQLState("25P02")
    public static let invalidSQLStatementName = SQLState("26000")
    // Class 40: transaction rollback
    public static let serializationFailure = SQLState("40001")
    public static let deadlockDetected = SQLState("40P01")
    // Class 42: syntax error or access rule violation (RLS WITH CHECK failures are 42501)
    public static let syntaxError = SQLState("42601")
    public static let insufficientPrivilege = SQLState("42501")
    public static let undefinedColumn = SQLState("42703")
    public static let undefinedFunction = SQLState("42883")
    public static let undefinedTable = SQLState("42P01")
    public static let duplicateTable = SQLState("42P07")
    // Class 55 / 57: object state, operator intervention
    public static let lockNotAvailable = SQLState("55P03")
    public static let queryCanceled = SQLState("57014")
    public static let adminShutdown = SQLState("57P01")
    public static let crashShutdown = SQLState("57P02")
    public static let cannotConnectNow = SQLState("57P03")

    /// Lets `catch SQLState.uniqueViolation` match a `StoreError` carrying that code.
    public static func ~= (pattern: SQLState, error: any Error) -> Bool {
        (error as? StoreError)?.sqlState == pattern
    }
}
