package checkpoint

import "unsafe"

// unsafeDataPointer returns the address of b's first byte.
func unsafeDataPointer(b []byte) unsafe.Pointer { return unsafe.Pointer(&b[0]) }
