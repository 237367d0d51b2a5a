// swift-tools-version: 5.4
import PackageDescription

// libFuzzer targets for syncrules, one executable per fuzzer; see README.md. They are
// built only with `-sanitize=fuzzer` (run.sh does that), which links libFuzzer's `main`:
// each target defines `LLVMFuzzerTestOneInput` and no entry point of its own.
//
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM links an executable with its entry
// point renamed (`main` = `<module>_main`, for tests that import executables), and a
// fuzzer has no entry point to rename. (Also, `package:` below is the package's name.)

func fuzzer(_ name: String, _ products: [String]) -> Target {
  .executableTarget(
    name: "fuzz-\(name)",
    dependencies: ["FuzzSupport"] + products.map { .product(name: $0, package: "syncrules") }
  )
}

let package = Package(
  name: "syncrules-fuzz",
  platforms: [.macOS("13.0")],
  dependencies: [.package(name: "syncrules", path: "..")],
  targets: [
    .target(name: "CFuzzHooks"),
    .target(
      name: "FuzzSupport",
      dependencies: [
        "CFuzzHooks",
        .product(name: "SyncValue", package: "syncrules"),
        .product(name: "SyncRuntime", package: "syncrules"),
        .product(name: "SyncDriver", package: "syncrules"),
      ]),
    fuzzer(
      "rules",
      ["SyncDriver", "SyncRuntime", "SyncCompile", "SyncProgram", "SyncSyntax", "SyncValue"]),
    fuzzer("json-stream", ["SyncRuntime", "SyncValue"]),
    fuzzer("yaml", ["SyncRuntime", "SyncValue"]),
    fuzzer("json-patch", ["SyncValue"]),
    fuzzer("evaluator", ["SyncRuntime", "SyncValue"]),
    fuzzer("kubeconfig", ["KubeClient", "SyncValue"]),
    fuzzer("import", ["SyncImport", "SyncDriver", "SyncValue"]),
  ]
)
