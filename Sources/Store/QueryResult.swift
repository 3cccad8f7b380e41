internal import CLibPQ

/// The decoded outcome of one statement: its rows (a random-access collection, so `for row in
/// result`, `result.first` and `result.count` work) and the number of rows a command touched.
///
/// Values are decoded eagerly and the libpq result is cleared before this is returned, so a
/// `QueryResult` is a plain value: it holds no C memory and is safe to keep or send anywhere.
public struct QueryResult: Sendable, RandomAccessCollection {
    public let rows: [Row]
    public let columnNames: [String]
    /// Rows inserted, updated, deleted, selected or copied, from `PQcmdTuples`; 0 for other commands.
    public let affectedRows: Int
    /// The command tag, e.g. "INSERT 0 1" or "SELECT 3".
    public let commandTag: String

    public var startIndex: Int { rows.startIndex }
    public var endIndex: Int { rows.endIndex }
    public subscript(position: Int) -> Row { rows[position] }
}

/// Sole owner of one `PGresult`. Non-copyable, so exactly one `PQclear` runs, when the handle goes
/// out of scope, whichever way the scope is left (return, throw).
struct ResultHandle: ~Copyable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { PQclear(pointer) }

    var affectedRows: Int {
        guard let tuples = PQcmdTuples(pointer) else { return 0 }
        return Int(String(cString: tuples)) ?? 0
    }

    var commandTag: String {
        guard let status = PQcmdStatus(pointer) else { return "" }
        return String(cString: status)
    }

    /// Copies every value out of the result, decoding binary values by their column's type OID.
    /// A value Store cannot decode is kept as a failure and reported when (if ever) that column is read,
    /// so one exotic column does not spoil the others.
    func materialize(sql: String) -> QueryResult {
        let fieldCount = Int(PQnfields(pointer))
        let rowCount = Int(PQntuples(pointer))
        var names: [String] = []
        var types: [UInt32] = []
        var binary: [Bool] = []
        for field in 0..<Int32(fieldCount) {
            names.append(PQfname(pointer, field).map { String(cString: $0) } ?? "?column?")
            types.append(PQftype(pointer, field))
            binary.append(PQfformat(pointer, field) == 1)
        }
        let columns = ColumnSet(names: names, types: types, sql: sql)
        var rows: [Row] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            var cells: [Row.Cell] = []
            cells.reserveCapacity(fieldCount)
            for field in 0..<fieldCount {
                cells.append(cell(row: row, field: Int32(field), type: types[field], binary: binary[field]))
            }
            rows.append(Row(columns: columns, cells: cells))
        }
        return QueryResult(rows: rows, columnNames: names, affectedRows: affectedRows, commandTag: commandTag)
    }

    private func cell(row: Int32, field: Int32, type: UInt32, binary: Bool) -> Row.Cell {
        if PQgetisnull(pointer, row, field) != 0 { return .value(.null) }
        guard let start = PQgetvalue(pointer, row, field) else { return .value(.null) }
        let bytes = UnsafeRawBufferPointer(start: start, count: Int(PQgetlength(pointer, row, field)))
        guard binary else {
            // Only results of plain-text protocol calls arrive as text; Store asks for binary everywhere else.
            return .value(.text(String(decoding: bytes, as: UTF8.self)))
        }
        do {
            return .value(try SQLValue.decode(bytes, type: type))
        } catch {
            return .undecodable(error)
        }
    }
}
