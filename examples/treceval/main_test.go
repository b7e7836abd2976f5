package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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
		{[]string{"-m", "infAP", qrels, runf}, 1, "illegal measure"},
		{[]string{"-m", "iprec_at_recall.2", qrels, runf}, 1, "illegal measure"},
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

// TestMoreMatchesTrecEval runs treceval as run_more.sh ran trec_eval
// (../../metrics/testdata/trec_more): gm_map, bpref and iprec_at_recall
// with -q, -c, -l and -M, and the default measures (no -m), and compares
// stdout byte for byte.
func TestMoreMatchesTrecEval(t *testing.T) {
	dir := "../../metrics/testdata/trec_more"
	status, err := os.ReadFile(filepath.Join(dir, "status.txt"))
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	gunzip := func(src string) string {
		t.Helper()
		if !strings.HasSuffix(src, ".gz") {
			return src
		}
		dst := filepath.Join(tmp, strings.ReplaceAll(strings.TrimSuffix(src, ".gz"), "/", "_"))
		if _, err := os.Stat(dst); err == nil {
			return dst
		}
		b := readGzip(t, src)
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return dst
	}
	inputs := func(name string) (qrels, runFile string) {
		switch name {
		case "x1", "x2":
			return gunzip(filepath.Join(dir, "../trec_extra", name+".qrels.gz")), gunzip(filepath.Join(dir, "../trec_extra", name+".run.gz"))
		case "x1h":
			return gunzip(filepath.Join(dir, "../trec_extra/x1.qrels.gz")), gunzip(filepath.Join(dir, "x1h.run.gz"))
		}
		return filepath.Join(goldenDir, name+".qrels"), filepath.Join(goldenDir, name+".run")
	}
	measures := map[bool]string{
		false: "-m map -m gm_map -m bpref -m iprec_at_recall -m num_rel -m num_ret -m num_q",
		true:  "-m gm_map -m bpref -m iprec_at_recall.0,.05,.125,.33,.5,1 -m num_q",
	}
	compared := 0
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(status)), "\n") {
		spec, codes, _ := strings.Cut(line, ":")
		f := strings.Fields(spec)
		name, tag, flags := f[0], f[1], f[2:]
		qrels, runFile := inputs(name)
		if !seen[name] { // the default measure set, with -c, unnamed and named
			seen[name] = true
			want := readGzip(t, filepath.Join(dir, name+".default.txt.gz"))
			for _, args := range [][]string{{"-c", qrels, runFile}, {"-c", "-m", "official", qrels, runFile}} {
				var stdout, stderr bytes.Buffer
				if s := run(args, &stdout, &stderr); s != 0 {
					t.Fatalf("%s %q: exit status %d (%s)", name, args[:len(args)-2], s, stderr.String())
				}
				if stdout.String() != string(want) {
					t.Errorf("%s %q: output differs from trec_eval's default\n got:\n%s\nwant:\n%s", name, args[:len(args)-2], stdout.String(), want)
				}
				compared++
			}
		}
		args := append(append(append([]string(nil), flags...), strings.Fields(measures[tag == "qcL"])...), qrels, runFile)
		var stdout, stderr bytes.Buffer
		s := run(args, &stdout, &stderr)
		if strings.TrimSpace(codes) != "0 0" {
			if s != 4 {
				t.Errorf("%s %s: exit status %d, trec_eval's was 4", name, tag, s)
			}
			continue
		}
		if s != 0 {
			t.Fatalf("%s %s: exit status %d (%s)", name, tag, s, stderr.String())
		}
		got, want := stdout.String(), string(readGzip(t, filepath.Join(dir, name+"."+tag+".txt.gz")))
		if slices.Contains(flags, "-c") && slices.Contains(flags, "-l") {
			// The deliberate difference: trec_eval -c with -l ≠ 1 prints
			// the count of grades > 0 as its all num_rel.
			got, want = numRelAll.ReplaceAllString(got, ""), numRelAll.ReplaceAllString(want, "")
		}
		if got != want {
			t.Errorf("%s %s: stdout differs from trec_eval's\n got:\n%s\nwant:\n%s", name, tag, got, want)
		}
		compared++
	}
	if compared < 40 {
		t.Errorf("compared %d outputs", compared)
	}
}

var numRelAll = regexp.MustCompile(`(?m)^num_rel +\tall\t[0-9]+\n`)

func readGzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
