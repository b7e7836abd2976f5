package atomicfile

import "errors"

// errNoExchange: the system cannot swap two directory entries atomically.
var errNoExchange = errors.New("atomicfile: atomic exchange not supported")
