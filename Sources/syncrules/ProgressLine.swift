import Foundation
import SyncRuntime
import SyncValue
import Synchronization

/// The line `apply` keeps rewriting on a terminal's standard error while a large input
/// is read (bytes, objects, objects per second, failures), so that a long run shows it
/// is alive. It appears once 4 MB have been read, is redrawn every quarter second, and is
/// erased before anything else is written to standard error and when the run ends.
final class ProgressLine: Sendable {
  /// Below this, inputs are over before a line would help.
  static let threshold = 4 << 20

  private let progress: StreamProgress
  private let startedBytes: Int
  private let started = ContinuousClock.now
  /// Whether a line is on the screen; every write to standard error goes through it.
  private let shown = Mutex(false)
  private let stopped = Atomic<Bool>(false)

  init(progress: StreamProgress) {
    self.progress = progress
    startedBytes = inputBytesRead.load(ordering: .relaxed)
  }

  /// Redraws the line until ``stop()``, on a thread of its own.
  func start() {
    Thread.detachNewThread { [self] in
      while !stopped.load(ordering: .relaxed) {
        Thread.sleep(forTimeInterval: 0.25)
        guard !stopped.load(ordering: .relaxed) else { return }
        draw()
      }
    }
  }

  private func draw() {
    let bytes = inputBytesRead.load(ordering: .relaxed) - startedBytes
    guard bytes >= Self.threshold else { return }
    let elapsed = ContinuousClock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let line = StreamProgress.line(
      bytes: bytes, objects: progress.objects, failures: progress.failures, seconds: seconds)
    shown.withLock { isShown in
      guard !stopped.load(ordering: .relaxed) else { return }
      Terminal.write("\r" + line + "\u{1B}[K", to: 2)
      isShown = true
    }
  }

  /// Writes `text` to standard error, erasing the line first.
  func write(_ text: String) {
    shown.withLock { isShown in
      if isShown {
        Terminal.write("\r\u{1B}[K", to: 2)
        isShown = false
      }
      Terminal.write(text, to: 2)
    }
  }

  /// Stops redrawing and erases the line.
  func stop() {
    stopped.store(true, ordering: .relaxed)
    write("")
  }
}
