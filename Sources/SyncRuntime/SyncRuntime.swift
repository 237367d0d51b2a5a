// SyncRuntime
