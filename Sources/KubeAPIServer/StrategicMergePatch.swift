import KubeModel
import SyncSchema
import SyncValue

extension StrategicMergePatch {
  /// `patch` applied to `original`, an object of the kind `schema` describes; a patch the
  /// server cannot apply is a 400.
  static func apply(_ patch: Value, to original: Value, schema: SchemaNode?) throws(APIStatus)
    -> Value
  {
    do {
      return try apply(patch, to: original, strategies: schema)
    } catch {
      throw .badRequest(error.message)
    }
  }
}
