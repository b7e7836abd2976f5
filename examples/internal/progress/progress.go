package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// DefaultInterval is the time between two log lines when the output is not
// a terminal.
const DefaultInterval = 5 * time.Second

// A Progress reports stages of work to a writer. A stage begins at the
// first Record call with its name and ends at the next call with another
// name, or at Done. The zero value is not usable; call New.
type Progress struct {
	// Interval is the time between log lines when the writer is not a
	// terminal; 0 means DefaultInterval. Set it before the first Record.
	Interval time.Duration

	mu       sync.Mutex
	w        io.Writer
	tty      bool
	stage    string
	note     string
	done     int
	total    int
	start    time.Time
	lastLine time.Time
	bar      *progressbar.ProgressBar
}

// New returns a Progress writing to w, drawing bars if w is a terminal. A
// nil w gives a Progress that prints nothing.
func New(w io.Writer) *Progress {
	p := &Progress{w: w}
	if f, ok := w.(*os.File); ok && f != nil {
		p.tty = term.IsTerminal(int(f.Fd()))
	}
	return p
}

// Record reports that done of total units of stage are finished; total 0
// means unknown. It never returns an error.
func (p *Progress) Record(stage string, done, total int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.w == nil {
		return nil
	}
	now := time.Now()
	if stage != p.stage || p.start.IsZero() {
		p.finishLocked(now)
		p.stage, p.done, p.total, p.start, p.note = stage, done, total, now, ""
		if p.tty {
			p.bar = newBar(p.w, stage, total)
		} else {
			p.lastLine = now
			p.lineLocked(now, "")
		}
	}
	p.done, p.total = done, total
	if p.tty {
		if total > 0 && p.bar.GetMax() != total {
			p.bar.ChangeMax(total)
		}
		p.bar.Set(done)
		return nil
	}
	interval := p.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	if now.Sub(p.lastLine) >= interval {
		p.lastLine = now
		p.lineLocked(now, "")
	}
	return nil
}

// Note sets a short text shown with the current stage, such as the last
// loss; it is cleared when the stage changes.
func (p *Progress) Note(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.note = fmt.Sprintf(format, args...)
	if p.bar != nil {
		p.bar.Describe(p.stage + " " + p.note)
	}
}

// Done ends the current stage: it completes the bar, or writes the final
// log line with the elapsed time.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finishLocked(time.Now())
	p.stage, p.start = "", time.Time{}
}

func (p *Progress) finishLocked(now time.Time) {
	if p.start.IsZero() || p.w == nil {
		return
	}
	if p.tty {
		p.bar.Finish()
		fmt.Fprintln(p.w)
		p.bar = nil
		return
	}
	p.lineLocked(now, " done")
}

// lineLocked writes "stage: done/total (pct%) note, elapsed".
func (p *Progress) lineLocked(now time.Time, suffix string) {
	s := fmt.Sprintf("%s: %d", p.stage, p.done)
	if p.total > 0 {
		s += fmt.Sprintf("/%d (%.0f%%)", p.total, 100*float64(p.done)/float64(p.total))
	}
	if p.note != "" {
		s += " " + p.note
	}
	fmt.Fprintf(p.w, "%s%s, %s\n", s, suffix, now.Sub(p.start).Round(100*time.Millisecond))
}

func newBar(w io.Writer, stage string, total int) *progressbar.ProgressBar {
	max := total
	if max <= 0 {
		max = -1 // spinner
	}
	return progressbar.NewOptions(max,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(stage),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetRenderBlankState(true),
	)
}
