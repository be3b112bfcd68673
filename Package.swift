// swift-tools-version: 6.0
import Foundation
import PackageDescription

// Every folder under functions/ is one HTTP (or scheduled) function: a tiny executable whose
// main.swift hands its handler from VerdictAPI to the Lambda runtime loop.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
let functionNames = ((try? FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("functions").path)) ?? [])
    .filter { FileManager.default.fileExists(atPath: packageRoot.appendingPathComponent("functions/\($0)/main.swift").path) }
    .sorted()

// A handler is a whole program: nothing loads it or looks symbols up in it, so it exports none.
// The static stdlib's link arguments say `-export-dynamic`, which put some 7,400 symbols in every
// handler's dynamic tables (0.6 MB). It is not position-independent either, as Go builds for
// Lambda are not: a PIE carries 27,000 relative relocations (0.6 MB) that the loader applies at
// every cold start. The C libraries it loads (libpq, libcurl, libxml2, libcrypto) stay shared
// and are placed at random as before.
let handlerLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "--no-export-dynamic", "-Xclang-linker", "-no-pie"], .when(configuration: .release))
]

// Page functions (`page-…`) link the page renderer; API functions do not, so they stay small.
let functionTargets: [Target] = functionNames.map { name in
    .executableTarget(
        name: name, dependencies: [name.hasPrefix("page-") ? "VerdictPages" : "VerdictAPI"], path: "functions/\(name)",
        linkerSettings: handlerLinkerSettings)
}

// Tests lean on XCTest's shared fixtures, which predate strict concurrency checking.
let testSettings: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
    name: "verdict",
    platforms: [.macOS(.v14)],
    products: functionNames.map { .executable(name: $0, targets: [$0]) } + [
        .executable(name: "verdict-emulator", targets: ["verdict-emulator"]),
        .executable(name: "verdict", targets: ["verdict"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CMalloc"),

        .target(name: "CProcessSpawn"),
        .target(name: "CommandRunner", dependencies: ["CProcessSpawn"]),
        .target(name: "CTextScan"),
        .target(name: "VerdictJSON", dependencies: ["CTextScan"]),
        // What both sides of the gateway agree on: payload-2.0 events, limits, the error codes.
        .target(name: "HTTPContract", dependencies: ["VerdictJSON"]),
        .target(name: "CurlClient", dependencies: ["CCurl"]),
        .target(
            name: "LambdaRuntime",
            dependencies: ["CurlClient", "VerdictJSON", "HTTPContract", "CMalloc", .product(name: "Logging", package: "swift-log")]),
        .target(name: "VerdictHTTP", dependencies: ["VerdictJSON", "HTTPContract", "LambdaRuntime"]),
        .target(name: "VerdictDB", dependencies: ["CPostgres"]),
        .target(name: "VerdictCrypto", dependencies: ["CCrypto"]),
        .target(name: "VerdictS3", dependencies: ["VerdictCrypto", "CurlClient", "VerdictJSON"]),
        .target(name: "VerdictReports", dependencies: ["CLibXML2", "CTextScan", "VerdictJSON"]),
        .target(name: "VerdictExport", dependencies: ["CLibXML2", "CTextScan", "VerdictReports", "VerdictJSON"]),
        .target(
            name: "VerdictCore",
            dependencies: [
                "HTTPContract", "VerdictDB", "VerdictJSON", "VerdictCrypto", "VerdictS3", "VerdictReports", "VerdictDispatch",
                "VerdictInsights",
                "CommandRunner",
            ]),
        .target(
            name: "VerdictAPI",
            dependencies: [
                "VerdictCore", "VerdictHTTP", "LambdaRuntime", "VerdictReports", "VerdictS3", "VerdictExport", "VerdictLive",
                "VerdictInsights",
            ]),
        .target(name: "SAMTemplate", dependencies: ["HTTPContract", "Yams"]),
        .target(name: "VerdictHTML", dependencies: ["VerdictJSON"]),
        // The dashboard's pages and assets; only the page functions link it.
        .target(name: "VerdictPages", dependencies: ["VerdictAPI", "VerdictHTML", "VerdictCore", "VerdictCrypto", "VerdictInsights"]),
        // What functions need to push to WebSocket clients: the signed @connections client.
        .target(name: "VerdictLive", dependencies: ["VerdictS3", "CurlClient", "VerdictJSON"]),
        // Test dispatch: durations, priorities and batches as pure code (no I/O, no Foundation).
        .target(name: "VerdictDispatch"),
        // Insights as pure code: failure fingerprints and clusters, flakiness classification.
        .target(name: "VerdictInsights"),

        // The `verdict` CLI: its logic in a library the tests link, and a one-line executable.
        .target(
            name: "VerdictCLIKit",
            dependencies: [
                "CurlClient", "VerdictJSON", "HTTPContract", "VerdictCrypto", "VerdictReports", "VerdictDispatch", "CProcessSpawn",
                "CommandRunner",
            ]),
        .executableTarget(name: "verdict", dependencies: ["VerdictCLIKit"]),

        .executableTarget(
            name: "verdict-emulator",
            dependencies: [
                "SAMTemplate", "VerdictJSON", "HTTPContract", "CProcessSpawn", "VerdictS3",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "emulator",
            exclude: ["scripts"]
        ),

        // A function used only by the tests: it echoes, sleeps, crashes and fails on request so the
        // emulator's timeout, crash and error paths can be exercised against a real process.
        .executableTarget(
            name: "verdict-test-function", dependencies: ["VerdictHTTP", "LambdaRuntime", "VerdictLive"],
            path: "Tests/Fixtures/TestFunction"),

        // `make bench`'s report generators and parse timer (Tests/Benchmarks/run.sh).
        .executableTarget(
            name: "verdict-bench",
            dependencies: ["VerdictReports", "VerdictJSON", "VerdictExport", "VerdictDispatch", "VerdictInsights", "VerdictTestSupport"],
            path: "Tests/Benchmarks/Bench"),

        .testTarget(
            name: "VerdictUnitTests",
            dependencies: [
                "VerdictJSON", "HTTPContract", "VerdictHTTP", "VerdictCore", "VerdictCrypto", "VerdictDB", "SAMTemplate", "LambdaRuntime",
                "VerdictS3", "VerdictLive", "Yams", "VerdictTestSupport", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: testSettings),
        .testTarget(
            name: "VerdictEndToEndTests",
            dependencies: [
                "VerdictJSON", "VerdictS3", "VerdictCrypto", "VerdictDB", "VerdictCore", "VerdictReports", "VerdictTestSupport",
                "VerdictLive", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: testSettings),
        // Endpoints invoked in process with a real context over the test PostgreSQL: no emulator.
        .testTarget(
            name: "VerdictHandlerTests",
            dependencies: [
                "VerdictAPI", "VerdictPages", "VerdictCore", "VerdictDB", "VerdictJSON", "VerdictReports", "VerdictS3", "HTTPContract",
                "LambdaRuntime",
                "VerdictTestSupport", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: testSettings),
        .testTarget(name: "VerdictS3Tests", dependencies: ["VerdictS3", "VerdictTestSupport"]),
        .testTarget(name: "CommandRunnerTests", dependencies: ["CommandRunner"], swiftSettings: testSettings),
        // Finds the shared report corpus for every test target that reads it.
        .target(
            name: "VerdictTestSupport", dependencies: ["VerdictReports", "VerdictJSON", "VerdictInsights"], path: "Tests/Support",
            exclude: ["with-emulator.sh"]),
        .testTarget(name: "VerdictReportsTests", dependencies: ["VerdictReports", "VerdictJSON", "VerdictTestSupport"]),
        .testTarget(name: "VerdictExportTests", dependencies: ["VerdictExport", "VerdictReports", "VerdictJSON", "VerdictTestSupport"]),
        .testTarget(name: "VerdictHTMLTests", dependencies: ["VerdictHTML", "VerdictJSON"]),
        .testTarget(
            name: "VerdictCLITests", dependencies: ["VerdictCLIKit", "VerdictReports", "VerdictJSON", "VerdictTestSupport"],
            swiftSettings: testSettings),
        .testTarget(name: "VerdictDispatchTests", dependencies: ["VerdictDispatch", "VerdictTestSupport"]),
        .testTarget(name: "VerdictInsightsTests", dependencies: ["VerdictInsights", "VerdictReports", "VerdictTestSupport"]),
    ] + functionTargets
)
