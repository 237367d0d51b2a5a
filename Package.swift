// swift-tools-version: 6.0
import PackageDescription

// Data flows one way: source → tokens → syntax tree (SyncSyntax) → checked program
// (SyncCheck, against SyncSchema) → patch program (SyncCompile) → runtime (SyncRuntime).
// SyncValue is the JSON/YAML value model every stage shares.
let package = Package(
  name: "syncrules",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "syncrules", targets: ["syncrules"]),
    .library(name: "SyncRuntime", targets: ["SyncRuntime"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    // The in-memory API server for tests and the demo (KubeAPIServer) speaks HTTP/1.1
    // and TLS through NIO and mints its CA and certificates at start-up; the client
    // (KubeClient) talks to real clusters through async-http-client.
    .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
  ],
  targets: [
    .systemLibrary(
      name: "CYAML",
      pkgConfig: "yaml-0.1",
      providers: [.apt(["libyaml-dev"])]
    ),
    // RE2 (Debian libre2-dev) behind a small C interface: regexes in rules match in
    // linear time, with the syntax Kubernetes users know from Go and CEL.
    .target(name: "CRE2", linkerSettings: [.linkedLibrary("re2")]),
    .target(name: "SyncValue", dependencies: ["CYAML"]),
    .target(name: "SyncSyntax", dependencies: ["SyncValue"]),
    .target(
      name: "SyncSchema", dependencies: ["SyncValue"], exclude: ["Generated/generate-schemas.py"]),
    .target(
      name: "SyncCheck", dependencies: ["SyncSyntax", "SyncSchema", "CRE2"],
      exclude: ["Generated/embed-stdlib.py"]),
    .target(name: "SyncCompile", dependencies: ["SyncCheck"]),
    .target(name: "SyncRuntime", dependencies: ["SyncCompile"]),
    .target(
      name: "SyncLoop",
      dependencies: [
        "SyncRuntime",
        "KubeClient",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        // SHA-256 fingerprints of what was applied (the Decider).
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ]
    ),
    // The Kubernetes client: kubeconfig, discovery, list/watch, server-side apply.
    .target(
      name: "KubeClient",
      dependencies: [
        "SyncValue",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        // Reads the names on a certificate a server presented, for TLS error messages.
        .product(name: "X509", package: "swift-certificates"),
        .product(name: "SwiftASN1", package: "swift-asn1"),
      ]
    ),
    .executableTarget(
      name: "syncrules",
      dependencies: [
        "SyncRuntime",
        "SyncLoop",
        "KubeClient",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    // The demo: the loop between two in-process test servers. Kept out of `syncrules` so
    // the shipped binary carries no API server and no certificate minting
    // (docs/performance.md, "What the binary carries"); `kube-api-server demo` runs it.
    .target(
      name: "SyncDemo",
      dependencies: [
        "SyncLoop", "KubeAPIServer", "KubeClient", "SyncValue",
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .target(
      name: "KubeAPIServer",
      dependencies: [
        "SyncValue",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "X509", package: "swift-certificates"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "SwiftASN1", package: "swift-asn1"),
      ]
    ),
    .executableTarget(
      name: "kube-api-server",
      dependencies: [
        "KubeAPIServer",
        "SyncValue",
        "SyncDemo",
        "SyncLoop",
        "SyncRuntime",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "KubeAPIServerTests", dependencies: ["KubeAPIServer", "SyncValue"]),
    .testTarget(name: "SyncValueTests", dependencies: ["SyncValue"]),
    .testTarget(name: "SyncSyntaxTests", dependencies: ["SyncSyntax"], exclude: ["Corpus"]),
    .testTarget(name: "SyncSchemaTests", dependencies: ["SyncSchema"]),
    .testTarget(
      name: "SyncCheckTests", dependencies: ["SyncCheck"], exclude: ["Corpus", "CRDs"]),
    .testTarget(name: "SyncCompileTests", dependencies: ["SyncCompile"]),
    .testTarget(
      name: "SyncRuntimeTests", dependencies: ["SyncRuntime"], exclude: ["StreamCorpus"]),
    .testTarget(name: "SyncrulesCLITests", dependencies: ["SyncRuntime", "KubeAPIServer"]),
    .testTarget(name: "SyncLoopTests", dependencies: ["SyncLoop", "KubeAPIServer", "KubeClient"]),
    .testTarget(
      name: "SyncDemoTests",
      dependencies: ["SyncDemo", "SyncRuntime", .product(name: "Logging", package: "swift-log")]),
    .testTarget(
      name: "KubeClientTests",
      dependencies: [
        "KubeClient",
        "KubeAPIServer",
        "SyncValue",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ]
    ),
  ],
  swiftLanguageModes: [.v6],
  cxxLanguageStandard: .cxx17
)
