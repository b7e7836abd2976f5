//go:build !linux

package atomicfile

// exchange reports that this system cannot swap two directory entries in
// one step; WriteDir then uses two renames.
var exchange = func(a, b string) error { return errNoExchange }
