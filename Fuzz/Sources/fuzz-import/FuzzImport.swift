import FuzzSupport
import SyncDriver
import SyncImport
import SyncValue

/// Bytes as a policy file given to `syncrules import karmada` and `import velero`: no
/// trap; a failure carries an error finding placed in the file; a translation loads as
/// rules (checked, compiled when clean) and reports warnings only.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImport(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = fuzzBytes(data, size)
  withTemporaryFile(holding: bytes) { descriptor in
    // The importers read paths; the descriptor's path reads the same bytes.
    let path = "/dev/fd/\(descriptor)"
    check(bytes) { () throws(ImportFailure) in try KarmadaImporter().translate(paths: [path]) }
    check(bytes) { () throws(ImportFailure) in try VeleroImporter().translate(paths: [path]) }
  }
  return 0
}

private func check(_ bytes: [UInt8], _ translate: () throws(ImportFailure) -> ImportResult) {
  // YAML breaks lines at CR too (and at NEL, LS and PS, whose UTF-8 forms end in 0x85,
  // 0xA8, 0xA9): at most one line per such byte.
  let lines =
    1 + bytes.filter { [0x0A, 0x0D, 0x85, 0xA8, 0xA9].contains($0) }.count
  do {
    let result = try translate()
    require(!result.findings.contains { $0.code.isError }, "a translation with an error finding")
    require(result.text.hasSuffix("\n"), "a translation that does not end in a newline")
    let ruleSet = RuleSet.load(text: result.text, path: "imported.sync")
    require(
      ruleSet.hasErrors == (ruleSet.program == nil), "a program exactly when the rules check")
    for finding in result.findings {
      require(finding.line >= 1 && finding.column >= 1, "a finding without a position")
    }
  } catch {
    require(error.findings.contains { $0.code.isError }, "a failure without an error finding")
    for finding in error.findings {
      require(
        finding.line >= 1 && finding.column >= 1 && finding.line <= lines + 1,
        "a finding outside the file: \(finding)")
    }
  }
}
