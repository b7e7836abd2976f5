// Package progress shows the progress of the examples' long steps.
//
// On a terminal it draws a bar (github.com/schollz/progressbar/v3) that
// redraws in place; anywhere else (CI logs, a file, a pipe) it writes a
// plain line when a stage starts, every Interval while it runs and when it
// ends, since a bar's carriage returns turn a log into one ever-growing
// line. golang.org/x/term decides which.
//
// A Progress implements the Recorder interfaces of packages datasets,
// model, loss and metrics (Record(stage, done, total) error), so one value
// serves them all. It is safe for concurrent use. Library packages never
// print; only examples import this package.
package progress
