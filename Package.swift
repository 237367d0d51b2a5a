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
    .library(name: "SyncDriver", targets: ["SyncDriver"]),
    .library(name: "SyncImport", targets: ["SyncImport"]),
    // The stages on their own, for the fuzzing package under Fuzz/ (which can only use
    // products of this one).
    .library(name: "SyncValue", targets: ["SyncValue"]),
    .library(name: "SyncSyntax", targets: ["SyncSyntax"]),
    .library(name: "SyncMatch", targets: ["SyncMatch"]),
    .library(name: "SyncCheck", targets: ["SyncCheck"]),
    .library(name: "SyncProgram", targets: ["SyncProgram"]),
    .library(name: "SyncCompile", targets: ["SyncCompile"]),
    .library(name: "KubeClient", targets: ["KubeClient"]),
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
    // Globs and regexes: used by the checker to validate patterns and by the runtime to
    // match, which must not pull in the checker and its schema data.
    .target(name: "SyncMatch", dependencies: ["CRE2"]),
    // The compiled patch program: what the compiler emits and the runtime evaluates.
    .target(name: "SyncProgram", dependencies: ["SyncSyntax", "SyncMatch"]),
    .target(
      name: "SyncSchema", dependencies: ["SyncValue"], exclude: ["Generated/generate-schemas.py"]),
    .target(
      name: "SyncCheck", dependencies: ["SyncSyntax", "SyncSchema", "SyncMatch"],
      exclude: ["Generated/embed-stdlib.py"]),
    .target(name: "SyncCompile", dependencies: ["SyncCheck", "SyncProgram"]),
    // Evaluating a compiled program over objects: needs neither the checker nor schemas.
    // `syncrules import`: Karmada policies and Velero resource modifiers as .sync text.
    .target(name: "SyncImport", dependencies: ["SyncValue", "SyncSchema"]),
    .target(name: "SyncRuntime", dependencies: ["SyncProgram", "SyncMatch", "SyncSyntax"]),
    // Rule files end to end (load, check, compile) and the `syncrules test` runner: what
    // the commands and the loop call.
    .target(
      name: "SyncDriver",
      dependencies: ["SyncRuntime", "SyncCompile", "SyncCheck", "SyncSchema", "SyncProgram"]),
    .target(
      name: "SyncLoop",
      dependencies: [
        "SyncRuntime",
        "SyncDriver",
        "SyncProgram",
        "KubeClient",
        "KubeModel",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        // SHA-256 fingerprints of what was applied (the Decider).
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ]
    ),
    // Kubernetes API types (resource types, group versions, Status, watch events) shared
    // by the client and the test server. Types only: each side keeps its own JSON reading
    // and writing, so that a bug in one cannot hide the same bug in the other.
    .target(name: "KubeModel", dependencies: ["SyncValue"]),
    // The Kubernetes client: kubeconfig, discovery, list/watch, server-side apply.
    .target(
      name: "KubeClient",
      dependencies: [
        "KubeModel",
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
    // The command-line options both executables share (rule files, CRDs, stdlib).
    .target(
      name: "SyncCommandOptions",
      dependencies: [
        "SyncDriver", .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .executableTarget(
      name: "syncrules",
      dependencies: [
        "SyncCommandOptions",
        "SyncImport",
        "SyncRuntime",
        "SyncDriver",
        "SyncProgram",
        "SyncLoop",
        "KubeClient",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      plugins: ["BuildInfo"]
    ),
    // `--version` names the commit the binary was built from: a file written before each
    // build from `git`, rewritten only when the commit changes.
    .plugin(name: "BuildInfo", capability: .buildTool()),
    // The demo: the loop between two in-process test servers. Kept out of `syncrules` so
    // the shipped binary carries no API server and no certificate minting
    // (docs/performance.md, "What the binary carries"); `kube-api-server demo` runs it.
    .target(
      name: "SyncDemo",
      dependencies: [
        "SyncLoop", "SyncProgram", "KubeAPIServer", "KubeClient", "KubeModel", "SyncValue",
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .target(
      name: "KubeAPIServer",
      dependencies: [
        "KubeModel",
        "SyncValue",
        // The built-in kinds' schemas: strategic merge patch strategies, OpenAPI documents.
        "SyncSchema",
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
        "SyncCommandOptions",
        "KubeAPIServer",
        "SyncValue",
        "SyncDemo",
        "SyncDriver",
        "SyncLoop",
        "SyncRuntime",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // What the test targets share: scratch directories, the repository root, running the
    // built CLI, golden files and expected-diagnostic markers. Only tests depend on it.
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .testTarget(
      name: "KubeAPIServerTests",
      dependencies: ["KubeAPIServer", "KubeModel", "SyncSchema", "SyncValue", "TestSupport"],
      exclude: ["StrategicMergePatchCases"]),
    .testTarget(name: "KubeModelTests", dependencies: ["KubeModel", "SyncValue"]),
    .testTarget(name: "SyncValueTests", dependencies: ["SyncValue", "TestSupport"]),
    .testTarget(
      name: "SyncSyntaxTests", dependencies: ["SyncSyntax", "TestSupport"], exclude: ["Corpus"]),
    .testTarget(name: "SyncSchemaTests", dependencies: ["SyncSchema", "TestSupport"]),
    .testTarget(name: "SyncMatchTests", dependencies: ["SyncMatch"]),
    .testTarget(
      name: "SyncImportTests",
      dependencies: ["SyncImport", "SyncDriver", "SyncRuntime", "SyncValue", "TestSupport"],
      exclude: ["Corpus"]),
    .testTarget(
      name: "SyncCheckTests", dependencies: ["SyncCheck", "TestSupport"],
      exclude: ["Corpus", "CRDs"]),
    .testTarget(
      name: "SyncCompileTests",
      dependencies: ["SyncCompile", "SyncProgram", "SyncSchema", "SyncValue", "TestSupport"]),
    .testTarget(
      name: "SyncRuntimeTests",
      dependencies: ["SyncRuntime", "SyncDriver", "SyncProgram", "SyncImport", "TestSupport"],
      exclude: ["StreamCorpus"]),
    .testTarget(
      name: "SyncrulesCLITests",
      dependencies: ["SyncRuntime", "SyncDriver", "KubeAPIServer", "TestSupport"],
      exclude: ["ExplainCorpus"]),
    .testTarget(
      name: "SyncLoopTests",
      dependencies: [
        "SyncLoop", "SyncDriver", "SyncProgram", "KubeAPIServer", "KubeClient", "KubeModel",
        "TestSupport",
      ]
    ),
    .testTarget(
      name: "SyncDemoTests",
      dependencies: [
        "SyncDemo", "SyncRuntime", "SyncDriver", .product(name: "Logging", package: "swift-log"),
      ]),
    .testTarget(
      name: "KubeClientTests",
      dependencies: [
        "KubeClient",
        "TestSupport",
        "KubeAPIServer",
        "KubeModel",
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
