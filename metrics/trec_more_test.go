package metrics

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// testdata/trec_more holds trec_eval 10.0 outputs for gm_map, bpref and
// iprec_at_recall on the pairs of testdata/trec and testdata/trec_extra,
// with and without -c, -l and -M. See testdata/trec_more/run_more.sh.

// trecMorePair reads the qrels and run of a pair named in
// trec_more/status.txt, without the duplicate checks (trec_eval reads
// them the same way).
func trecMorePair(t *testing.T, name string) (Qrels, Run) {
	t.Helper()
	switch name {
	case "p1_edge", "p2_missing", "p3_bulk":
		dir := filepath.Join("testdata", "trec")
		return lenientQrels(t, filepath.Join(dir, name+".qrels")), lenientRun(t, filepath.Join(dir, name+".run"))
	}
	qrelsName, runPath := name, filepath.Join("testdata", "trec_extra", name+".run.gz")
	if name == "x1h" {
		qrelsName, runPath = "x1", filepath.Join("testdata", "trec_more", "x1h.run.gz")
	}
	qrels, err := ReadQrelsFile(filepath.Join("testdata", "trec_extra", qrelsName+".qrels.gz"))
	if err != nil {
		t.Fatal(err)
	}
	run, err := ReadRunFile(runPath, FormatTREC)
	if err != nil {
		t.Fatal(err)
	}
	return qrels, run
}

func TestTrecEvalMoreGoldens(t *testing.T) {
	dir := filepath.Join("testdata", "trec_more")
	status, err := os.ReadFile(filepath.Join(dir, "status.txt"))
	if err != nil {
		t.Fatal(err)
	}
	measures := map[bool][]Measure{ // by "tag is qcL"
		false: goldenMeasures(t, strings.Fields("-m map -m gm_map -m bpref -m iprec_at_recall -m num_rel -m num_ret")),
		true:  goldenMeasures(t, strings.Fields("-m gm_map -m bpref -m iprec_at_recall.0,.05,.125,.33,.5,1")),
	}
	var c goldenCount
	runs := 0
	for _, line := range strings.Split(strings.TrimSpace(string(status)), "\n") {
		spec, codes, _ := strings.Cut(line, ":")
		f := strings.Fields(spec)
		name, tag, flags := f[0], f[1], f[2:]
		opt := trecOptions(flags)
		qrels, run := trecMorePair(t, name)
		ms := measures[tag == "qcL"]
		res, err := Evaluate(qrels, run, ms, opt)
		if strings.TrimSpace(codes) != "0 0" {
			// trec_eval stops on a qrels topic missing from the run.
			if opt.Topics == TopicsComplete || err == nil {
				t.Errorf("%s %s: trec_eval failed (%s), Evaluate gave %v", name, tag, codes, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s %s: %v", name, tag, err)
		}
		runs++
		where := name + "." + tag
		official := readTrecEvalOutput(t, filepath.Join(dir, where+".txt.gz"))
		full := readTrecEvalOutput(t, filepath.Join(dir, where+".17g.txt.gz"))
		if len(official) != len(res.Topics)+1 {
			t.Errorf("%s: %d topics, trec_eval printed %d", where, len(res.Topics), len(official)-1)
		}
		for ti, topic := range append(res.Topics, "all") {
			vals := res.All
			if topic != "all" {
				vals = res.Values[ti]
			}
			for i, m := range ms {
				want, ok := official[topic][m.String()]
				if m.Kind == GMMAP && topic != "all" {
					// trec_eval prints gm_map in the summary only; per topic
					// it is the topic's map.
					if ok {
						t.Errorf("%s: trec_eval printed gm_map for topic %s", where, topic)
					}
					if j := indexOfKind(ms, MAP); j >= 0 && vals[i] != vals[j] {
						t.Errorf("%s %s: gm_map %v ≠ map %v", where, topic, vals[i], vals[j])
					}
					continue
				}
				if !ok {
					t.Fatalf("%s: trec_eval printed no %s %v", where, topic, m)
				}
				if topic == "all" && m.Kind == NumRel && opt.Topics == TopicsComplete && opt.level() != 1 {
					continue // trec_eval's count of grades > 0; see TestTrecEvalExtraGoldens
				}
				wantFull, err := strconv.ParseFloat(full[topic][m.String()], 64)
				if err != nil {
					t.Fatal(err)
				}
				checkValue(t, &c, where+" "+topic, m, m.IsCount(), vals[i], want, wantFull, true)
			}
		}
	}
	t.Logf("trec_eval gm_map/bpref/iprec_at_recall goldens: %d runs, %d values compared (official string and %%.17g), %d bit-identical", runs, c.full, c.bitIdentical)
	if runs < 30 || c.full < 10000 {
		t.Errorf("only %d runs and %d values compared", runs, c.full)
	}
}

func indexOfKind(ms []Measure, k MeasureKind) int {
	for i, m := range ms {
		if m.Kind == k {
			return i
		}
	}
	return -1
}
