import SyncValue

/// The strategic-merge-patch strategies of one kind, taken from its schema when the rules
/// are compiled and pruned to the fields that have some (or have some below them): the
/// runtime applies `patch strategic` without the schemas.
public final class PatchStrategyTree: PatchStrategies, Sendable {
  public let fields: [String: PatchStrategyTree]
  /// The strategies of every value of a map with free keys (`additionalProperties`).
  public let anyField: PatchStrategyTree?
  public let itemTree: PatchStrategyTree?
  public let mergesList: Bool
  public let replacesWhole: Bool
  public let patchMergeKey: String?

  public init(
    fields: [String: PatchStrategyTree] = [:], anyField: PatchStrategyTree? = nil,
    items: PatchStrategyTree? = nil, mergesList: Bool = false, replacesWhole: Bool = false,
    patchMergeKey: String? = nil
  ) {
    self.fields = fields
    self.anyField = anyField
    self.itemTree = items
    self.mergesList = mergesList
    self.replacesWhole = replacesWhole
    self.patchMergeKey = patchMergeKey
  }

  /// A tree with no strategies anywhere: every list of the kind is replaced.
  public static let none = PatchStrategyTree()

  public var isEmpty: Bool {
    fields.isEmpty && anyField == nil && itemTree == nil && !mergesList && !replacesWhole
      && patchMergeKey == nil
  }

  public func child(_ key: String) -> PatchStrategyTree? { fields[key] ?? anyField }

  public var items: PatchStrategyTree? { itemTree }
}
