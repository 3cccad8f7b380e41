public import Store
internal import FoundationEssentials

/// Where the tests' PostgreSQL is, read from the environment that `scripts/test` sets:
///
/// - `PARLEY_TEST_OWNER_DATABASE_URL`: a migrated database, connecting as the table owner
///   `parley_owner` (row level security does not apply to it; use it to arrange fixtures).
/// - `PARLEY_TEST_DATABASE_URL`: the same database as the service role `parley_app`, which RLS binds.
///
/// Database tests are marked `.enabled(if: TestDatabase.isConfigured)`, so a plain `swift test`
/// without a database skips them rather than failing.
public enum TestDatabase {
    public static let ownerVariable = "PARLEY_TEST_OWNER_DATABASE_URL"
    public static let appVariable = "PARLEY_TEST_DATABASE_URL"

    public static var ownerConninfo: String? { variable(ownerVariable) }
    public static var appConninfo: String? { variable(appVariable) }

    public static var isConfigured: Bool { ownerConninfo != nil && appConninfo != nil }

    /// A new connection as `parley_owner`.
    public static func ownerConnection() throws -> Connection {
        guard let conninfo = ownerConninfo else { throw NotConfigured(variable: ownerVariable) }
        return try Connection(conninfo: conninfo)
    }

    /// A new connection as `parley_app`, the role RLS applies to.
    public static func appConnection() throws -> Connection {
        guard let conninfo = appConninfo else { throw NotConfigured(variable: appVariable) }
        return try Connection(conninfo: conninfo)
    }

    /// A name no other test run will pick: `prefix` plus 12 random lowercase letters and digits, so
    /// tests can run in parallel and again without cleaning up after a crash first.
    public static func uniqueName(_ prefix: String = "parley_test") -> String {
        prefix + "_" + randomCharacters(12)
    }

    /// An id in Parley's `kind_` + 20 × `[a-z0-9]` shape, e.g. `randomID(prefix: "ten")`.
    public static func randomID(prefix: String) -> String {
        prefix + "_" + randomCharacters(20)
    }

    /// Runs `body` with an owner connection whose `search_path` is a fresh, empty schema, dropped
    /// (with everything in it) afterwards, whether `body` succeeds or throws.
    public static func withScratchSchema<T>(_ body: (Connection, String) throws -> T) throws -> T {
        let connection = try ownerConnection()
        let schema = uniqueName("scratch")
        try connection.execute("CREATE SCHEMA \(identifier: schema)")
        defer { _ = try? connection.execute("DROP SCHEMA IF EXISTS \(identifier: schema) CASCADE") }
        try connection.execute("SELECT set_config('search_path', \(SQL.quoteIdentifier(schema)), false)")
        return try body(connection, schema)
    }

    public struct NotConfigured: Error, CustomStringConvertible {
        public let variable: String
        public init(variable: String) { self.variable = variable }
        public var description: String { "\(variable) is not set; scripts/test sets it to a migrated database" }
    }

    private static func variable(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    private static func randomCharacters(_ count: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
