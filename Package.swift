// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// The four services share one shape: the `Shared` module plus Hummingbird and service-lifecycle.
func serviceTarget(_ name: String, path: String, resources: [Resource] = [], extraDependencies: [Target.Dependency] = []) -> Target {
    .executableTarget(
        name: name,
        dependencies: [
            "Shared",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Metrics", package: "swift-metrics"),
        ] + extraDependencies,
        path: path,
        resources: [.copy("Migrations"), .copy("openapi.json")] + resources,
        swiftSettings: swiftSettings
    )
}

let package = Package(
    name: "meta-builder",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "spec-service", targets: ["SpecService"]),
        .executable(name: "run-service", targets: ["RunService"]),
        .executable(name: "agent-service", targets: ["AgentService"]),
        .executable(name: "approval-service", targets: ["ApprovalService"]),
        .library(name: "Shared", targets: ["Shared"]),
        .executable(name: "bench-baseline", targets: ["BenchBaseline"]),
        .executable(name: "mbctl", targets: ["MBCtl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "CSpawn", path: "Sources/CSpawn"),
        .target(name: "CMalloc", path: "Sources/CMalloc"),
        .target(
            name: "Shared",
            dependencies: [
                "CLibPQ", "CHiredis", "CCurl", "CSpawn", "CMalloc",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Sources/Shared",
            resources: [.copy("Migrations")],
            swiftSettings: swiftSettings
        ),
        serviceTarget("SpecService", path: "Services/spec-service"),
        serviceTarget(
            "RunService", path: "Services/run-service",
            extraDependencies: [.product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        serviceTarget(
            "AgentService", path: "Services/agent-service",
            resources: [.copy("Prompts"), .copy("Schemas"), .copy("Templates")],
            extraDependencies: [.product(name: "Mustache", package: "swift-mustache")]
        ),
        serviceTarget(
            "ApprovalService", path: "Services/approval-service",
            resources: [.copy("Templates")],
            extraDependencies: [.product(name: "Mustache", package: "swift-mustache")]
        ),
        .executableTarget(
            name: "MBCtl",
            dependencies: [
                "Shared",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            path: "Sources/mbctl",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "BenchBaseline",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "bench/Baseline",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SharedTests",
            dependencies: [
                "Shared", "MeshTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/SharedTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AgentServiceTests",
            dependencies: [
                "Shared", "AgentService", "MeshTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/AgentServiceTests",
            resources: [.copy("ArchitectCorpus")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MeshTestSupport",
            dependencies: ["Shared", "CSpawn", .product(name: "Logging", package: "swift-log")],
            path: "Tests/MeshTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SpecServiceTests",
            dependencies: [
                "Shared", "SpecService", "AgentService", "MeshTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/SpecServiceTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RunServiceTests",
            dependencies: [
                "Shared", "RunService", "MeshTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/RunServiceTests",
            // Read from the source tree by GoldenRunTests (and written there when recording).
            exclude: ["GoldenRuns"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MBCtlTests",
            dependencies: ["MBCtl", "Shared", "MeshTestSupport", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            path: "Tests/MBCtlTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ApprovalServiceTests",
            dependencies: [
                "Shared", "ApprovalService", "MeshTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ApprovalServiceTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServiceTests",
            dependencies: [
                "Shared", "SpecService", "RunService", "AgentService", "ApprovalService", "MeshTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/ServiceTests",
            swiftSettings: swiftSettings
        ),
    ]
)
