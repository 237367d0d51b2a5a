import Foundation
import Prometheus
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// The `process_*` metrics every Prometheus client library exports (CPU, memory, file
/// descriptors, start time), read from `/proc/self` each time `/metrics` is scraped, so
/// that the dashboards and alerts written for any Kubernetes controller work here too.
final class ProcessMetrics: Sendable {
  /// CPU seconds already added to the counter, which only goes up by increments.
  private let countedCPU = Mutex<Double>(0)

  /// What `/proc/self` says now; nil fields where it cannot be read (not Linux).
  struct Sample: Equatable {
    var cpuSeconds: Double?
    var residentBytes: Double?
    var virtualBytes: Double?
    var startTimeSeconds: Double?
    var openFileDescriptors: Double?
    var maximumFileDescriptors: Double?
  }

  /// Sets every `process_*` metric in `registry` to its current value.
  func update(_ registry: PrometheusCollectorRegistry) {
    let sample = Self.sample()
    if let cpu = sample.cpuSeconds {
      let increment = countedCPU.withLock { counted -> Double in
        let delta = max(0, cpu - counted)
        counted += delta
        return delta
      }
      registry.makeCounter(
        name: "process_cpu_seconds_total",
        help: "Total user and system CPU time spent in seconds."
      ).increment(by: increment)
    }
    let gauges: [(String, String, Double?)] = [
      ("process_resident_memory_bytes", "Resident memory size in bytes.", sample.residentBytes),
      ("process_virtual_memory_bytes", "Virtual memory size in bytes.", sample.virtualBytes),
      (
        "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
        sample.startTimeSeconds
      ),
      ("process_open_fds", "Number of open file descriptors.", sample.openFileDescriptors),
      (
        "process_max_fds", "Maximum number of open file descriptors.", sample.maximumFileDescriptors
      ),
    ]
    for (name, help, value) in gauges {
      guard let value else { continue }
      registry.makeGauge(name: name, help: help).set(value)
    }
  }

  /// Reads `/proc/self/stat`, `/proc/stat`, `/proc/self/fd` and the descriptor limit.
  static func sample() -> Sample {
    var sample = Sample()
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
    if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
      let fields = statFields(stat), ticks > 0
    {
      // Fields after the command name, numbered as in proc(5) from 3 (state).
      func field(_ number: Int) -> Double? {
        let index = number - 3
        return index < fields.count ? Double(fields[index]) : nil
      }
      if let user = field(14), let system = field(15) {
        sample.cpuSeconds = (user + system) / ticks
      }
      sample.virtualBytes = field(23)
      sample.residentBytes = field(24).map { $0 * pageSize }
      if let started = field(22), let boot = bootTime() {
        sample.startTimeSeconds = boot + started / ticks
      }
    }
    if let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
      sample.openFileDescriptors = Double(descriptors.count)
    }
    var limit = rlimit()
    if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
      sample.maximumFileDescriptors = Double(limit.rlim_cur)
    }
    return sample
  }

  /// The fields of `/proc/self/stat` after `(command name)`, which may hold spaces and
  /// parentheses itself: the last `)` ends it.
  static func statFields(_ stat: String) -> [Substring]? {
    guard let close = stat.lastIndex(of: ")") else { return nil }
    return stat[stat.index(after: close)...].split(separator: " ")
  }

  /// Seconds since the epoch at which the machine booted (`btime` in `/proc/stat`).
  private static func bootTime() -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
      return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
    }
    return nil
  }
}
