package pgx

import "time"

// StdlibRuns reports how many loads ran natively under pgx's stdlib driver.
func StdlibRuns() int64 { return stdlibRuns.Load() }

// SetRoundTrip sets the measured round trip (the estimate the next measurements start
// from) and returns the one before.
func SetRoundTrip(d time.Duration) time.Duration {
	return time.Duration(rtt.Swap(int64(d)))
}

// RoundTrip is the measured round trip.
func RoundTrip() time.Duration { return time.Duration(rtt.Load()) }
