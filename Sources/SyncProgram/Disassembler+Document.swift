import SyncValue

extension Disassembler {
  /// The program as data: `syncrules explain -o json|yaml`.
  ///
  /// The shape is versioned by `apiVersion` (`syncrules.io/v1`, kind `Explanation`) and
  /// only grows: fields are added, never renamed or removed, within a version.
  /// docs/machine-output.md describes every field. Instruction and selector texts are the
  /// ones the text form prints, so the two never disagree.
  public static func document(_ program: PatchProgram) -> Value {
    let names = program.rules.map(\.name)
    let dispatch: [Value] = program.dispatch.exact.sorted {
      ($0.key.group, $0.key.kind) < ($1.key.group, $1.key.kind)
    }.map { key, rules in
      [
        "group": .string(key.group), "kind": .string(key.kind),
        "rules": .array(rules.map { .string(names[$0]) }),
      ]
    }
    let rules: [Value] = program.rules.map { rule in
      let instructions: [Value] = rule.code.enumerated().map { index, instruction in
        [
          "index": .int(Int64(index)), "text": .string(describe(instruction)),
          "source": location(program.locations[rule.codeLocations[index]]),
        ]
      }
      return [
        "name": .string(rule.name), "match": .string(describe(rule.selector)),
        "source": location(program.locations[rule.location]),
        "instructions": .array(instructions),
      ]
    }
    return [
      "apiVersion": "syncrules.io/v1",
      "kind": "Explanation",
      "skips": .array(program.skips.map { .string(describe($0)) }),
      "dispatch": .array(dispatch),
      "otherKinds": .array(program.dispatch.wildcard.map { .string(names[$0]) }),
      "constants": .array(program.constants),
      "rules": .array(rules),
    ]
  }

  /// `{file, line, column, excerpt}` of a place in the rule files.
  static func location(_ span: SourceSpan) -> Value {
    [
      "file": .string(span.file), "line": .int(Int64(span.line)),
      "column": .int(Int64(span.column)), "excerpt": .string(span.excerpt),
    ]
  }
}
