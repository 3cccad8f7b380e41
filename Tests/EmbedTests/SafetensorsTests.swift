import FoundationEssentials
import Testing

@testable import Embed

/// Builds a safetensors file in memory: u64 LE header length, JSON header padded with spaces to
/// 8 bytes (as the reference writer does), then the raw data.
private func safetensorsBytes(header: String, data: [UInt8]) -> [UInt8] {
    var json = Array(header.utf8)
    while json.count % 8 != 0 { json.append(0x20) }
    var bytes: [UInt8] = []
    var length = UInt64(json.count)
    for _ in 0..<8 {
        bytes.append(UInt8(length & 0xFF))
        length >>= 8
    }
    return bytes + json + data
}

private func floatBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { v in (0..<4).map { UInt8((v.bitPattern >> (8 * UInt32($0))) & 0xFF) } }
}

/// Writes `bytes` to a fresh file under /tmp and returns its path.
private func writeTemporary(_ bytes: [UInt8], name: String = "model.safetensors") throws -> String {
    let directory = "/tmp/parley-safetensors-tests-\(UInt64.random(in: 0...UInt64.max))"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let path = directory + "/" + name
    try Data(bytes).write(to: URL(filePath: path))
    return path
}

/// Removes the directory `writeTemporary` made for `path`.
private func removeTemporary(_ path: String) {
    try? FileManager.default.removeItem(atPath: String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]))
}

private func expectModelError(_ kind: ModelError.Kind, file: String, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected a ModelError(\(kind)) for \(file)")
    } catch let error as ModelError {
        #expect(error.kind == kind, "\(error)")
        #expect(error.file == file)
        #expect(error.description.contains(file))
    } catch {
        Issue.record("expected a ModelError, got \(error)")
    }
}

/// A malformed file, shown in test output by its label rather than its bytes.
struct CorruptSafetensors: CustomTestStringConvertible, Sendable {
    let label: String
    let bytes: [UInt8]
    var testDescription: String { label }
    init(_ label: String, _ bytes: [UInt8]) {
        self.label = label
        self.bytes = bytes
    }
}

@Suite struct SafetensorsTests {
    @Test func parsesHeaderAndReadsFloatsInPlace() throws {
        let a: [Float] = [1, 2, 3, 4, 5, 6]
        let b: [Float] = [-0.5, 0.25]
        let header = #"""
        {"__metadata__":{"format":"pt"},
         "a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},
         "b":{"dtype":"F32","shape":[2],"data_offsets":[24,32]},
         "ids":{"dtype":"I64","shape":[1],"data_offsets":[32,40]}}
        """#
        let path = try writeTemporary(safetensorsBytes(header: header, data: floatBytes(a + b) + [UInt8](repeating: 7, count: 8)))
        defer { removeTemporary(path) }
        let file = try SafetensorsFile(path: path)

        let ta = try file.tensor("a", shape: [2, 3])
        #expect(ta.shape == [2, 3])
        #expect(Array(UnsafeBufferPointer(start: ta.data, count: ta.count)) == a)
        let tb = try file.tensor("b")
        #expect(Array(UnsafeBufferPointer(start: tb.data, count: tb.count)) == b)
        #expect(file.entries.count == 3, "__metadata__ is not a tensor")

        expectModelError(.unsupported, file: path) { _ = try file.tensor("ids") }
        expectModelError(.invalidFile, file: path) { _ = try file.tensor("missing") }
        expectModelError(.invalidFile, file: path) { _ = try file.tensor("a", shape: [3, 2]) }
    }

    @Test func missingFileIsNamed() {
        let path = "/tmp/parley-no-such-dir/model.safetensors"
        expectModelError(.missingFile, file: path) { _ = try SafetensorsFile(path: path) }
    }

    @Test(arguments: [
        CorruptSafetensors("too short", [UInt8]([1, 0, 0])),
        CorruptSafetensors("header longer than file", [UInt8]([0xFF, 0xFF, 0, 0, 0, 0, 0, 0]) + Array("{}".utf8)),
        CorruptSafetensors("absurd header length", [UInt8](repeating: 0xFF, count: 8) + Array("{}".utf8)),
        CorruptSafetensors("not JSON", safetensorsBytes(header: "{not json", data: [])),
        CorruptSafetensors("wrong entry type", safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":"x","data_offsets":[0,4]}}"#, data: floatBytes([1]))),
        CorruptSafetensors("offsets past end", safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: floatBytes([1, 2]))),
        CorruptSafetensors("begin after end", safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}"#, data: floatBytes([1, 2]))),
        CorruptSafetensors("negative offset", safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#, data: floatBytes([1]))),
        CorruptSafetensors("shape disagrees with offsets", safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: floatBytes([1, 2]))),
        CorruptSafetensors("three offsets", safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#, data: floatBytes([1, 2]))),
        CorruptSafetensors("misaligned", safetensorsBytes(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[1,5]}}"#, data: floatBytes([1, 2]))),
    ])
    func corruptFileIsRejectedWithItsName(_ corrupt: CorruptSafetensors) throws {
        let path = try writeTemporary(corrupt.bytes)
        defer { removeTemporary(path) }
        expectModelError(.invalidFile, file: path) { _ = try SafetensorsFile(path: path) }
    }
}
