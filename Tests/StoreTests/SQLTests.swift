import Store
import Testing

@Suite struct SQLTests {
    @Test func interpolationNumbersParametersInOrder() {
        let tenantID = "ten_aaaaaaaaaaaaaaaaaaaa"
        let keyID = "key_bbbbbbbbbbbbbbbbbbbb"
        let sql: SQL = "SELECT id FROM api_keys WHERE tenant_id = \(tenantID) AND id = \(keyID) LIMIT \(10)"
        #expect(sql.text == "SELECT id FROM api_keys WHERE tenant_id = $1 AND id = $2 LIMIT $3")
        #expect(sql.parameters == [.text(tenantID), .text(keyID), .int(10)])
    }

    @Test func literalInitHasNoParameters() {
        let sql = SQL("SELECT '$1', 1")
        #expect(sql.text == "SELECT '$1', 1")
        #expect(sql.parameters.isEmpty)
    }

    @Test func appendedFragmentsAreRenumbered() {
        var sql: SQL = "SELECT * FROM documents WHERE tenant_id = \("ten_x")"
        let filter: SQL = " AND status = \("ready") AND size < \(100)"
        sql.append(filter)
        sql += " LIMIT \(5)"
        #expect(sql.text == "SELECT * FROM documents WHERE tenant_id = $1 AND status = $2 AND size < $3 LIMIT $4")
        #expect(sql.parameters == [.text("ten_x"), .text("ready"), .int(100), .int(5)])
    }

    @Test func interpolatedFragmentKeepsItsParameters() {
        let condition: SQL = "a = \(1) AND b = \(2)"
        let sql: SQL = "SELECT \(true) WHERE \(condition) OR c = \(3)"
        #expect(sql.text == "SELECT $1 WHERE a = $2 AND b = $3 OR c = $4")
        #expect(sql.parameters == [.bool(true), .int(1), .int(2), .int(3)])
    }

    @Test func joinedFragmentsShareOneNumbering() {
        let parts: [SQL] = ["x = \(1)", "y = \(2)", "z IS NULL"]
        let sql: SQL = "SELECT 1 WHERE " + SQL.joined(parts, separator: " AND ")
        #expect(sql.text == "SELECT 1 WHERE x = $1 AND y = $2 AND z IS NULL")
        #expect(sql.parameters.count == 2)
    }

    @Test func optionalsBindAsNullAndArraysKeepTheirType() {
        let missing: String? = nil
        let present: Int? = 7
        let sql: SQL = "VALUES (\(missing), \(present), \([Float(1.5)]), \(["a"]), \([UInt8(0)]), \([Int64(9)]))"
        #expect(sql.parameters == [.null, .int(7), .floats([1.5]), .texts(["a"]), .bytes([0]), .ints([9])])
    }

    @Test func identifiersAreQuotedNotBound() {
        let sql: SQL = "CREATE SCHEMA \(identifier: "odd\"name")"
        #expect(sql.text == "CREATE SCHEMA \"odd\"\"name\"")
        #expect(sql.parameters.isEmpty)
    }

    @Test func descriptionNeverShowsBoundValues() {
        let secret = "sk_live_do_not_log_me"
        let sql: SQL = "SELECT * FROM api_keys WHERE prefix = \(secret)"
        #expect(!"\(sql)".contains(secret))
        #expect(!String(describing: sql).contains(secret))
    }
}
