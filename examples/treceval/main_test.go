package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The goldens are trec_eval 10.0's own stdout, stderr and exit status
// (../../metrics/testdata/trec, see its README).
const goldenDir = "../../metrics/testdata/trec"

func TestMatchesTrecEval(t *testing.T) {
	for _, name := range []string{"p1_edge", "p2_missing", "p3_bulk", "p4_dup", "p4_dup.nodup"} {
		b, err := os.ReadFile(filepath.Join(goldenDir, name+".trec_eval.json"))
		if err != nil {
			t.Fatal(err)
		}
		var g struct {
			Invocations map[string]struct {
				Argv       []string `json:"argv"`
				ExitStatus int      `json:"exit_status"`
				StdoutFile string   `json:"stdout_file"`
			} `json:"invocations"`
		}
		if err := json.Unmarshal(b, &g); err != nil {
			t.Fatal(err)
		}
		for inv, want := range g.Invocations {
			args := append([]string(nil), want.Argv[1:]...)
			n := len(args)
			args[n-2] = filepath.Join(goldenDir, args[n-2])
			args[n-1] = filepath.Join(goldenDir, args[n-1])
			var stdout, stderr bytes.Buffer
			status := run(args, &stdout, &stderr)
			if status != want.ExitStatus {
				t.Errorf("%s.%s: exit status %d, want %d (stderr %q)", name, inv, status, want.ExitStatus, stderr.String())
			}
			if want.ExitStatus != 0 && !strings.HasPrefix(stderr.String(), "treceval: ") {
				t.Errorf("%s.%s: stderr %q, want an error message", name, inv, stderr.String())
			}
			wantOut, err := os.ReadFile(filepath.Join(goldenDir, want.StdoutFile))
			if err != nil {
				t.Fatal(err)
			}
			if stdout.String() != string(wantOut) {
				t.Errorf("%s.%s: stdout differs from trec_eval's\n got:\n%s\nwant:\n%s", name, inv, stdout.String(), wantOut)
			}
		}
	}
}

func TestREADMECommand(t *testing.T) {
	// go run ./examples/treceval -q -m map -m ndcg_cut.10 metrics/testdata/trec/p1_edge.qrels metrics/testdata/trec/p1_edge.run
	var stdout, stderr bytes.Buffer
	status := run([]string{"-q", "-m", "map", "-m", "ndcg_cut.10",
		filepath.Join(goldenDir, "p1_edge.qrels"), filepath.Join(goldenDir, "p1_edge.run")}, &stdout, &stderr)
	if status != 0 {
		t.Fatalf("exit status %d: %s", status, stderr.String())
	}
	// Values from p1_edge.q.trec_eval.txt.
	for _, line := range []string{
		"map                   \tq1\t0.4634",
		"ndcg_cut_10           \t6\t0.6934",
		"map                   \tall\t0.2587",
	} {
		if !strings.Contains(stdout.String(), line+"\n") {
			t.Errorf("output lacks %q:\n%s", line, stdout.String())
		}
	}
}

func TestUsageErrors(t *testing.T) {
	qrels, runf := filepath.Join(goldenDir, "p1_edge.qrels"), filepath.Join(goldenDir, "p1_edge.run")
	for _, tc := range []struct {
		args   []string
		status int
		msg    string
	}{
		{[]string{qrels}, 1, "usage"},
		{[]string{"-m", "bpref", qrels, runf}, 1, "illegal measure"},
		{[]string{"-m", "P.5,5", qrels, runf}, 1, "duplicate"},
		{[]string{"-x", qrels, runf}, 1, "unknown flag"},
		{[]string{"-l", "x", qrels, runf}, 1, "-l"},
		{[]string{"-M", "0", qrels, runf}, 1, "-M"},
		{[]string{qrels, filepath.Join(goldenDir, "nonexistent.run")}, 2, "nonexistent"},
		{[]string{runf, qrels}, 2, "wrong number of fields"},
	} {
		var stdout, stderr bytes.Buffer
		if status := run(tc.args, &stdout, &stderr); status != tc.status || !strings.Contains(stderr.String(), tc.msg) {
			t.Errorf("treceval %q: status %d, stderr %q; want %d and %q", tc.args, status, stderr.String(), tc.status, tc.msg)
		}
	}
}

func TestCombinedFlags(t *testing.T) {
	qrels, runf := filepath.Join(goldenDir, "p2_missing.qrels"), filepath.Join(goldenDir, "p2_missing.run")
	var a, b, errs bytes.Buffer
	if s := run([]string{"-q", "-c", "-m", "map", "-l", "2", "-M", "3", qrels, runf}, &a, &errs); s != 0 {
		t.Fatal(errs.String())
	}
	if s := run([]string{"-qc", "-mmap", "-l2", "-M3", qrels, runf}, &b, &errs); s != 0 {
		t.Fatal(errs.String())
	}
	if a.String() != b.String() || a.Len() == 0 {
		t.Errorf("combined flags differ:\n%s\nvs\n%s", a.String(), b.String())
	}
}

func TestDeliberateDifferences(t *testing.T) {
	qrels, runf := filepath.Join(goldenDir, "p1_edge.qrels"), filepath.Join(goldenDir, "p1_edge.run")
	var out, errs bytes.Buffer
	if s := run([]string{"-m", "P.5", "-m", "P.10", "-m", "recip_rank.1", qrels, runf}, &out, &errs); s != 0 {
		t.Fatal(errs.String())
	}
	// P_5 and P_10 from p1_edge.q.trec_eval.txt; no topic has a relevant
	// document at rank 1 (P_1 is 0 everywhere), so MRR@1 is 0.
	want := "recip_rank_1          \tall\t0.0000\nP_5                   \tall\t0.2857\nP_10                  \tall\t0.1857\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}
