/// Flattens one JSON value, read event by event from a `JSONReader`, into a record's text:
/// `key: value` lines, nested objects under dotted keys (`address.city: Paris`), arrays of
/// scalars joined with ", " (`tags: a, b`), and containers inside arrays numbered from 1
/// (`items.2.name: Lamp`). Nulls and empty strings are left out; strings are as written, numbers
/// as written.
///
/// Bounded: nesting past `maxDepth` levels is skipped (no real record is that deep, and the
/// path would be unreadable), and a record whose text passes `maxRecordBytes` is handed out in
/// parts. Iterative, with its own stack. One writer per parse; it reuses its buffers.
struct JSONRecordWriter {
    static let maxDepth = 32
    static let maxRecordBytes = 1 << 20

    private struct Frame {
        var isArray: Bool
        /// Length of `path` naming this container.
        var pathLength: Int
        /// Elements seen so far (arrays), to number the containers among them.
        var elements = 0
        /// An array's scalars, joined with ", ".
        var scalars: [UInt8] = []
    }

    private var text: [UInt8] = []
    private var path: [UInt8] = []
    private var frames: [Frame] = []

    /// Reads the value that `first` begins, through its last event, and calls `emit` with its
    /// text (more than once only for a record over `maxRecordBytes`; not at all when it holds no
    /// values).
    mutating func write(first: JSONReader.Event, from reader: inout JSONReader, emit: (String) throws -> Void) throws {
        text.removeAll(keepingCapacity: true)
        path.removeAll(keepingCapacity: true)
        frames.removeAll(keepingCapacity: true)
        var event = first
        var skipping = 0
        while true {
            if skipping > 0 {
                switch event {
                case .objectStart, .arrayStart: skipping += 1
                case .objectEnd, .arrayEnd: skipping -= 1
                default: break
                }
            } else {
                try take(event, skipping: &skipping, emit: emit)
            }
            if frames.isEmpty && skipping == 0 { break }
            guard let next = try reader.next() else { throw JSONReader.SyntaxError(offset: 0) }
            event = next
        }
        if let record = BlockText.trimmed(text) { try emit(record) }
    }

    private mutating func take(_ event: JSONReader.Event, skipping: inout Int, emit: (String) throws -> Void) throws {
        switch event {
        case .objectStart, .arrayStart:
            enterElement()
            if frames.count >= Self.maxDepth {
                skipping = 1
            } else {
                frames.append(Frame(isArray: event == .arrayStart, pathLength: path.count))
            }
        case .key(let key):
            guard let frame = frames.last else { return }
            path.removeSubrange(frame.pathLength...)
            if frame.pathLength > 0 { path.append(UInt8(ascii: ".")) }
            path += key.map { $0 == 0x0A || $0 == 0x09 ? 0x20 : $0 }
        case .scalar(let value):
            if let last = frames.indices.last, frames[last].isArray {
                frames[last].elements += 1
                let range = BlockText.trimRange(value[...])
                guard !range.isEmpty else { return }
                if !frames[last].scalars.isEmpty { frames[last].scalars += ", ".utf8 }
                frames[last].scalars += value[range]
                if frames[last].scalars.count > Self.maxRecordBytes {
                    try writeLine(frames[last].scalars[...], emit: emit)
                    frames[last].scalars.removeAll()
                }
            } else {
                try writeLine(value[...], emit: emit)
            }
        case .null:
            if let last = frames.indices.last, frames[last].isArray { frames[last].elements += 1 }
        case .objectEnd, .arrayEnd:
            guard let frame = frames.popLast() else { return }
            path.removeSubrange(frame.pathLength...)
            if !frame.scalars.isEmpty { try writeLine(frame.scalars[...], emit: emit) }
        }
    }

    /// A container starting inside an array is named by its 1-based position.
    private mutating func enterElement() {
        guard let last = frames.indices.last, frames[last].isArray else { return }
        frames[last].elements += 1
        path.removeSubrange(frames[last].pathLength...)
        if frames[last].pathLength > 0 { path.append(UInt8(ascii: ".")) }
        path += String(frames[last].elements).utf8
    }

    /// One `path: value` line (just the value at the top level); line ends inside a value become
    /// spaces so each value stays on its line.
    private mutating func writeLine(_ value: ArraySlice<UInt8>, emit: (String) throws -> Void) throws {
        let range = BlockText.trimRange(value)
        guard !range.isEmpty else { return }
        if !text.isEmpty { text.append(0x0A) }
        if !path.isEmpty {
            text += path
            text += ": ".utf8
        }
        for byte in value[range] { text.append(byte == 0x0A || byte == 0x09 ? 0x20 : byte) }
        if text.count > Self.maxRecordBytes {
            if let record = BlockText.trimmed(text) { try emit(record) }
            text.removeAll(keepingCapacity: true)
        }
    }
}
