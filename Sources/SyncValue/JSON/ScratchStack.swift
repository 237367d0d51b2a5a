/// A stack of values waiting to become a container's storage.
///
/// The scanner collects the children of the containers it is building here, then moves
/// them into an array of exactly the right size. Moving rather than copying out of an
/// `Array` avoids a retain per child for the copy and a release per child when the
/// stack shrinks again, and the exact size avoids regrowing the child array.
///
/// Not copyable: it owns its storage, which a copy would free twice.
struct ScratchStack<Element>: ~Copyable {
  private var base: UnsafeMutablePointer<Element>
  private var capacity: Int
  /// Elements on the stack.
  private(set) var count = 0

  init(capacity: Int = 256) {
    self.capacity = max(1, capacity)
    base = .allocate(capacity: self.capacity)
  }

  @inline(__always)
  mutating func push(_ element: __owned Element) {
    if count == capacity { grow() }
    (base + count).initialize(to: element)
    count &+= 1
  }

  /// The element at `index` (below ``count``).
  @inline(__always)
  subscript(index: Int) -> Element {
    base[index]
  }

  /// Replaces the element at `index` (below ``count``).
  @inline(__always)
  mutating func replace(at index: Int, with element: __owned Element) {
    base[index] = element
  }

  /// Drops the elements from index `first` up.
  @inline(__always)
  mutating func pop(to first: Int) {
    (base + first).deinitialize(count: count - first)
    count = first
  }

  /// Moves the elements from index `first` up into a new array, leaving `first` elements.
  @inline(__always)
  mutating func popArray(from first: Int) -> [Element] {
    let moved = count - first
    let source = base + first
    count = first
    // Not `Array(unsafeUninitializedCapacity:)`: that goes through an unspecialised
    // library entry point that looks up the storage class's metadata for every array
    // (docs/performance.md). `reserveCapacity` is specialised, and an append that only
    // moves is a compare and a store.
    var array: [Element] = []
    array.reserveCapacity(moved)
    for index in 0..<moved { array.append((source + index).move()) }
    return array
  }

  private mutating func grow() {
    let newCapacity = capacity * 2
    let grown = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
    grown.moveInitialize(from: base, count: count)
    base.deallocate()
    base = grown
    capacity = newCapacity
  }

  /// Destroys what is left (after an error), keeping the storage.
  mutating func removeAll() {
    base.deinitialize(count: count)
    count = 0
  }

  deinit {
    base.deinitialize(count: count)
    base.deallocate()
  }
}
