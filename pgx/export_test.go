package pgx

// StdlibRuns reports how many loads ran natively under pgx's stdlib driver.
func StdlibRuns() int64 { return stdlibRuns.Load() }
