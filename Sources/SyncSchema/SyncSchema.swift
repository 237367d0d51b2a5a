// SyncSchema
