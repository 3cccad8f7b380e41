/// WordPiece vocabulary: token bytes → id, looked up without building a `String` per candidate.
///
/// WordPiece tries every prefix of every word, longest first, so lookups dominate tokenization.
/// A `[String: Int32]` would allocate a String per try; instead all tokens live in one byte
/// array and an open-addressing table is probed with a borrowed UTF-8 slice. A continuation
/// piece ("##ing") is hashed and compared as prefix + slice, so the prefix is never copied.
///
/// Immutable after init, so Sendable and shared by all threads.
struct Vocabulary: Sendable {
    private struct Entry: Sendable {
        var start: Int32
        var length: Int32
        var id: Int32
    }

    /// All token bytes, back to back; `Entry.start/length` slice it.
    private let bytes: [UInt8]
    private let entries: [Entry]
    /// Index into `entries`, or -1 for an empty slot; count is a power of two.
    private let slots: [Int32]
    private let prefix: [UInt8]
    /// Highest id + 1 (ids may have gaps if tokenizer.json is sparse).
    let size: Int

    /// `tokens` pairs each token with its id; a later duplicate wins, as with Python's dict.
    init(tokens: [(String, Int32)], continuingSubwordPrefix: String) {
        var bytes: [UInt8] = []
        var entries: [Entry] = []
        entries.reserveCapacity(tokens.count)
        var capacity = 16
        while capacity < tokens.count * 2 { capacity <<= 1 }
        var slots = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        var size = 0
        for (token, id) in tokens {
            let utf8 = Array(token.utf8)
            var slot = Int(truncatingIfNeeded: Self.hash(utf8, seed: Self.seed)) & mask
            while slots[slot] >= 0 {
                let e = entries[Int(slots[slot])]
                if bytes[Int(e.start)..<Int(e.start + e.length)].elementsEqual(utf8) { break }
                slot = (slot + 1) & mask
            }
            if slots[slot] >= 0 {
                entries[Int(slots[slot])].id = id
            } else {
                slots[slot] = Int32(entries.count)
                entries.append(Entry(start: Int32(bytes.count), length: Int32(utf8.count), id: id))
                bytes.append(contentsOf: utf8)
            }
            size = max(size, Int(id) + 1)
        }
        self.bytes = bytes
        self.entries = entries
        self.slots = slots
        self.prefix = Array(continuingSubwordPrefix.utf8)
        self.size = size
    }

    var count: Int { entries.count }

    /// The id of `token` (a whole token, e.g. "[CLS]").
    func id(for token: String) -> Int32? {
        let utf8 = Array(token.utf8)
        return utf8.withUnsafeBufferPointer { lookup($0, continuation: false) }
    }

    /// The id of `piece`, or of continuation prefix + `piece` when `continuation` is true.
    func lookup(_ piece: UnsafeBufferPointer<UInt8>, continuation: Bool) -> Int32? {
        let head: [UInt8] = continuation ? prefix : []
        var h = Self.seed
        if continuation { h = Self.hash(head, seed: h) }
        h = Self.hash(piece, seed: h)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h) & mask
        let total = head.count + piece.count
        return bytes.withUnsafeBufferPointer { all in
            while true {
                let index = slots[slot]
                if index < 0 { return nil }
                let e = entries[Int(index)]
                if Int(e.length) == total && Self.matches(all, Int(e.start), head, piece) { return e.id }
                slot = (slot + 1) & mask
            }
        }
    }

    private static func matches(_ all: UnsafeBufferPointer<UInt8>, _ start: Int, _ head: [UInt8],
                                _ piece: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = start
        for b in head {
            if all[i] != b { return false }
            i += 1
        }
        for b in piece {
            if all[i] != b { return false }
            i += 1
        }
        return true
    }

    // FNV-1a, 64-bit: simple, fast on short keys, and good enough for ~30k tokens. Hashing
    // head then piece equals hashing their concatenation, which continuation lookups rely on.
    private static let seed: UInt64 = 0xcbf2_9ce4_8422_2325

    private static func hash<C: Sequence>(_ data: C, seed: UInt64) -> UInt64 where C.Element == UInt8 {
        var h = seed
        for b in data {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }
}

extension Vocabulary {
    /// Parses `vocab.txt`: one token per line, the id is the line number (as Hugging Face's
    /// `load_vocab` does; only "\n" ends a line, so a stray "\r" stays part of the token).
    static func parse(vocabText data: [UInt8], continuingSubwordPrefix: String) -> Vocabulary {
        var tokens: [(String, Int32)] = []
        tokens.reserveCapacity(32_000)
        var lineStart = 0
        var id: Int32 = 0
        for i in data.indices where data[i] == UInt8(ascii: "\n") {
            tokens.append((String(decoding: data[lineStart..<i], as: UTF8.self), id))
            id += 1
            lineStart = i + 1
        }
        if lineStart < data.count {
            tokens.append((String(decoding: data[lineStart...], as: UTF8.self), id))
        }
        return Vocabulary(tokens: tokens, continuingSubwordPrefix: continuingSubwordPrefix)
    }
}
