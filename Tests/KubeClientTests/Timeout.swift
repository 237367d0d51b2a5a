import Foundation
import Testing

/// Fails the test instead of hanging when `body` takes longer than `seconds`.
func withTimeout<T: Sendable>(
  _ seconds: Double = 20, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
  try await withThrowingTaskGroup(of: T?.self) { group in
    group.addTask { try await body() }
    group.addTask {
      try await Task.sleep(for: .seconds(seconds))
      return nil
    }
    defer { group.cancelAll() }
    guard let first = try await group.next(), let value = first else {
      Issue.record("timed out after \(seconds) s")
      throw CancellationError()
    }
    return value
  }
}

func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
