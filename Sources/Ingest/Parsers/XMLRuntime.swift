internal import CXML2

/// The one place Parley prepares libxml2 for use from many threads, plus the small helpers the
/// DOCX and HTML parsers share.
///
/// Why `xmlInitParser()` runs once, up front: libxml2 (2.9) initialises its process-wide state
/// (the dictionary and global mutexes, the character-encoding handler table, the default SAX
/// handlers) lazily, on whichever call first needs it, and that lazy path is not thread-safe. Two
/// ingest threads opening their first documents together could both run it and corrupt the
/// tables. A Swift `static let` is initialised exactly once, thread-safely (`swift_once`), so every
/// parser calls `XMLRuntime.prepare()` before touching libxml2 and the first caller pays for it.
/// After that, libxml2 is safe to use from several threads as long as each parse context, reader
/// and document belongs to one thread, which is how the parsers use them (all locals).
/// `xmlCleanupParser()` is never called: it would pull the state from under other threads.
enum XMLRuntime {
    private static let initialised: Bool = {
        xmlInitParser()
        return true
    }()

    static func prepare() {
        _ = initialised
    }

    /// Libxml2 sizes are C `int`: documents past this cannot be handed over in one call.
    static let maxInputBytes = Int(Int32.max)
}

/// Byte-level comparisons of libxml2's NUL-terminated UTF-8 strings against Swift literals,
/// without building a `String` per element (names are compared for every node of a document).
enum XMLName {
    static func equals(_ name: UnsafePointer<xmlChar>?, _ literal: StaticString) -> Bool {
        guard let name else { return false }
        let expected = literal.utf8Start
        let count = literal.utf8CodeUnitCount
        var index = 0
        while index < count {
            if name[index] != expected[index] { return false }
            index += 1
        }
        return name[count] == 0
    }

    /// ASCII-case-insensitive variant, for HTML attribute values (`role="Navigation"`).
    static func equalsIgnoringCase(_ name: UnsafePointer<xmlChar>?, _ literal: StaticString) -> Bool {
        guard let name else { return false }
        let expected = literal.utf8Start
        let count = literal.utf8CodeUnitCount
        var index = 0
        while index < count {
            let byte = name[index]
            if byte == 0 { return false }
            let lower = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            if lower != expected[index] { return false }
            index += 1
        }
        return name[count] == 0
    }

    /// A NUL-terminated libxml2 string as a buffer (no copy), for appending its bytes.
    static func buffer(_ text: UnsafePointer<xmlChar>) -> UnsafeBufferPointer<UInt8> {
        var length = 0
        while text[length] != 0 { length += 1 }
        return UnsafeBufferPointer(start: text, count: length)
    }
}
