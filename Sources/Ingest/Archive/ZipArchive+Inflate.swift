internal import CZlib

extension ZipArchive {
    /// Inflation writes into this scratch buffer, then appends: the output array grows only by
    /// what zlib really produced, so a lying declared size cannot make us allocate.
    private static let scratchSize = 256 << 10
    /// Deflate cannot expand better than about 1032:1, so no honest entry needs a first
    /// allocation larger than this multiple of its compressed size.
    private static let maxDeflateRatio = 1032

    /// Raw-inflates `range` of `bytes` (ZIP stores deflate streams without zlib headers), failing
    /// with `overflow` once more than `limit` bytes come out. `inflateEnd` runs on every path.
    static func inflate(_ bytes: [UInt8], _ range: Range<Int>, expected: Int, limit: Int,
                        name: String, overflow: ZipError) throws(ZipError) -> [UInt8] {
        var stream = z_stream()
        guard parley_inflate_init_raw(&stream) == Z_OK else { throw .corruptData(name) }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(expected, limit, range.count &* maxDeflateRatio &+ 1024))
        var scratch = [UInt8](repeating: 0, count: scratchSize)
        let result: Result<Void, ZipError> = bytes.withUnsafeBufferPointer { input in
            guard let base = input.baseAddress else { return .failure(.corruptData(name)) }
            stream.next_in = UnsafeMutablePointer(mutating: base + range.lowerBound)
            stream.avail_in = uInt(range.count)
            return scratch.withUnsafeMutableBufferPointer { buffer in
                guard let out = buffer.baseAddress else { return .failure(.corruptData(name)) }
                while true {
                    stream.next_out = out
                    stream.avail_out = uInt(buffer.count)
                    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    let produced = buffer.count - Int(stream.avail_out)
                    if produced > limit - output.count { return .failure(overflow) }
                    output.append(contentsOf: UnsafeBufferPointer(start: out, count: produced))
                    switch status {
                    case Z_STREAM_END:
                        return .success(())
                    case Z_OK:
                        continue
                    case Z_BUF_ERROR where produced > 0:
                        continue
                    default:
                        // Z_BUF_ERROR with no progress: the input ended before the stream did.
                        return .failure(.corruptData(name))
                    }
                }
            }
        }
        try result.get()
        return output
    }

    /// CRC-32 as ZIP stores it. zlib's length parameter is 32-bit, so large buffers go in slices.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            var crc = crc32(0, nil, 0)
            var offset = 0
            while offset < buffer.count, let base = buffer.baseAddress {
                let length = min(buffer.count - offset, 1 << 30)
                crc = crc32(crc, base + offset, uInt(length))
                offset += length
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }
}
