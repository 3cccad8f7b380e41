// swift-tools-version:6.0
import PackageDescription

// One executable, `parley`, over small libraries in data-flow order (see README "Architecture").
// C libraries are reached through thin system-library targets: a modulemap and a shim header each.
let package = Package(
    name: "parley",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "parley", targets: ["parley"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CFCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CMagic", pkgConfig: "libmagic", providers: [.apt(["libmagic-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // No pkgConfig: it would link -lopenblas, and OpenBLAS must be dlopened, not linked (see its shim.h).
        .systemLibrary(name: "COpenBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPoppler", pkgConfig: "poppler-glib", providers: [.apt(["libpoppler-glib-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CStemmer", providers: [.apt(["libstemmer-dev"])]),

        // Compute kernels (small GEMM, int8 and sign-bit scans). A deliberate exception to "C targets are
        // shims only": SwiftPM builds Swift for baseline x86-64, so Swift SIMD never reaches AVX2 or
        // AVX-512; these C functions carry per-function ISA targets and are picked at run time
        // (__builtin_cpu_supports), so the binary still runs on any x86-64 (and on arm64, portable).
        // -O3 in every configuration: a debug build's -O0 intrinsics would be slower than OpenBLAS.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),

        .target(name: "FastCGI", dependencies: ["CFCGI"]),
        .target(name: "HTTP", dependencies: ["FastCGI", "CCurl"]),
        .target(name: "Store", dependencies: ["CLibPQ", "CCrypto"]),
        .target(name: "Tenancy", dependencies: ["Store", "CCrypto"]),
        // Optimized even in debug builds: the encoder's SIMD loops are ~50x slower at -Onone, which
        // would turn every test that ingests a document into minutes of CPU.
        .target(name: "Embed", dependencies: ["COpenBLAS", "CKernels", "HTTP"], swiftSettings: [.unsafeFlags(["-O"])]),
        // Ingest calls Embed (the chunker measures in model tokens, the job embeds what it chunked).
        .target(name: "Ingest", dependencies: ["Store", "Tenancy", "Embed", "HTTP", "CMagic", "CPoppler", "CZlib", "CXML2", "CCrypto"]),
        // Optimized in debug builds too, for the same reason as Embed: its scans are hot loops.
        .target(name: "Search", dependencies: ["Store", "Tenancy", "Embed", "HTTP", "CStemmer", "CKernels"],
                swiftSettings: [.unsafeFlags(["-O"])]),
        // Answer: prompts, generators (extractive, OpenAI-compatible, Anthropic), conversations.
        .target(name: "Answer", dependencies: ["Store", "Tenancy", "Embed", "Search", "HTTP", "CCrypto"],
                swiftSettings: [.unsafeFlags(["-O"])]),
        .target(name: "App", dependencies: ["FastCGI", "HTTP", "Store", "Tenancy", "Embed", "Ingest", "Search", "Answer"]),
        .executableTarget(name: "parley", dependencies: [
            "App", "HTTP", "Store", "Tenancy", "FastCGI", "Embed", "Ingest", "Search", "Answer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .target(name: "TestSupport", dependencies: ["Store", "FastCGI", "HTTP", "CZlib"]),
        .testTarget(name: "CKernelsTests", dependencies: ["CKernels"]),
        .testTarget(name: "FastCGITests", dependencies: ["FastCGI", "TestSupport"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "TestSupport"]),
        .testTarget(name: "TenancyTests", dependencies: ["Tenancy", "Store", "TestSupport"]),
        .testTarget(name: "EmbedTests", dependencies: ["Embed", "HTTP", "TestSupport", "CKernels"], resources: [.copy("Fixtures")]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "Embed", "HTTP", "Store", "Tenancy", "TestSupport"]),
        .testTarget(name: "SearchTests", dependencies: ["Search", "Embed", "Store", "Tenancy", "TestSupport", "CKernels"]),
        .testTarget(name: "AnswerTests", dependencies: ["Answer", "Ingest", "Search", "Embed", "HTTP", "Store", "Tenancy", "TestSupport"]),
        .testTarget(name: "AppTests", dependencies: ["App", "HTTP", "Store", "Tenancy", "TestSupport"]),
        .testTarget(name: "IntegrationTests", dependencies: ["TestSupport", "HTTP", "Store", "Tenancy", "Answer"]),
    ]
)
