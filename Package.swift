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
  ],
  targets: [
    .systemLibrary(
      name: "CYAML",
      pkgConfig: "yaml-0.1",
      providers: [.apt(["libyaml-dev"])]
    ),
    .target(name: "SyncValue", dependencies: ["CYAML"]),
    .target(name: "SyncSyntax", dependencies: ["SyncValue"]),
    .target(
      name: "SyncSchema", dependencies: ["SyncValue"], exclude: ["Generated/generate-schemas.py"]),
    .target(
      name: "SyncCheck", dependencies: ["SyncSyntax", "SyncSchema"],
      exclude: ["Generated/embed-stdlib.py"]),
    .target(name: "SyncCompile", dependencies: ["SyncCheck"]),
    .target(name: "SyncRuntime", dependencies: ["SyncCompile"]),
    .target(
      name: "SyncLoop",
      dependencies: [
        "SyncRuntime",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Prometheus", package: "swift-prometheus"),
      ]
    ),
    .executableTarget(
      name: "syncrules",
      dependencies: [
        "SyncRuntime",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "SyncValueTests", dependencies: ["SyncValue"]),
    .testTarget(name: "SyncSyntaxTests", dependencies: ["SyncSyntax"], exclude: ["Corpus"]),
    .testTarget(name: "SyncSchemaTests", dependencies: ["SyncSchema"]),
    .testTarget(name: "SyncCheckTests", dependencies: ["SyncCheck"], exclude: ["Corpus"]),
    .testTarget(name: "SyncCompileTests", dependencies: ["SyncCompile"]),
    .testTarget(
      name: "SyncRuntimeTests", dependencies: ["SyncRuntime"], exclude: ["StreamCorpus"]),
    .testTarget(name: "SyncrulesCLITests", dependencies: ["SyncRuntime"]),
    .testTarget(name: "SyncLoopTests", dependencies: ["SyncLoop"]),
  ],
  swiftLanguageModes: [.v6]
)
