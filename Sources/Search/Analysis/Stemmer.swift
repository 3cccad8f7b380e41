internal import CStemmer

/// One Snowball stemmer (libstemmer), for one language, in UTF-8.
///
/// Ownership: this class owns the `sb_stemmer` and deletes it in `deinit`; nothing else holds it.
/// Thread rule: not Sendable. libstemmer writes each result into a buffer inside the stemmer
/// object, so two threads stemming with one handle would overwrite each other's words. The
/// `Analyzer` that owns a `Stemmer` is one-per-thread for the same reason.
final class Stemmer {
    /// The canonical algorithm name this stemmer was made for ("english", "french", ...).
    let language: String
    private let handle: OpaquePointer

    /// The algorithm names libstemmer was built with, as `sb_stemmer_list()` reports them
    /// (canonical names only: no ISO-code aliases). The list is static data inside the library.
    static let languages: [String] = {
        var names: [String] = []
        guard let list = sb_stemmer_list() else { return names }
        var index = 0
        while let name = list[index] {
            names.append(String(cString: name))
            index += 1
        }
        return names.sorted()
    }()

    /// Nil when libstemmer has no such algorithm, or when it could not allocate one.
    /// Only canonical names are accepted (the ones in `languages`), so the analyzer's choice of
    /// stop words, which is keyed by that name, cannot be bypassed with an alias like "en".
    init?(language: String) {
        guard Self.languages.contains(language),
              let handle = sb_stemmer_new(language, "UTF_8") else { return nil }
        self.language = language
        self.handle = handle
    }

    deinit { sb_stemmer_delete(handle) }

    /// Calls `body` with the stem of `word` (UTF-8 bytes). The buffer passed to `body` belongs to
    /// the stemmer and is only valid during the call. If libstemmer fails (it returns NULL only
    /// when out of memory), `body` gets the word itself: an unstemmed term beats a crash.
    @inline(__always)
    func stem<R>(_ word: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        guard let base = word.baseAddress, word.count > 0, word.count <= Int(Int32.max),
              let result = sb_stemmer_stem(handle, base, Int32(word.count)) else { return body(word) }
        let length = Int(sb_stemmer_length(handle))
        guard length >= 0 else { return body(word) }
        return body(UnsafeBufferPointer(start: result, count: length))
    }
}
