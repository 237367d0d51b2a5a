import SyncSchema
import SyncSyntax
import SyncValue

extension CheckSession {
  /// Checks every edit of a block against every kind the enclosing rule can match.
  /// With no kinds (a kind without a schema), only kind-independent checks run.
  ///
  /// `depth` counts the `when` blocks and `use`s around the block: the parser bounds
  /// nesting within one block, and this bounds it across groups, so that the compiler,
  /// which inlines groups, never recurses deeper than the parser allows.
  func checkBlock(_ block: Block, kinds: [KindContext], useChain: [String], depth: Int = 0) {
    for edit in block.edits {
      checkKindIndependent(edit, useChain: useChain, kinds: kinds, depth: depth)
      if case .remove(let paths) = edit.form {
        for path in paths { checkRemove(path, kinds: kinds) }
      }
      for context in kinds { checkEdit(edit, context: context) }
    }
  }

  /// `remove status` in a rule for many kinds is fine while some kind has the field; it is
  /// a typo only when no kind the rule matches has it.
  private func checkRemove(_ path: Path, kinds: [KindContext]) {
    var perKind: [[Diagnostic]] = []
    for context in kinds {
      var found: [Diagnostic] = []
      if SchemaPathResolver.resolve(path, in: context, diagnostics: &found) != nil { return }
      perKind.append(found)
    }
    for found in perKind { report(found) }
  }

  /// Checks that do not need a schema: regexes, YAML, patches, groups, label keys.
  private func checkKindIndependent(
    _ edit: Edit, useChain: [String], kinds: [KindContext], depth: Int
  ) {
    switch edit.form {
    case .set(let path, let value), .defaultValue(let path, let value):
      checkMetadataWrite(path: path, value: value)
      resolveLiterals(value)
    case .merge(let path, let value):
      checkMetadataWrite(path: path, value: value)
      resolveLiterals(value)
    case .append(_, let value, _, _):
      resolveLiterals(value)
    case .replace(_, let match, let replacement):
      if case .regex(let pattern) = match.form { checkRegex(pattern, at: match.range) }
      resolveLiterals(replacement)
    case .patch(let operations, _):
      resolveLiterals(operations)
      checkPatchEdit(operations, kinds: kinds)
    case .use(let name):
      guard let group = groups[name.text] else {
        report(
          CheckerMessages.unknownGroup(
            name, suggestion: closestMatch(to: name.text, in: Array(groups.keys).sorted())))
        return
      }
      if useChain.contains(name.text) {
        report(CheckerMessages.recursiveGroup(name, chain: useChain + [name.text]))
        return
      }
      guard depth < Parser.maximumNestingDepth else {
        report(CheckerMessages.groupsNestTooDeep(name, chain: useChain + [name.text]))
        return
      }
      checkBlock(group.body, kinds: kinds, useChain: useChain + [name.text], depth: depth + 1)
    case .when(let condition, let then, let otherwise):
      if kinds.isEmpty { checkConditionWithoutSchema(condition) }
      for context in kinds { checkCondition(condition, context: context) }
      guard depth < Parser.maximumNestingDepth else {
        report(CheckerMessages.blocksNestTooDeep(at: edit.keywordRange, chain: useChain))
        return
      }
      checkBlock(then, kinds: kinds, useChain: useChain, depth: depth + 1)
      if let otherwise {
        checkBlock(otherwise, kinds: kinds, useChain: useChain, depth: depth + 1)
      }
    case .strategicPatch(let value):
      resolveLiterals(value)
    case .image(_, let change):
      checkImageChange(change, at: edit)
    case .document(let path, let format, let body):
      if !path.components.allSatisfy({
        switch $0.form {
        case .field, .index: return true
        default: return false
        }
      }) {
        report(
          Diagnostic(
            .editNotApplicable,
            "`edit … as \(format.rawValue)` needs one string: a path of keys and list indices, without `*` or `[key: value]`",
            at: path.range))
      }
      guard depth < Parser.maximumNestingDepth else {
        report(CheckerMessages.blocksNestTooDeep(at: edit.keywordRange, chain: useChain))
        return
      }
      // The document has no schema: its edits get the checks that need none. Values and
      // conditions inside still read the source object.
      checkBlock(body, kinds: [], useChain: useChain, depth: depth + 1)
    case .remove, .drop, .dependencies:
      break
    }
  }

  private func checkEdit(_ edit: Edit, context: KindContext) {
    var found: [Diagnostic] = []
    defer { report(found) }
    switch edit.form {
    case .set(let path, let value), .defaultValue(let path, let value):
      guard let target = SchemaPathResolver.resolve(path, in: context, diagnostics: &found)
      else { return }
      checkValue(value, against: target, path: path.description, context: context)
    case .remove:
      break  // checked across all kinds at once, in checkRemove
    case .append(let path, let value, _, let atStart):
      guard let target = SchemaPathResolver.resolve(path, in: context, diagnostics: &found),
        case .node(let node) = target
      else { return }
      guard node.acceptsArray else {
        found.append(
          CheckerMessages.editNotApplicable(
            atStart ? "prepend" : "append", needs: "a list", path: path.description,
            found: node.typeDescription, at: path.range, kind: context.label))
        return
      }
      let element: Resolution = node.items.map { .node($0) } ?? .unchecked
      checkValue(value, against: element, path: path.description + "[]", context: context)
    case .merge(let path, let value):
      guard let target = SchemaPathResolver.resolve(path, in: context, diagnostics: &found)
      else { return }
      if case .node(let node) = target, !node.acceptsObject {
        found.append(
          CheckerMessages.editNotApplicable(
            "merge", needs: "a map", path: path.description, found: node.typeDescription,
            at: path.range, kind: context.label))
        return
      }
      checkValue(value, against: target, path: path.description, context: context, mode: .merge)
    case .replace(let paths, _, let replacement):
      for path in paths { requireString(at: path, for: "replace", context: context, into: &found) }
      let stringNode: Resolution = .unchecked
      checkValue(replacement, against: stringNode, path: "replacement", context: context)
      if let type = staticType(of: replacement, context: context), !type.contains(.string),
        type != .any
      {
        found.append(
          CheckerMessages.typeMismatch(
            "the replacement", expected: "a string", found: describe(type),
            at: replacement.range, kind: context.label))
      }
    case .dependencies:
      if !Self.hasPodTemplate(context) {
        found.append(
          CheckerMessages.editNotApplicable(
            "dependencies", needs: "a pod template (or an Ingress's TLS secrets)",
            path: "spec.template", found: "absent", at: edit.keywordRange, kind: context.label))
      }
    case .image(let paths, _):
      for path in paths {
        requireString(
          at: path, for: "image", needs: "a string (an image reference)", context: context,
          into: &found)
      }
    case .strategicPatch(let value):
      guard context.info.source.hasPrefix("built-in") else {
        found.append(
          Diagnostic(
            .editNotApplicable,
            "`patch strategic` needs a built-in kind's patch strategies, but \(context.label) is a custom resource, which has none",
            at: edit.keywordRange,
            help: "use `merge { … }` (lists are replaced) or `patch [ … ]`"))
        return
      }
      checkValue(
        value, against: .node(context.root), path: "the object", context: context,
        mode: .strategic)
    case .document(let path, let format, _):
      requireString(at: path, for: "edit … as \(format.rawValue)", context: context, into: &found)
    case .drop, .patch, .use, .when:
      break  // checked kind-independently (and per kind through the nested block)
    }
  }

  /// An edit that rewrites text at `path`: the schema must allow a string there (E0408).
  private func requireString(
    at path: Path, for edit: String, needs: String = "a string", context: KindContext,
    into found: inout [Diagnostic]
  ) {
    guard let target = SchemaPathResolver.resolve(path, in: context, diagnostics: &found),
      case .node(let node) = target, !node.acceptsString
    else { return }
    found.append(
      CheckerMessages.editNotApplicable(
        edit, needs: needs, path: path.description, found: node.typeDescription, at: path.range,
        kind: context.label))
  }

  /// Whether `dependencies` has something to follow in this kind: a pod template
  /// (workloads, Jobs, CronJobs, Pods, CRDs embedding one) or an Ingress's TLS secrets.
  static func hasPodTemplate(_ context: KindContext) -> Bool {
    if context.info.gvk.kind == "Pod" || context.info.gvk.kind == "Ingress" { return true }
    for fields in [
      ["spec", "template", "spec"], ["spec", "jobTemplate", "spec", "template", "spec"],
    ] {
      let range = SourceRange(fileID: 0, start: 0, end: 0)
      let path = Path(
        components: fields.map { PathComponent(.field($0), range: range) }, range: range)
      var ignored: [Diagnostic] = []
      if case .node? = SchemaPathResolver.resolve(path, in: context, diagnostics: &ignored) {
        return true
      }
    }
    return false
  }

  /// Parses `yaml` literals once and remembers their values.
  func resolveLiterals(_ expression: Expression) {
    switch expression.form {
    case .yaml(let text):
      guard yamlValues[expression.range] == nil else { return }
      do {
        yamlValues[expression.range] = try YAML.parse(text)
      } catch {
        report(CheckerMessages.invalidYAML(at: expression.range, reason: "\(error)"))
      }
    case .list(let items):
      for item in items { resolveLiterals(item) }
    case .map(let entries):
      for entry in entries { resolveLiterals(entry.value) }
    case .literal, .path, .interpolated:
      break
    }
  }

  /// The value of an expression that does not read the object, if it is one.
  func constantValue(_ expression: Expression) -> Value? {
    CheckedProgram.constantValue(expression, yaml: yamlValues)
  }

  /// Label keys and values, annotation keys: what the API server would reject.
  private func checkMetadataWrite(path: Path, value: Expression) {
    let fields = path.components
    func mapKind(endingAt index: Int) -> String? {
      guard index >= 1, case .field("metadata") = fields[index - 1].form,
        case .field(let name) = fields[index].form
      else { return nil }
      return name == "labels" ? "label" : name == "annotations" ? "annotation" : nil
    }
    let last = fields.count - 1
    if last >= 2, let map = mapKind(endingAt: last - 1), case .field(let key) = fields[last].form {
      checkMetadataEntry(
        key: key, keyRange: fields[last].range, value: value, map: map)
    } else if last >= 1, let map = mapKind(endingAt: last) {
      if case .map(let entries) = value.form {
        for entry in entries {
          checkMetadataEntry(key: entry.key, keyRange: entry.keyRange, value: entry.value, map: map)
        }
      }
    }
  }

  private func checkMetadataEntry(
    key: String, keyRange: SourceRange, value: Expression, map: String
  ) {
    if let problem = NameRules.qualifiedNameProblem(key) {
      report(CheckerMessages.invalidMetadataKey(key, at: keyRange, map: map, reason: problem))
    }
    if map == "label", case .literal(.string(let text)) = value.form,
      let problem = NameRules.labelValueProblem(text)
    {
      report(CheckerMessages.invalidLabelValueEdit(text, at: value.range, reason: problem))
    }
  }
}

extension CheckSession {
  /// An `image` edit's part and value: a constant must be a valid part of a reference, and
  /// every value a string.
  func checkImageChange(_ change: ImageEdit, at edit: Edit) {
    switch change {
    case .remove(.repository):
      report(
        Diagnostic(
          .editNotApplicable, "`image … remove repository` would leave no image name",
          at: edit.range, help: "set the repository instead"))
    case .append(.digest, _):
      report(
        Diagnostic(
          .editNotApplicable, "a digest is set or removed as a whole, not appended to",
          at: edit.range, help: "write `set digest = \"sha256:…\"`"))
    case .set(let part, let value), .append(let part, let value):
      resolveLiterals(value)
      switch value.form {
      case .literal(.string(let text)):
        if case .set = change, let problem = ImageReference.problem(with: text, as: part.rawValue) {
          report(CheckerMessages.constraintViolated(problem, at: value.range))
        }
      case .literal(let other):
        report(
          CheckerMessages.typeMismatch(
            "the image's \(part.rawValue)", expected: "a string", found: other.typeName,
            at: value.range, kind: "any kind"))
      case .list, .map, .yaml:
        report(
          CheckerMessages.typeMismatch(
            "the image's \(part.rawValue)", expected: "a string", found: "a list or map",
            at: value.range, kind: "any kind"))
      case .path, .interpolated:
        break
      }
    case .remove:
      break
    }
  }
}
