// SyncCompile
