// Package atomicfile writes files and directories atomically: a reader,
// or the next run after a crash, finds either the previous content or the
// complete new one, never a part. polyret writes its checkpoints, models,
// runs, qrels and datasets through it.
//
// # Method
//
// WriteFile writes a temporary file in the destination's directory (named
// ".<name>.tmp<random>", so directory listings and globs for the real
// files skip it), flushes, sets mode 0644, fsyncs it, renames it over the
// destination and fsyncs the directory. WriteDir builds a whole directory
// the same way: a temporary sibling ".<name>.tmp-<random>" that the caller
// fills, every file and directory of it fsynced, then put in place of the
// destination, on Linux by one renameat2(RENAME_EXCHANGE) with the previous
// directory, elsewhere by two renames (the previous directory moved aside,
// the new one moved in, the previous one restored if that fails). The old
// directory is removed once the new one is in place.
//
// # Errors and cleanup
//
// On any failure the temporary file or directory is removed and the
// destination is left as it was. The error of the caller's callback is
// returned unchanged, so errors.Is and errors.As see through it; other
// errors come from the os package and name the files involved. Callers add
// their own context ("metrics: write run.txt: ...").
//
// # Who imports it
//
// Packages under internal/ are leaf packages (kernels, file helpers): they
// import nothing of polyret's, so any polyret package may import them
// without breaking the layering of DESIGN.md (metrics, loss and model
// import none of each other). datasets, metrics, model/checkpoint and model
// share this one implementation.
//
// # Concurrency
//
// Concurrent writers of the same destination do not corrupt it: each
// writes its own temporary file or directory, and the destination ends up
// holding one complete version. Which one wins is unspecified.
package atomicfile
