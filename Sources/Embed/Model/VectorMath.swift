/// Vectorised exp, erf and reductions for the element-wise parts of the forward pass.
///
/// Why not `expf`/`erff` and plain loops: the compiler may not reorder float additions, so a
/// scalar `sum += x[i]` never vectorises, and libm's functions are called one element at a time.
/// In the MiniLM forward pass that was ~40% of the time (softmax over 256×256 scores per head,
/// GELU over 1536 activations per token); with explicit vectors it is ~12%. The approximations
/// are accurate to a few float ulps, far inside the 0.999 cosine budget against
/// sentence-transformers (worst MiniLM fixture: 0.9999997).
///
/// Why 8 lanes: SwiftPM builds for baseline x86-64 (SSE, 16 registers of 4 floats). SIMD16
/// spilled to the stack and was slower than libm; SIMD8 (two registers) measured fastest, ahead
/// of SIMD4. Only operations that inline to plain vector instructions are used: the generic
/// `rounded`, `pointwiseMax` and Float→Int conversions compiled to per-lane calls.
enum VectorMath {
    typealias Vector = SIMD8<Float>
    typealias Bits = SIMD8<Int32>
    static let lanes = Vector.scalarCount

    /// e^x, Cephes' `expf` polynomial (relative error ~2 ulp) with 2ⁿ built from the exponent
    /// bits. Only for x ≤ 0 (softmax after max subtraction, erf's e^(−x²)).
    @inline(__always)
    static func exp(_ input: Vector) -> Vector {
        // Below −87.3 the result is a float denormal/zero and 2ⁿ would underflow the exponent
        // bits. Only the lower bound is needed: every caller passes x ≤ 0. (`replacing` inlines;
        // the generic `pointwiseMax` did not, costing 10% of the forward pass.)
        let floor = Vector(repeating: -87.3)
        let x = input.replacing(with: floor, where: input .< floor)
        // Round-to-nearest by adding 1.5·2²³: the float's low mantissa bits then hold n as an
        // integer. (The generic SIMD rounding and Float→Int conversions are not vectorised.)
        let magic: Float = 12_582_912
        let shifted = x * 1.44269504088896341 + magic
        let n = shifted - magic
        // ln 2 split in two so that r = x − n·ln2 keeps full precision.
        let r = x - n * 0.693359375 + n * 2.12194440e-4
        var p: Vector = Vector(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * r * r + r + 1
        let exponent = (unsafeBitCast(shifted, to: Bits.self) &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(exponent, to: Vector.self)
    }

    /// erf(x), Abramowitz & Stegun 7.1.26 (absolute error ≤ 1.5·10⁻⁷, the size of a float ulp
    /// at 1), made odd by working on |x|.
    @inline(__always)
    static func erf(_ x: Vector) -> Vector {
        let a = x.replacing(with: 0 - x, where: x .< 0)
        let t = 1 / (1 + 0.3275911 * a)
        var p = Vector(repeating: 1.061405429)
        p = p * t - 1.453152027
        p = p * t + 1.421413741
        p = p * t - 0.284496736
        p = p * t + 0.254829592
        p = p * t
        let y = 1 - p * exp(0 - a * a)
        return y.replacing(with: 0 - y, where: x .< 0)
    }

    private static func load(_ p: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }

    private static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }

    /// x ← x/2 · (1 + erf(x/√2)) over `count` floats.
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let invSqrt2: Float = 0.70710678118654752
        var i = 0
        while i + lanes <= count {
            let v = load(x + i)
            store(0.5 * v * (1 + erf(v * invSqrt2)), x + i)
            i += lanes
        }
        if i < count {
            // Tail: pad to a full vector rather than switch to a different (libm) erf.
            var v = Vector(repeating: 0)
            for j in 0..<(count - i) { v[j] = x[i + j] }
            let g = 0.5 * v * (1 + erf(v * invSqrt2))
            for j in 0..<(count - i) { x[i + j] = g[j] }
        }
    }

    /// Softmax of one row in place, max-subtracted so no exponent overflows.
    static func softmax(_ row: UnsafeMutablePointer<Float>, count: Int) {
        var maxValue = -Float.infinity
        var i = 0
        var maxes = Vector(repeating: -.infinity)
        while i + lanes <= count {
            let v = load(row + i)
            maxes.replace(with: v, where: v .> maxes)
            i += lanes
        }
        maxValue = maxes.max()
        for j in i..<count { maxValue = Swift.max(maxValue, row[j]) }

        var sums = Vector(repeating: 0)
        i = 0
        while i + lanes <= count {
            let e = exp(load(row + i) - maxValue)
            store(e, row + i)
            sums += e
            i += lanes
        }
        var sum = sums.sum()
        if i < count {
            var v = Vector(repeating: -.infinity)
            for j in 0..<(count - i) { v[j] = row[i + j] - maxValue }
            let e = exp(v)
            for j in 0..<(count - i) {
                row[i + j] = e[j]
                sum += e[j]
            }
        }
        let inverse = 1 / sum
        for j in 0..<count { row[j] *= inverse }
    }

    /// Σ x and Σ (x − mean)² of one row, the two passes of LayerNorm.
    static func meanAndVariance(_ row: UnsafePointer<Float>, count: Int) -> (mean: Float, variance: Float) {
        var sums = Vector(repeating: 0)
        var i = 0
        while i + lanes <= count {
            sums += load(row + i)
            i += lanes
        }
        var sum = sums.sum()
        for j in i..<count { sum += row[j] }
        let mean = sum / Float(count)

        var squares = Vector(repeating: 0)
        i = 0
        while i + lanes <= count {
            let d = load(row + i) - mean
            squares += d * d
            i += lanes
        }
        var total = squares.sum()
        for j in i..<count {
            let d = row[j] - mean
            total += d * d
        }
        return (mean, total / Float(count))
    }
}
