import Foundation
import SyncSchema
import SyncSyntax
import SyncValue

/// Type-checks loaded rule files against Kubernetes schemas.
///
/// Every path of every edit and condition is checked against every kind the rule can
/// match; findings are collected, never thrown, so one mistake does not hide the rest.
public struct Checker: Sendable {
  public var registry: SchemaRegistry
  public var options: CheckOptions

  public init(registry: SchemaRegistry, options: CheckOptions = CheckOptions()) {
    self.registry = registry
    self.options = options
  }

  /// Checks the loaded files. The program is returned even when there are errors (so
  /// `explain` can show what it can); callers must not run it unless the diagnostics
  /// hold no error.
  public func check(_ loaded: LoadedRules) -> (program: CheckedProgram, diagnostics: [Diagnostic]) {
    let session = CheckSession(registry: registry, options: options, files: loaded.files)
    for diagnostic in loaded.diagnostics { session.report(diagnostic) }
    let program = session.run(items: loaded.items)
    var bag = DiagnosticBag()
    bag.append(contentsOf: session.diagnostics)
    return (program, bag.finished(files: loaded.files))
  }
}

/// The mutable state of one check: findings so far, and what has been learned.
final class CheckSession {
  let registry: SchemaRegistry
  let options: CheckOptions
  let files: SourceManager
  private(set) var diagnostics: [Diagnostic] = []
  private var reported: Set<Diagnostic> = []
  var yamlValues: [SourceRange: Value] = [:]
  var groups: [String: GroupDecl] = [:]
  var skips: [SkipDecl] = []
  /// Schema `pattern`s compiled so far; nil for one this engine cannot compile.
  var compiledPatterns: [String: CompiledRegex?] = [:]

  init(registry: SchemaRegistry, options: CheckOptions, files: SourceManager) {
    self.registry = registry
    self.options = options
    self.files = files
  }

  /// Records a finding once: the same mistake seen through two `use`s of a group is one
  /// finding, and the same mistake seen through several kinds is one finding naming them
  /// all ("… of Deployment (apps/v1) and StatefulSet (apps/v1)").
  func report(_ diagnostic: Diagnostic) {
    guard !reported.contains(diagnostic) else { return }
    reported.insert(diagnostic)
    if let index = diagnostics.lastIndex(where: {
      $0.code == diagnostic.code && $0.range == diagnostic.range && $0.help == diagnostic.help
    }), let merged = Self.mergeKinds(diagnostics[index], diagnostic) {
      diagnostics[index] = merged
      return
    }
    diagnostics.append(diagnostic)
  }

  /// Joins two messages that differ only in the kinds they name.
  private static func mergeKinds(_ first: Diagnostic, _ second: Diagnostic) -> Diagnostic? {
    guard let (templateA, labelsA) = kindLabels(in: first.message),
      let (templateB, labelsB) = kindLabels(in: second.message), templateA == templateB
    else { return nil }
    let labels = labelsA + labelsB.filter { !labelsA.contains($0) }
    let joined =
      labels.count == 1
      ? labels[0] : labels.dropLast().joined(separator: ", ") + " and " + labels.last!
    var merged = first
    merged.message = templateA.replacingOccurrences(of: "\u{0}", with: joined)
    return merged
  }

  /// The message with its run of kind labels ("Deployment (apps/v1)", "Service (v1)",
  /// joined by ", " or " and ") replaced by a placeholder, and the labels.
  private static func kindLabels(in message: String) -> (String, [String])? {
    // Messages quote the user's paths and names, so the search must stay linear.
    guard let bytes = kindLabelRun.firstMatch(in: message) else { return nil }
    let utf8 = message.utf8
    let range =
      utf8.index(
        utf8.startIndex, offsetBy: bytes.lowerBound)..<utf8.index(
        utf8.startIndex, offsetBy: bytes.upperBound)
    let run = String(message[range])
    let labels = run.components(separatedBy: " and ").flatMap { $0.components(separatedBy: ", ") }
    return (message.replacingCharacters(in: range, with: "\u{0}"), labels)
  }

  /// A run of kind labels ("Deployment (apps/v1)"), joined by ", " or " and ".
  private static let kindLabelRun: CompiledRegex = {
    let label = #"[A-Z][A-Za-z0-9]* \([a-z0-9.-]*/?[a-z0-9]+\)"#
    guard let regex = try? CompiledRegex("\(label)(?:(?:, | and )\(label))*") else {
      preconditionFailure("the kind label pattern compiles")
    }
    return regex
  }()

  func report(_ list: [Diagnostic]) {
    for diagnostic in list { report(diagnostic) }
  }

  func run(items: [Item]) -> CheckedProgram {
    var rules: [RuleDecl] = []
    var ruleNames: [String: SourceRange] = [:]
    for item in items {
      switch item {
      case .importDecl:
        break  // the loader has already expanded imports
      case .skip(let decl):
        skips.append(decl)
      case .group(let decl):
        if let first = groups[decl.name.text]?.name.range {
          report(CheckerMessages.duplicateGroup(decl.name, first: first))
        } else {
          groups[decl.name.text] = decl
        }
      case .rule(let decl):
        if let first = ruleNames[decl.name.text] {
          report(CheckerMessages.duplicateRule(decl.name, first: first))
        } else {
          ruleNames[decl.name.text] = decl.name.range
        }
        rules.append(decl)
      }
    }
    for skip in skips { checkSkip(skip) }
    var checkedRules: [CheckedRule] = []
    var expansion = GroupExpansion(groups: groups)
    for rule in rules {
      let kinds = checkSelection(rule.selection)
      checkHiddenBySkip(rule, kinds: kinds)
      if let body = rule.body {
        if expansion.size(of: body) > GroupExpansion.maximumEdits {
          report(CheckerMessages.ruleTooLarge(rule.name))
        } else {
          checkBlock(body, kinds: kinds.map(KindContext.init), useChain: [])
        }
      }
      checkedRules.append(CheckedRule(decl: rule, knownKinds: kinds))
    }
    for group in GroupExpansion.standaloneGroups(rules: rules, groups: groups) {
      // Groups no rule uses are still checked for what does not depend on a kind.
      guard expansion.size(of: group.body) <= GroupExpansion.maximumEdits else { continue }
      checkBlock(group.body, kinds: [], useChain: [group.name.text])
    }
    return CheckedProgram(
      files: files, skips: skips, rules: checkedRules, groups: groups, yamlValues: yamlValues,
      registry: registry)
  }
}
