import Logging
import SyncValue

#if canImport(Glibc)
  import Glibc
#endif

/// A log handler writing one line per event to standard error, as text or JSON.
///
/// JSON lines are shaped like controller-runtime's zap output, so log pipelines built for
/// Kubernetes controllers read them unchanged: `level` (`debug`, `info`, `warn`, `error`,
/// `fatal`), `ts` (RFC 3339, UTC, milliseconds), `logger`, `msg`, then every metadata key
/// with its type kept (counts are numbers, flags booleans, nested metadata objects). A
/// message is one line in either format: line feeds inside it are escaped.
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
    var bytes = Array(
      line(level: event.level, message: event.message.description, metadata: merged).utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
  }

  /// One event as the line this handler writes, line feed included.
  public func line(
    level: Logger.Level, message: String, metadata: Logger.Metadata,
    time: String = LogOutput.timestamp()
  ) -> String {
    switch format {
    case .text:
      var line = "\(time) \(Self.zapLevel(level).uppercased()) \(Self.oneLine(message))"
      for key in metadata.keys.sorted() {
        line += " \(key)=\(Self.oneLine(metadata[key]!.description))"
      }
      return line + "\n"
    case .json:
      var line = "{\"level\":\(Self.quote(Self.zapLevel(level))),\"ts\":\(Self.quote(time))"
      line += ",\"logger\":\(Self.quote(label)),\"msg\":\(Self.quote(message))"
      for key in metadata.keys.sorted() {
        line += ",\(Self.quote(key)):\(JSON.serialize(Self.value(metadata[key]!)))"
      }
      return line + "}\n"
    }
  }

  /// zap's level names: swift-log's `notice` is `info`, `warning` is `warn`, `critical`
  /// (a fatal error, after which the process exits) is `fatal`.
  static func zapLevel(_ level: Logger.Level) -> String {
    switch level {
    case .trace, .debug: "debug"
    case .info, .notice: "info"
    case .warning: "warn"
    case .error: "error"
    case .critical: "fatal"
    }
  }

  /// A metadata value as JSON, its type kept: integers, doubles and booleans given as
  /// `.stringConvertible` stay numbers and booleans.
  static func value(_ metadata: Logger.MetadataValue) -> Value {
    switch metadata {
    case .string(let text): return .string(text)
    case .stringConvertible(let convertible):
      switch convertible {
      case let number as Int: return .int(Int64(number))
      case let number as Int64: return .int(number)
      case let number as Double where number.isFinite: return .double(number)
      case let flag as Bool: return .bool(flag)
      default: return .string(convertible.description)
      }
    case .array(let items): return .array(items.map(value))
    case .dictionary(let members):
      return .object(
        ObjectValue(
          members: members.keys.sorted().map { Member(key: $0, value: value(members[$0]!)) }))
    }
  }

  /// Text lines stay one per event: a line feed in a message shows as `\n`.
  static func oneLine(_ text: String) -> String {
    text.contains("\n") ? text.replacingOccurrences(of: "\n", with: "\\n") : text
  }

  /// A JSON string literal, written by the project's JSON writer.
  static func quote(_ text: String) -> String {
    JSON.serialize(.string(text))
  }

  /// Now, as RFC 3339 UTC with milliseconds.
  public static func timestamp() -> String {
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
