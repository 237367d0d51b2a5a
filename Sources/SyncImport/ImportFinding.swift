/// What `syncrules import` reports about the configuration it translates, with a stable
/// code (docs/diagnostics.md, "E08xx, W08xx").
public enum ImportCode: String, CaseIterable, Sendable {
  /// A document has the wrong shape: a field missing or of the wrong type, an unknown
  /// operator. Nothing is written.
  case invalidPolicy = "E0801"
  /// A construct that cannot be said exactly in `.sync`: the output has a comment where
  /// it would go.
  case notTranslated = "W0802"
  /// A Karmada `add` failed the object when the parent map was missing
  /// (karmada-io/karmada#3923); `set` creates it.
  case addCreatesParents = "W0803"
  /// A Karmada `add` of a list replaced the object's own list; the translation appends
  /// each element if absent.
  case listAddAppends = "W0804"
  /// An override for kinds no propagation policy selects: Karmada applied it only to
  /// what `propagateDeps` brought along; the rule syncs every object it matches.
  case overrideWithoutPropagation = "W0805"
  /// A policy or override rule that does not place objects on the standby cluster is
  /// left out.
  case notForThisCluster = "W0806"
  /// Karmada left the claim's binding annotations, and the standby marked it `Lost`;
  /// the translation removes them too.
  case claimBindingAnnotations = "W0807"
  /// A selected name too long for Karmada's `resourcebinding.karmada.io/name` label
  /// (karmada-io/karmada#3834); syncrules adds no such label and syncs it.
  case nameTooLongForKarmada = "W0808"
  /// A document of a kind the importer does not read; it is ignored.
  case ignoredDocument = "W0809"
  /// Deleting Karmada's policies left the workloads running with production's settings
  /// (karmada-io/karmada#3873); deleting a rule makes `sync` prune what it synced.
  case deletionPrunes = "W0810"

  /// Whether the finding stops the import.
  public var isError: Bool { rawValue.hasPrefix("E") }
}

/// One finding, placed at the line and column of the YAML it is about.
public struct ImportFinding: Sendable, Hashable, CustomStringConvertible {
  public var code: ImportCode
  public var file: String
  public var line: Int
  public var column: Int
  public var message: String

  public init(code: ImportCode, file: String, line: Int, column: Int, message: String) {
    self.code = code
    self.file = file
    self.line = line
    self.column = column
    self.message = message
  }

  /// `policies.yaml:12:9: warning[W0803]: …`, the shape of `check`'s findings.
  public var description: String {
    "\(file):\(line):\(column): \(code.isError ? "error" : "warning")[\(code.rawValue)]: \(message)"
  }
}

/// The translation failed: the findings include at least one error.
public struct ImportFailure: Error, Sendable {
  public var findings: [ImportFinding]
  /// A path named on the command line does not exist (a usage error, as for `check`).
  public var isUsageError = false
}

/// A translated configuration: the `.sync` text and what the translation had to say.
public struct ImportResult: Sendable {
  public var text: String
  /// In file order, then by line and column.
  public var findings: [ImportFinding]

  init(text: String, findings: [ImportFinding], files: [String]) {
    self.text = text
    // A policy with several selector groups is translated once per group; say things once.
    var seen: Set<ImportFinding> = []
    let findings = findings.filter { seen.insert($0).inserted }
    self.findings = findings.enumerated().sorted { left, right in
      let a = left.element
      let b = right.element
      let order = { (finding: ImportFinding) in
        (files.firstIndex(of: finding.file) ?? files.count, finding.line, finding.column)
      }
      if order(a) != order(b) { return order(a) < order(b) }
      return left.offset < right.offset
    }.map(\.element)
  }
}
