// swift-tools-version:6.0
import PackageDescription

// Module boundaries (arrows point down only): see shared/STYLE.md.
let package = Package(
    name: "Berth",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "berth", targets: ["berth"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(name: "CReadline", providers: [.apt(["libreadline-dev"])]),
        // Raw syscalls that Swift cannot make safely after clone(), shared by the CLI and the monitor.
        .target(name: "CBerth", dependencies: ["CSeccomp"]),
        // TLS for the registry client through the system's OpenSSL 3 (libssl-dev). Kept out of
        // CBerth, which the monitor is built from without OpenSSL. swift-crypto's BoringSSL
        // prefixes its symbols, so both link into one binary.
        .target(name: "CBerthTLS", linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]),
        // Sources/berth-monitor is not a SwiftPM target on purpose: SwiftPM links every
        // executable against libswiftCore (5 MB RSS); the Makefile builds the monitor with cc
        // (about 1 MB RSS, like conmon) next to the `berth` binary.
        .target(name: "BerthCore", dependencies: [
            "CBerth",
            .product(name: "SystemPackage", package: "swift-system"),
        ]),
        .target(name: "BerthImages", dependencies: [
            "BerthCore", "CBerth", "CBerthTLS",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "BerthNetwork", dependencies: ["BerthCore", "CBerth"]),
        .target(name: "BerthRuntime", dependencies: ["BerthCore", "BerthImages", "BerthNetwork", "CBerth"]),
        // Dockerfile builds (the classic builder): parser, context, steps, cache.
        .target(name: "BerthBuild", dependencies: [
            "BerthCore", "BerthImages", "BerthRuntime", "CBerth",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "BerthLab", dependencies: [
            "BerthCore", "BerthImages", "BerthRuntime", "CReadline",
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "BerthCLI", dependencies: [
            "BerthCore", "BerthImages", "BerthRuntime", "BerthNetwork", "BerthLab", "BerthBuild",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "berth", dependencies: ["BerthCLI"]),

        .target(name: "BerthTestSupport", dependencies: ["BerthCore", "CBerth"], path: "Tests/BerthTestSupport"),
        .testTarget(name: "BerthCoreTests", dependencies: ["BerthCore", "BerthTestSupport"]),
        .testTarget(name: "BerthImagesTests", dependencies: ["BerthImages", "BerthTestSupport"]),
        .testTarget(name: "BerthRuntimeTests", dependencies: ["BerthRuntime", "BerthTestSupport"]),
        .testTarget(name: "BerthBuildTests", dependencies: ["BerthBuild", "BerthTestSupport"]),
        .testTarget(name: "BerthLabTests", dependencies: ["BerthLab", "BerthTestSupport"]),
        .testTarget(name: "BerthCLITests", dependencies: ["BerthCLI", "BerthTestSupport"]),
        .testTarget(name: "IntegrationTests", dependencies: ["BerthCore", "BerthTestSupport"], exclude: ["Probes"]),
    ]
)
