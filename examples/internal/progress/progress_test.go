package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLogLines(t *testing.T) {
	var buf bytes.Buffer
	p := New(&buf)
	if p.tty {
		t.Fatal("a bytes.Buffer is not a terminal")
	}
	p.Interval = time.Hour
	p.Record("encode", 0, 10)
	p.Record("encode", 5, 10) // within the interval: no line
	p.Note("loss %.2f", 1.5)
	p.Record("encode", 10, 10)
	p.Record("search", 3, 0) // a new stage ends the previous one
	p.Done()
	p.Done() // no stage: nothing
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	want := []string{
		"encode: 0/10 (0%), ",
		"encode: 10/10 (100%) loss 1.50 done, ",
		"search: 3, ",
		"search: 3 done, ",
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines %q, want %d", len(lines), lines, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], w)
		}
	}
}

func TestInterval(t *testing.T) {
	var buf bytes.Buffer
	p := New(&buf)
	p.Interval = time.Nanosecond
	for i := range 3 {
		p.Record("train", i+1, 3)
		time.Sleep(time.Millisecond)
	}
	if got := strings.Count(buf.String(), "\n"); got != 3 {
		t.Errorf("got %d lines, want 3 (one per call past the interval):\n%s", got, buf.String())
	}
}

func TestNilWriter(t *testing.T) {
	p := New(nil)
	if err := p.Record("x", 1, 2); err != nil {
		t.Fatal(err)
	}
	p.Note("n")
	p.Done()
}

func TestConcurrent(t *testing.T) {
	var buf bytes.Buffer
	p := New(&buf)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 100 {
				p.Record("search", w*100+i, 400)
			}
		})
	}
	wg.Wait()
	p.Done()
	if !strings.Contains(buf.String(), "done") {
		t.Errorf("no final line:\n%s", buf.String())
	}
}

func TestBar(t *testing.T) {
	var buf bytes.Buffer
	p := New(&buf)
	p.tty = true // as if buf were a terminal
	p.Record("train", 0, 4)
	p.Note("loss %.1f", 2.0)
	p.Record("train", 4, 4)
	p.Done()
	out := buf.String()
	if !strings.Contains(out, "train loss 2.0") || !strings.Contains(out, "4/4") {
		t.Errorf("bar output lacks the stage, note or count:\n%q", out)
	}
}
