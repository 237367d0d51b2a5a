import Logging
import SyncValue

#if canImport(Glibc)
  import Glibc
#endif

/// A log handler writing one line per message to standard error, as text or JSON.
///
/// JSON lines carry `time`, `level`, `message` and every metadata key (`object`, `rule`,
/// `location` on failures), so log pipelines can filter by object or rule.
public struct LogOutput: LogHandler {
  public enum Format: String, Sendable, CaseIterable {
    case text
    case json
  }

  public var metadata: Logger.Metadata = [:]
  public var logLevel: Logger.Level
  let label: String
  let format: Format

  public init(label: String, format: Format, level: Logger.Level = .info) {
    self.label = label
    self.format = format
    self.logLevel = level
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  public func log(event: LogEvent) {
    var merged = metadata
    if let extra = event.metadata { merged.merge(extra) { $1 } }
    let time = Self.timestamp()
    var line: String
    switch format {
    case .text:
      line = "\(time) \(event.level.rawValue.uppercased()) \(event.message)"
      for key in merged.keys.sorted() { line += " \(key)=\(merged[key]!)" }
    case .json:
      line = "{\"time\":\(Self.quote(time)),\"level\":\(Self.quote(event.level.rawValue))"
      line += ",\"message\":\(Self.quote(event.message.description))"
      for key in merged.keys.sorted() {
        line += ",\(Self.quote(key)):\(Self.quote(merged[key]!.description))"
      }
      line += "}"
    }
    line += "\n"
    var bytes = Array(line.utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
  }

  /// A JSON string literal, written by the project's JSON writer.
  static func quote(_ text: String) -> String {
    JSON.serialize(.string(text))
  }

  /// RFC 3339 UTC with milliseconds.
  static func timestamp() -> String {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    var seconds = spec.tv_sec
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func pad(_ value: Int32, _ width: Int = 2) -> String {
      let text = String(value)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    let millis = pad(Int32(spec.tv_nsec / 1_000_000), 3)
    return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T"
      + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)).\(millis)Z"
  }
}
