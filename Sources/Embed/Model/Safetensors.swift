internal import FoundationEssentials
import Glibc

/// A `model.safetensors` file mapped read-only into memory, with its tensors exposed as pointers
/// into the mapping.
///
/// Nothing is copied: the weights stay in the page cache and every worker process of the pool
/// maps the same physical pages, so N workers cost one copy of the model, not N.
///
/// Ownership: the file owns the mapping and unmaps it in `deinit`; `Tensor` pointers are valid
/// only while the `SafetensorsFile` they came from is alive, so holders (`BertEncoder`) keep a
/// strong reference to it.
///
/// `@unchecked Sendable`: the mapping is `PROT_READ` and never written or remapped after `init`,
/// so concurrent readers on any thread are safe; the Swift properties are all `let`.
final class SafetensorsFile: @unchecked Sendable {
    /// One entry of the JSON header, with offsets already made absolute and checked against the file.
    struct Entry: Sendable {
        let dtype: String
        let shape: [Int]
        /// Byte offset of the first element, from the start of the file.
        let start: Int
        let byteCount: Int
    }

    /// A float32 tensor inside the mapping (row-major, as safetensors stores it).
    struct Tensor {
        let name: String
        let shape: [Int]
        let data: UnsafePointer<Float>
        var count: Int { shape.reduce(1, *) }
    }

    let path: String
    let entries: [String: Entry]
    private let base: UnsafeRawPointer
    private let length: Int

    /// Headers larger than this are certainly corrupt; the real ones are tens of kilobytes.
    private static let maxHeaderBytes = 100 << 20

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let kind: ModelError.Kind = errno == ENOENT ? .missingFile : .invalidFile
            throw ModelError(kind, file: path, "cannot open: \(String(cString: strerror(errno)))")
        }
        // The mapping keeps the file alive on its own; the descriptor is not needed afterwards.
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw ModelError(.invalidFile, file: path, "cannot stat: \(String(cString: strerror(errno)))")
        }
        let size = Int(info.st_size)
        guard size >= 8 else {
            throw ModelError(.invalidFile, file: path, "\(size) bytes is too short for a safetensors header")
        }
        // MAP_SHARED so the pages are the page cache's own, shared by every process mapping the file.
        let mapped = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0)
        guard let mapped, mapped != MAP_FAILED else {
            throw ModelError(.invalidFile, file: path, "mmap failed: \(String(cString: strerror(errno)))")
        }
        let base = UnsafeRawPointer(mapped)
        do {
            entries = try Self.parseHeader(base: base, size: size, path: path)
        } catch {
            munmap(mapped, size)
            throw error
        }
        self.base = base
        self.length = size
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), length)
    }

    /// The named tensor as float32, checked against the shape the caller expects.
    func tensor(_ name: String, shape expected: [Int]? = nil) throws -> Tensor {
        guard let entry = entries[name] else {
            throw ModelError(.invalidFile, file: path, "no tensor named \(name)")
        }
        guard entry.dtype == "F32" else {
            throw ModelError(.unsupported, file: path, "tensor \(name) is \(entry.dtype); only F32 weights are supported")
        }
        if let expected, expected != entry.shape {
            throw ModelError(.invalidFile, file: path, "tensor \(name) has shape \(entry.shape), expected \(expected)")
        }
        // Checked in parseHeader: in bounds, 4-byte aligned (mmap returns page-aligned memory).
        let data = (base + entry.start).assumingMemoryBound(to: Float.self)
        return Tensor(name: name, shape: entry.shape, data: data)
    }

    func contains(_ name: String) -> Bool { entries[name] != nil }

    // MARK: - Header

    /// Format: u64 little-endian header length N, N bytes of JSON
    /// `{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}`,
    /// then the data, with offsets relative to the end of the header.
    private static func parseHeader(base: UnsafeRawPointer, size: Int, path: String) throws -> [String: Entry] {
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(maxHeaderBytes), 8 + Int(headerLength) <= size else {
            throw ModelError(.invalidFile, file: path, "header length \(headerLength) does not fit in a \(size)-byte file")
        }
        let dataStart = 8 + Int(headerLength)
        let json = Data(bytes: base + 8, count: Int(headerLength))
        let raw: Header
        do {
            raw = try JSONDecoder().decode(Header.self, from: json)
        } catch {
            throw ModelError(.invalidFile, file: path, "header is not valid safetensors JSON: \(error)")
        }
        var entries: [String: Entry] = [:]
        for (name, e) in raw.tensors {
            guard e.data_offsets.count == 2, e.shape.allSatisfy({ $0 >= 0 }) else {
                throw ModelError(.invalidFile, file: path, "tensor \(name) has malformed shape or data_offsets")
            }
            let begin = e.data_offsets[0], end = e.data_offsets[1]
            guard begin >= 0, begin <= end, end <= size - dataStart else {
                throw ModelError(.invalidFile, file: path, "tensor \(name) data_offsets [\(begin), \(end)] lie outside the \(size - dataStart)-byte data section")
            }
            if let width = elementSize(e.dtype) {
                var expected = width
                for dim in e.shape {
                    let (product, overflow) = expected.multipliedReportingOverflow(by: dim)
                    guard !overflow else { throw ModelError(.invalidFile, file: path, "tensor \(name) shape \(e.shape) overflows") }
                    expected = product
                }
                guard expected == end - begin else {
                    throw ModelError(.invalidFile, file: path, "tensor \(name) shape \(e.shape) needs \(expected) bytes but data_offsets span \(end - begin)")
                }
                guard (dataStart + begin) % width == 0 else {
                    throw ModelError(.invalidFile, file: path, "tensor \(name) is not aligned to its \(width)-byte elements")
                }
            }
            entries[name] = Entry(dtype: e.dtype, shape: e.shape, start: dataStart + begin, byteCount: end - begin)
        }
        return entries
    }

    private static func elementSize(_ dtype: String) -> Int? {
        switch dtype {
        case "F64", "I64", "U64": 8
        case "F32", "I32", "U32": 4
        case "F16", "BF16", "I16", "U16": 2
        case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2": 1
        default: nil
        }
    }

    /// The header maps tensor names to entries, plus one optional `__metadata__` object of strings
    /// that is not a tensor, hence the dynamic keys.
    private struct Header: Decodable {
        struct RawEntry: Decodable {
            let dtype: String
            let shape: [Int]
            let data_offsets: [Int]
        }

        struct Key: CodingKey {
            let stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        let tensors: [String: RawEntry]

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            var tensors: [String: RawEntry] = [:]
            for key in container.allKeys where key.stringValue != "__metadata__" {
                tensors[key.stringValue] = try container.decode(RawEntry.self, forKey: key)
            }
            self.tensors = tensors
        }
    }
}
