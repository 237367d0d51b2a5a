import Foundation
import SyncSyntax
import Testing

/// Every production of `grammar/sync.ebnf` must be claimed by a valid corpus file's
/// `# covers:` line, every claim must name a production, and every claim is checked
/// against the file's AST dump, so a file cannot claim what it does not exercise.
@Suite struct GrammarCoverageTests {
  /// What a file's AST dump must contain (any one of) when it claims a production.
  static let evidence: [String: [String]] = [
    "file": ["("],
    "item": ["(import ", "(skip ", "(rule ", "(group "],
    "import": ["(import "],
    "skip": ["(skip "],
    "skip-target": ["(namespaces ", "(names ", "(kinds ", "(groups ", "(owned", "  (match "],
    "rule": ["(rule "],
    "group": ["(group "],
    "block": ["(block"],
    "kind-list": ["(kind "],
    "kind-ref": ["(kind "],
    "api-version-pattern": ["(kind \"\" v", "(kind apps v"],
    "selector-clause": ["(in (", "(named ", "(labels ", "(annotations ", "(when (", "(scope "],
    "pattern-list": ["(exact ", "(glob "],
    "pattern": ["(exact ", "(glob ", "(regex "],
    "label-selector": ["(labels ", "(annotations "],
    "label-requirement": ["(= \"", "(!= \"", "(in \"", "(notin \"", "(exists \"", "(! \""],
    "label-key": ["(= \"", "(exists \""],
    "label-value": ["(= \"", "(in \""],
    "edit": ["(set @", "(remove @", "(drop @", "(patch @", "(use @"],
    "set-edit": ["(set @"],
    "default-edit": ["(default @"],
    "remove-edit": ["(remove @"],
    "append-edit": ["(append @", "(prepend @"],
    "merge-edit": ["(merge @"],
    "replace-edit": ["(replace @"],
    "match-text": ["(substring ", "(prefix ", "(suffix "],
    "drop-edit": ["(drop @"],
    "patch-edit": ["(patch @", "(patch-strategic @"],
    "use-edit": ["(use @"],
    "when-edit": ["(when @"],
    "document-edit": ["(edit @"],
    "image-edit": ["(image @"],
    "image-change": [" set ", " append ", " remove "],
    "image-part": [" registry ", " repository ", " tag ", " digest"],
    "dependencies-edit": ["(dependencies @"],
    "dependency-kind": ["(dependencies @", " secrets"],
    "path": ["(path "],
    "segment": ["(path "],
    "selector": ["[*]", "[0]", "[-1]"],
    "key-value": [": "],
    "element-value": ["[= "],
    "condition": ["(when (", "(when @"],
    "or-condition": ["(or "],
    "and-condition": ["(and "],
    "not-condition": ["(not "],
    "primary-condition": ["(exists (", "(missing ", "(== ", "(in-list ", "(matches "],
    "comparison": ["(== ", "(< ", "(<= ", "(> ", "(>= "],
    "expression": ["(path ", "(int "],
    "literal": ["(int ", "(bool ", " null", "(double "],
    "list-literal": ["(list"],
    "map-literal": ["(map"],
    "map-entry": ["(map ("],
    "yaml-literal": ["(yaml "],
  ]

  /// The production names: lines of the form `name = …` outside comments.
  static func grammarProductions() throws -> Set<String> {
    let grammarPath = URL(fileURLWithPath: CorpusFile.directory)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("grammar/sync.ebnf").path
    let text = try String(contentsOfFile: grammarPath, encoding: .utf8)
    var names: Set<String> = []
    for line in text.split(separator: "\n") {
      guard let first = line.first, first.isLowercase, let equals = line.firstIndex(of: "=")
      else { continue }
      let name = line[..<equals].trimmingCharacters(in: .whitespaces)
      if name.allSatisfy({ $0.isLowercase || $0 == "-" }) { names.insert(name) }
    }
    return names
  }

  /// The names on a file's `# covers:` lines.
  static func claims(in text: String) -> [String] {
    text.split(separator: "\n").filter { $0.hasPrefix("# covers:") }.flatMap {
      $0.dropFirst("# covers:".count).split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
      }
    }
  }

  @Test func everyProductionIsCoveredAndEveryClaimIsTrue() throws {
    let productions = try Self.grammarProductions()
    #expect(productions.count > 40, "the grammar reader found too few productions")
    #expect(Set(Self.evidence.keys) == productions, "evidence table out of date with the grammar")
    var claimed: Set<String> = []
    for name in CorpusFile.files(in: "valid") {
      let text = try CorpusFile.read(CorpusFile.directory + "/valid/" + name)
      let file = SourceFile(id: 0, path: name, text: text)
      let dump = ASTDump.dump(Parser.parse(file).0, in: file)
      for claim in Self.claims(in: text) {
        #expect(productions.contains(claim), "\(name) claims `\(claim)`, not in the grammar")
        let signs = Self.evidence[claim] ?? []
        #expect(
          signs.contains { dump.contains($0) },
          "\(name) claims `\(claim)` but its AST shows none of \(signs)")
        claimed.insert(claim)
      }
    }
    #expect(productions.subtracting(claimed).sorted() == [], "productions no test exercises")
  }
}
