import SyncValue

/// How one object came out of a run, as the report counts it.
public enum Disposition: String, Sendable, CaseIterable {
  case rewritten
  case dropped
  case skipped
  case unmatched
  case failed

  public init(_ outcome: Outcome) {
    switch outcome {
    case .rewritten: self = .rewritten
    case .dropped: self = .dropped
    case .skipped: self = .skipped
    case .unmatched: self = .unmatched
    case .failed: self = .failed
    }
  }
}

/// What `apply` did, counted per apiVersion and kind: the summary operators read after a
/// run (requirement 4 of the product brief: how many were synced and how many were not).
///
/// Memory grows with the number of distinct kinds, never with the number of objects.
public struct ApplyReport: Sendable, Equatable {
  /// Counts of one kind, or of everything.
  public struct Counts: Sendable, Equatable {
    public var rewritten = 0
    public var dropped = 0
    public var skipped = 0
    public var unmatched = 0
    public var failed = 0

    public init() {}

    public var total: Int { rewritten + dropped + skipped + unmatched + failed }

    public subscript(disposition: Disposition) -> Int {
      get {
        switch disposition {
        case .rewritten: return rewritten
        case .dropped: return dropped
        case .skipped: return skipped
        case .unmatched: return unmatched
        case .failed: return failed
        }
      }
      set {
        switch disposition {
        case .rewritten: rewritten = newValue
        case .dropped: dropped = newValue
        case .skipped: skipped = newValue
        case .unmatched: unmatched = newValue
        case .failed: failed = newValue
        }
      }
    }
  }

  /// The counts of one apiVersion and kind; both are empty for input that was not a
  /// Kubernetes object.
  public struct Row: Sendable, Equatable {
    public var apiVersion: String
    public var kind: String
    public var counts: Counts

    /// `apps/v1/Deployment`, or `(not an object)`.
    public var label: String {
      kind.isEmpty ? "(not an object)" : apiVersion.isEmpty ? kind : "\(apiVersion)/\(kind)"
    }
  }

  private var rowIndex: [String: Int] = [:]
  /// Rows in the order their kinds were first seen.
  public private(set) var rows: [Row] = []
  public private(set) var total = Counts()

  public init() {}

  /// Counts one object.
  public mutating func record(apiVersion: String, kind: String, _ disposition: Disposition) {
    let index = indexOfRow(apiVersion: apiVersion, kind: kind)
    rows[index].counts[disposition] += 1
    total[disposition] += 1
  }

  /// Adds the counts of `other`; kinds new to this report come after its own, in the
  /// order `other` saw them.
  public mutating func merge(_ other: ApplyReport) {
    for row in other.rows {
      let index = indexOfRow(apiVersion: row.apiVersion, kind: row.kind)
      for disposition in Disposition.allCases {
        rows[index].counts[disposition] += row.counts[disposition]
        total[disposition] += row.counts[disposition]
      }
    }
  }

  /// The index of the row of a kind, added when new.
  private mutating func indexOfRow(apiVersion: String, kind: String) -> Int {
    let key = apiVersion + "\u{0}" + kind
    if let known = rowIndex[key] { return known }
    rowIndex[key] = rows.count
    rows.append(Row(apiVersion: apiVersion, kind: kind, counts: Counts()))
    return rows.count - 1
  }

  /// Counts `object` under its own apiVersion and kind.
  public mutating func record(_ object: Value, _ disposition: Disposition) {
    record(
      apiVersion: object["apiVersion"]?.stringValue ?? "", kind: object["kind"]?.stringValue ?? "",
      disposition)
  }

  /// Rows sorted by label, so that reports of the same input compare equal.
  public var sortedRows: [Row] {
    rows.sorted { $0.label < $1.label }
  }

  /// A table for people, one line per kind and a total line:
  ///
  ///     KIND                REWRITTEN  DROPPED  SKIPPED  UNMATCHED  FAILED
  ///     apps/v1/Deployment          3        0        1          0       0
  ///     total                       3        0        1          0       0
  public func renderText() -> String {
    let headers = ["KIND"] + Disposition.allCases.map { $0.rawValue.uppercased() }
    var table = sortedRows.map { row in
      [row.label] + Disposition.allCases.map { String(row.counts[$0]) }
    }
    table.append(["total"] + Disposition.allCases.map { String(total[$0]) })
    var widths = headers.map(\.count)
    for line in table {
      for (column, cell) in line.enumerated() { widths[column] = max(widths[column], cell.count) }
    }
    func format(_ cells: [String]) -> String {
      var text = ""
      for (column, cell) in cells.enumerated() {
        let padding = String(repeating: " ", count: widths[column] - cell.count)
        if column == 0 {
          text += cell + padding
        } else {
          text += "  " + padding + cell
        }
      }
      return text + "\n"
    }
    return format(headers) + table.map(format).joined()
  }

  /// One line of JSON for machines:
  /// `{"kinds":[{"apiVersion":"apps/v1","kind":"Deployment","rewritten":3,…}],"total":{…}}`.
  public func renderJSON() -> String {
    func counts(_ counts: Counts) -> [Member] {
      Disposition.allCases.map { Member(key: $0.rawValue, value: .int(Int64(counts[$0]))) }
    }
    let kinds = sortedRows.map { row in
      Value.object(
        ObjectValue(
          members: [
            Member(key: "apiVersion", value: .string(row.apiVersion)),
            Member(key: "kind", value: .string(row.kind)),
          ] + counts(row.counts)))
    }
    let report = Value.object(
      ObjectValue(members: [
        Member(key: "kinds", value: .array(kinds)),
        Member(key: "total", value: .object(ObjectValue(members: counts(total)))),
      ]))
    return JSON.serialize(report) + "\n"
  }
}
