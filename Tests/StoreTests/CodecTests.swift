import FoundationEssentials
import Store
import TestSupport
import Testing

/// Every binary codec, through a real server: a value goes out as a parameter, the server casts it,
/// and it comes back as a binary result column.
@Suite(.enabled(if: TestDatabase.isConfigured))
struct CodecTests {
    let connection: Connection

    init() throws {
        connection = try TestDatabase.appConnection()
    }

    private func echo(_ value: some SQLValueConvertible, as type: String) throws -> Row {
        let rows = try connection.query("SELECT \(value)::" + SQL(type) + " AS v")
        return try #require(rows.first)
    }

    @Test func booleans() throws {
        #expect(try echo(true, as: "bool").bool("v") == true)
        #expect(try echo(false, as: "bool").bool("v") == false)
    }

    @Test func integersOfEveryWidth() throws {
        for value in [0, -1, 42, Int(Int32.max), Int(Int32.max) + 1, Int(Int32.min) - 1, Int.max, Int.min] {
            #expect(try echo(value, as: "int8").int("v") == value)
        }
        let row = try #require(try connection.query("SELECT 7::int2 AS a, (-8)::int4 AS b, 9::oid AS c").first)
        #expect(try row.int("a") == 7)
        #expect(try row.int64("b") == -8)
        #expect(try row.int("c") == 9)
    }

    @Test func floatingPoint() throws {
        #expect(try echo(Double.pi, as: "float8").double("v") == Double.pi)
        #expect(try echo(-Double.infinity, as: "float8").double("v") == -Double.infinity)
        #expect(try echo(Double.nan, as: "float8").double("v").isNaN)
        #expect(try echo(1.5, as: "real").double("v") == 1.5)
    }

    @Test func unicodeText() throws {
        for text in ["", "plain", "héllo wörld", "日本語のテキスト", "emoji 🌍👩‍👩‍👧", "quote ' and \" and \\", String(repeating: "x", count: 100_000)] {
            #expect(try echo(text, as: "text").string("v") == text)
            #expect(try echo(text, as: "varchar").string("v") == text)
        }
        let row = try #require(try connection.query("SELECT 'ab'::char(4) AS c, 'n'::name AS n").first)
        #expect(try row.string("c") == "ab  ")
        #expect(try row.string("n") == "n")
    }

    @Test func textWithNULIsRefusedBeforeSending() throws {
        let error = try #require(throws: StoreError.self) { try echo("a\u{0}b", as: "text") }
        #expect(error.kind == .query)
        #expect(error.message.contains("$1"))
    }

    @Test func byteaKeepsZeroBytes() throws {
        let bytes: [UInt8] = [0, 1, 0, 0, 255, 128, 0]
        #expect(try echo(bytes, as: "bytea").bytes("v") == bytes)
        #expect(try echo([UInt8](), as: "bytea").bytes("v") == [])
        let all = (0...255).map { UInt8($0) }
        #expect(try echo(all, as: "bytea").bytes("v") == all)
    }

    @Test func realArrayOf384Floats() throws {
        var generator = SystemRandomNumberGenerator()
        let embedding = (0..<384).map { _ in Float.random(in: -1...1, using: &generator) }
        #expect(try echo(embedding, as: "real[]").floats("v") == embedding)
        let extremes: [Float] = [0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .infinity, -1e-30]
        #expect(try echo(extremes, as: "real[]").floats("v") == extremes)
    }

    @Test func emptyArrays() throws {
        #expect(try echo([Float](), as: "real[]").floats("v") == [])
        #expect(try echo([String](), as: "text[]").strings("v") == [])
        #expect(try echo([Int](), as: "int8[]").ints("v") == [])
        let row = try #require(try connection.query("SELECT '{}'::real[] AS f, '{}'::text[] AS t").first)
        #expect(try row.floats("f") == [])
        #expect(try row.strings("t") == [])
    }

    @Test func textAndIntegerArrays() throws {
        let texts = ["query", "", "ünïcödé", "with,comma", "NULL", "{braces}"]
        #expect(try echo(texts, as: "text[]").strings("v") == texts)
        #expect(try echo([1, -2, Int.max], as: "int8[]").ints("v") == [1, -2, Int.max])
        let row = try #require(try connection.query("SELECT ARRAY[1, 2]::int4[] AS a, ARRAY[3]::int2[] AS b, ARRAY['x']::varchar[] AS c").first)
        #expect(try row.ints("a") == [1, 2])
        #expect(try row.ints("b") == [3])
        #expect(try row.strings("c") == ["x"])
    }

    @Test func arrayWithNullElementIsADecodingError() throws {
        let row = try #require(try connection.query("SELECT ARRAY[1, NULL]::real[] AS vector").first)
        let error = try #require(throws: StoreError.self) { try row.floats("vector") }
        #expect(error.kind == .decoding)
        #expect(error.message.contains("vector"))
    }

    @Test func timestamps() throws {
        let date = Date(timeIntervalSince1970: 1_700_000_000.123456)
        let back = try echo(date, as: "timestamptz").date("v")
        #expect(abs(back.timeIntervalSince(date)) < 0.000_001)
        let row = try #require(try connection.query("""
            SELECT '2000-01-01 00:00:00+00'::timestamptz AS epoch,
                   '1999-12-31 23:59:59.5+00'::timestamptz AS before,
                   '2024-02-29 12:00:00.000001+02'::timestamptz AS leap,
                   'infinity'::timestamptz AS future,
                   '-infinity'::timestamptz AS past,
                   '2024-02-29'::date AS day
            """).first)
        #expect(try row.date("epoch") == Date(timeIntervalSince1970: 946_684_800))
        #expect(try row.date("before") == Date(timeIntervalSince1970: 946_684_799.5))
        #expect(abs(try row.date("leap").timeIntervalSince1970 - 1_709_200_800.000001) < 0.000_001)
        #expect(try row.date("future") == .distantFuture)
        #expect(try row.date("past") == .distantPast)
        #expect(try row.date("day") == Date(timeIntervalSince1970: 1_709_164_800))
        // The server reads the parameter as the same instant it prints.
        let text = try #require(try connection.query(
            "SELECT to_char(\(Date(timeIntervalSince1970: 946_684_800)) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS t").first)
        #expect(try text.string("t") == "2000-01-01 00:00:00")
    }

    @Test func uuidAndJSONFromUntypedStrings() throws {
        try connection.execute("CREATE TEMP TABLE codec_inference (u uuid, j jsonb, d timestamptz, n numeric)")
        try connection.execute("""
            INSERT INTO codec_inference VALUES
            (\("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"), \(#"{"b": [1, "ü"], "a": null}"#), \("2001-02-03T04:05:06Z"), \(SQLValue.numeric("123.4500")))
            """)
        let row = try #require(try connection.query("SELECT u, j, d, n, j::json AS plain FROM codec_inference").first)
        #expect(try row.string("u") == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
        #expect(try row.string("j") == #"{"a": null, "b": [1, "ü"]}"#)
        #expect(try row.string("plain") == #"{"a": null, "b": [1, "ü"]}"#)
        #expect(try row.date("d") == Date(timeIntervalSince1970: 981_173_106))
        #expect(try row.value("n") == .numeric("123.4500"))
    }

    @Test func numericMatchesTheServersText() throws {
        let literals = ["0", "1", "-1", "12345.6789", "-0.001", "100000000", "0.00000001", "123456789012345678901234567890.5",
                        "10000", "9999.9999", "1e-10::numeric(20,12)", "'NaN'", "'Infinity'", "'-Infinity'"]
        for literal in literals {
            let row = try #require(try connection.query("SELECT (" + SQL(literal) + ")::numeric AS n, (" + SQL(literal) + ")::numeric::text AS t").first)
            #expect(try row.value("n") == .numeric(try row.string("t")), "\(literal)")
        }
        let sum = try #require(try connection.query("SELECT sum(x)::numeric AS total, 2.5::numeric AS half FROM (VALUES (1::int8), (2)) v(x)").first)
        #expect(try sum.int("total") == 3)
        #expect(try sum.double("half") == 2.5)
        #expect(throws: StoreError.self) { try sum.int("half") }
    }

    @Test func nullsForEveryAccessor() throws {
        let row = try #require(try connection.query("""
            SELECT NULL::text AS t, NULL::int8 AS i, NULL::bool AS b, NULL::float8 AS d, NULL::bytea AS y,
                   NULL::real[] AS f, NULL::text[] AS s, NULL::timestamptz AS ts, NULL::int4[] AS a
            """).first)
        #expect(try row.optionalString("t") == nil)
        #expect(try row.optionalInt("i") == nil)
        #expect(try row.optionalInt64("i") == nil)
        #expect(try row.optionalBool("b") == nil)
        #expect(try row.optionalDouble("d") == nil)
        #expect(try row.optionalBytes("y") == nil)
        #expect(try row.optionalFloats("f") == nil)
        #expect(try row.optionalStrings("s") == nil)
        #expect(try row.optionalDate("ts") == nil)
        #expect(try row.optionalInts("a") == nil)
        #expect(try row.isNull("t"))
        let error = try #require(throws: StoreError.self) { try row.string("t") }
        #expect(error.kind == .decoding)
        #expect(error.message.contains("\"t\""))
    }

    @Test func nullParametersTakeTheirTypeFromContext() throws {
        let missingText: String? = nil
        let missingFloats: [Float]? = nil
        let missingDate: Date? = nil
        let row = try #require(try connection.query("""
            SELECT \(missingText)::text IS NULL AS a, \(missingFloats)::real[] IS NULL AS b, \(missingDate)::timestamptz IS NULL AS c,
                   \(SQLValue.null)::int IS NULL AS d, \(missingText) AS e
            """).first)
        #expect(try row.bool("a") && row.bool("b") && row.bool("c") && row.bool("d"))
        #expect(try row.optionalString("e") == nil)
        // With no context at all the server cannot pick a type, so such a NULL needs a cast.
        let error = try #require(throws: StoreError.self) { try connection.query("SELECT \(missingText) IS NULL") }
        #expect(error.sqlState == SQLState("42P18"))
    }

    @Test func voidIsNull() throws {
        let row = try #require(try connection.query("SELECT pg_sleep(0) AS nothing").first)
        #expect(try row.value("nothing") == .null)
    }

    @Test func indexAccessMatchesNameAccess() throws {
        let row = try #require(try connection.query("SELECT 'a' AS first, 2 AS second").first)
        #expect(try row.string(0) == "a")
        #expect(try row.int(1) == 2)
        #expect(row.columnNames == ["first", "second"])
        #expect(throws: StoreError.self) { try row.int(2) }
    }
}
