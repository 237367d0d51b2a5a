/// The candidate closest to `word`, for "did you mean" hints; nil when nothing is
/// close enough to be a plausible typo.
///
/// Distance is case-insensitive Damerau-Levenshtein (optimal string alignment:
/// insertions, deletions, substitutions and swaps of neighbours cost 1). A candidate
/// qualifies within roughly one edit per three characters of the longer word, so
/// `replcas` finds `replicas` but `foo` does not find `bar`. Ties go to the candidate
/// listed first.
public func closestMatch(to word: String, in candidates: [String]) -> String? {
  let target = Array(word.lowercased().unicodeScalars)
  guard !target.isEmpty else { return nil }
  var best: (candidate: String, distance: Int)?
  for candidate in candidates {
    let other = Array(candidate.lowercased().unicodeScalars)
    let limit = max(1, max(target.count, other.count) / 3)
    guard abs(other.count - target.count) <= limit else { continue }
    let distance = editDistance(target, other)
    guard distance <= limit, distance < (best?.distance ?? .max) else { continue }
    best = (candidate, distance)
  }
  return best?.candidate
}

/// Optimal-string-alignment distance between two scalar arrays.
func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  // Three rolling rows: the swap rule looks two rows back.
  var twoBack = [Int](repeating: 0, count: b.count + 1)
  var previous = Array(0...b.count)
  var current = [Int](repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      let cost = a[i - 1] == b[j - 1] ? 0 : 1
      var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
        value = min(value, twoBack[j - 2] + 1)
      }
      current[j] = value
    }
    (twoBack, previous, current) = (previous, current, twoBack)
  }
  return previous[b.count]
}
