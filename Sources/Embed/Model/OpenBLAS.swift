internal import COpenBLAS
import Glibc

/// OpenBLAS, loaded on first use with dlopen rather than linked (see Sources/COpenBLAS/shim.h for
/// why: its constructor starts threads that must not receive the pool's signals). The first
/// embedder a worker creates loads it from a request thread, whose signals are blocked, so the
/// library's threads inherit that mask; processes that never embed never load it.
enum OpenBLAS {
    struct Library: @unchecked Sendable {
        // C function pointers into a library that is never unloaded: safe to share.
        let sgemm: parley_sgemm_fn
        let setThreads: parley_set_threads_fn
    }

    /// Loaded once (Swift initialises globals exactly once, thread-safely); nil if unavailable.
    static let library: Library? = {
        guard let handle = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL) ?? dlopen("libopenblas.so", RTLD_NOW | RTLD_LOCAL),
              let sgemm = dlsym(handle, "cblas_sgemm"), let setThreads = dlsym(handle, "openblas_set_num_threads")
        else { return nil }
        return Library(sgemm: unsafeBitCast(sgemm, to: parley_sgemm_fn.self),
                       setThreads: unsafeBitCast(setThreads, to: parley_set_threads_fn.self))
    }()

    /// The library, or an error telling the operator what to install.
    static func load() throws -> Library {
        guard let library else {
            throw ModelError(.missingFile, file: "libopenblas.so.0", "OpenBLAS could not be loaded (install libopenblas0)")
        }
        return library
    }

    /// C = alpha·op(A)·op(B) + beta·C, row-major. Only reachable through an encoder, whose
    /// initialiser has already loaded the library.
    @inline(__always)
    static func sgemm(transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        library?.sgemm(CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                       blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }
}
