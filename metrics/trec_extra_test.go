package metrics

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// testdata/trec_extra holds trec_eval 10.0 outputs for what the shared
// goldens leave out: map_cut, ndcg without cut-off, -l, -M and rankings of
// up to 2,100 documents. See testdata/trec_extra/run_extra.sh.

// readTrecEvalOutput parses trec_eval's "measure\tqid\tvalue" lines, from
// a plain or gzipped (".gz") file.
func readTrecEvalOutput(t *testing.T, path string) map[string]map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	out := map[string]map[string]string{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 3 {
			t.Fatalf("%s: bad line %q", path, sc.Text())
		}
		name := strings.TrimSpace(fields[0])
		if out[fields[1]] == nil {
			out[fields[1]] = map[string]string{}
		}
		out[fields[1]][name] = fields[2]
	}
	return out
}

func TestTrecEvalExtraGoldens(t *testing.T) {
	dir := filepath.Join("testdata", "trec_extra")
	status, err := os.ReadFile(filepath.Join(dir, "status.txt"))
	if err != nil {
		t.Fatal(err)
	}
	ms := goldenMeasures(t, strings.Fields("-m map -m map_cut.5,10,100,1000 -m ndcg -m ndcg_cut.5,10,1000 -m recip_rank -m P.5,10,2000 -m recall.5,1000 -m Rprec -m success.1,5 -m num_rel -m num_rel_ret -m num_ret"))
	var c goldenCount
	for _, line := range strings.Split(strings.TrimSpace(string(status)), "\n") {
		spec, codes, _ := strings.Cut(line, ":")
		if strings.TrimSpace(codes) != "0 0" {
			t.Fatalf("unexpected trec_eval status in %q", line)
		}
		f := strings.Fields(spec)
		name, tag, flags := f[0], f[1], f[2:]
		opt := trecOptions(flags)
		qrels, err := ReadQrelsFile(filepath.Join(dir, name+".qrels.gz"))
		if err != nil {
			t.Fatal(err)
		}
		run, err := ReadRunFile(filepath.Join(dir, name+".run.gz"), FormatTREC)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Evaluate(qrels, run, ms, opt)
		if err != nil {
			t.Fatal(err)
		}
		official := readTrecEvalOutput(t, filepath.Join(dir, name+"."+tag+".txt"))
		full := readTrecEvalOutput(t, filepath.Join(dir, name+"."+tag+".17g.txt"))
		where := name + "." + tag
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
				if !ok {
					t.Fatalf("%s: trec_eval printed no %s %v", where, topic, m)
				}
				wantFull, err := strconv.ParseFloat(full[topic][m.String()], 64)
				if err != nil {
					t.Fatal(err)
				}
				if topic == "all" && m.Kind == NumRel && opt.Topics == TopicsComplete && opt.level() != 1 {
					// trec_eval -c sums "grade > 0" over the qrels for this
					// line whatever -l says; metrics sums the per-topic R.
					if n := countPositive(qrels); float64(n) != wantFull {
						t.Errorf("%s: trec_eval's all num_rel %v, want the count of grades > 0, %d", where, wantFull, n)
					}
					sum := 0.0
					for t := range res.Topics {
						sum += res.Values[t][i]
					}
					if vals[i] != sum {
						t.Errorf("%s: all num_rel = %v, want the per-topic sum %v", where, vals[i], sum)
					}
					continue
				}
				checkValue(t, &c, where+" "+topic, m, m.IsCount(), vals[i], want, wantFull, true)
			}
		}
		if got, want := fmt.Sprint(len(res.Topics)), official["all"]["num_q"]; got != want {
			t.Errorf("%s: num_q %s, want %s", where, got, want)
		}
	}
	t.Logf("trec_eval extra goldens: %d values compared (official string and %%.17g), %d bit-identical", c.full, c.bitIdentical)
	if c.full < 6000 {
		t.Errorf("only %d values compared", c.full)
	}
}

// trecOptions returns the Options of trec_eval flags -c, -l N and -M N.
func trecOptions(flags []string) Options {
	var opt Options
	for i := 0; i < len(flags); i++ {
		switch flags[i] {
		case "-c":
			opt.Topics = TopicsComplete
		case "-l":
			i++
			opt.RelevanceLevel, _ = strconv.Atoi(flags[i])
			if opt.RelevanceLevel == 0 {
				opt.RelevanceLevel = -1 // Options: negative selects level 0
			}
		case "-M":
			i++
			opt.MaxDocs, _ = strconv.Atoi(flags[i])
		}
	}
	return opt
}

func countPositive(q Qrels) int {
	n := 0
	for _, docs := range q {
		for _, g := range docs {
			if g > 0 {
				n++
			}
		}
	}
	return n
}
