import Synchronization

/// Counts of an `apply` run that another thread may read while it goes on: what a
/// progress line on a terminal shows. Processors add to it once per object.
public final class StreamProgress: Sendable {
  private let objectCount = Atomic<Int>(0)
  private let failureCount = Atomic<Int>(0)

  public init() {}

  /// Objects processed so far, of every input.
  public var objects: Int { objectCount.load(ordering: .relaxed) }
  /// Objects that failed, and malformed stretches of input, so far.
  public var failures: Int { failureCount.load(ordering: .relaxed) }

  func processed(failed: Bool) {
    objectCount.add(1, ordering: .relaxed)
    if failed { failureCount.add(1, ordering: .relaxed) }
  }

  func malformed() { failureCount.add(1, ordering: .relaxed) }
}

extension StreamProgress {
  /// The progress line: `12.3 MB read · 45,123 objects · 8,012 objects/s · 0 failed`.
  public static func line(bytes: Int, objects: Int, failures: Int, seconds: Double) -> String {
    let megabytes = Double(bytes) / 1_000_000
    let rate = seconds > 0 ? Int((Double(objects) / seconds).rounded()) : 0
    return "\(decimal(megabytes)) MB read · \(grouped(objects)) objects · "
      + "\(grouped(rate)) objects/s · \(grouped(failures)) failed"
  }

  /// `1234567` → `1,234,567`.
  static func grouped(_ number: Int) -> String {
    let digits = Array(String(abs(number)))
    var out = ""
    for (index, digit) in digits.enumerated() {
      if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
      out.append(digit)
    }
    return (number < 0 ? "-" : "") + out
  }

  /// One decimal: `12.3`.
  static func decimal(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
  }
}
