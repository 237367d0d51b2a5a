import SyncRuntime
import SyncValue

/// Renders drift as unified diffs of YAML, one per object: what `syncrules diff` prints.
public enum DriftText {
  /// - Parameter showingSecrets: print Secret values; otherwise they are masked as
  ///   `kubectl diff` masks them (``SecretMask``).
  public static func render(_ drift: [Drift], showingSecrets: Bool = false) -> String {
    func shown(_ before: Value?, _ after: Value?) -> (before: String, after: String) {
      let masked =
        showingSecrets
        ? (before: before, after: after) : SecretMask.masking(before: before, after: after)
      return (masked.before.map(YAML.serialize) ?? "", masked.after.map(YAML.serialize) ?? "")
    }
    var out = ""
    for entry in drift {
      switch entry {
      case .missing(let key, let desired):
        let text = shown(nil, desired)
        out += diff(old: text.before, new: text.after, key: key, oldName: "/dev/null")
      case .different(let key, let desired, let live):
        let text = shown(live, desired)
        out += diff(old: text.before, new: text.after, key: key)
      case .orphaned(let key, let live):
        let text = shown(live, nil)
        out += "# \(key) would be pruned: its source is gone or no longer selected\n"
        out += diff(old: text.before, new: text.after, key: key, newName: "/dev/null")
      }
    }
    return out
  }

  static func diff(
    old: String, new: String, key: ObjectKey, oldName: String? = nil, newName: String? = nil
  ) -> String {
    let bytes = LineDiff.unified(
      old: Array(old.utf8), new: Array(new.utf8),
      oldName: oldName ?? "target/\(key)", newName: newName ?? "desired/\(key)")
    return String(decoding: bytes, as: UTF8.self)
  }
}
