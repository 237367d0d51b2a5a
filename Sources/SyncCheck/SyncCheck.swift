// SyncCheck
