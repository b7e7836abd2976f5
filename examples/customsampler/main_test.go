package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/polyret/polyret/sampler/samplertest"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := run(&out, 1000, 500, 1); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 12 || !strings.Contains(lines[11], "the next 20 batches are identical") {
		t.Fatalf("output:\n%s", out.String())
	}
	// α falls from 1 to 0.5 over the first half, then the monolingual
	// share stays near 50%.
	var first, last float64
	fmt.Sscanf(lines[1][strings.LastIndex(lines[1], " ")+1:], "%f%%", &first)
	fmt.Sscanf(lines[10][strings.LastIndex(lines[10], " ")+1:], "%f%%", &last)
	if first < 85 || last < 30 || last > 70 || !strings.Contains(lines[10], "0.50") {
		t.Errorf("monolingual share %v%% at the start, %v%% at the end; output:\n%s", first, last, out.String())
	}
}

func TestAnnealedContract(t *testing.T) {
	s, err := NewAnnealed(toyData(200), 20, 100, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := samplertest.Check(s); err != nil {
		t.Error(err)
	}
}
