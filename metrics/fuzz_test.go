package metrics

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Fuzz tests: no input makes a reader panic, hang or allocate beyond the
// input's size plus MaxLineBytes; whatever a reader accepts, the writer
// writes and the reader reads back to the same data (as encoding/csv's
// fuzz test does). Seeds: the golden files and the edge cases below.

func addSeeds(f *testing.F, ext string, extra ...string) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "trec", "*."+ext))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	for _, s := range extra {
		f.Add(s)
	}
}

func FuzzReadQrels(f *testing.F) {
	addSeeds(f, "qrels", "", "#\n#\n", "q 0 d 1", "q 0 d 1\nq 0 d 2\n", "q 0 d -9223372036854775808\n",
		"q 0 d 99999999999999999999\n", "\x00 0 \xff 1\r\n", "q\v0\fd\t1\n", "q 0 d 1 2\n")
	f.Fuzz(func(t *testing.T, in string) {
		q, err := ReadQrels(strings.NewReader(in), "fuzz")
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := WriteQrels(&buf, q); err != nil {
			t.Fatalf("WriteQrels of read qrels: %v", err)
		}
		back, err := ReadQrels(&buf, "written")
		if err != nil {
			t.Fatalf("reading written qrels: %v\n%s", err, buf.String())
		}
		if !qrelsEqual(q, back) {
			t.Fatalf("round trip changed qrels: %v → %v", q, back)
		}
	})
}

func fuzzRun(f *testing.F, format RunFormat) {
	f.Fuzz(func(t *testing.T, in string) {
		run, err := ReadRun(strings.NewReader(in), "fuzz", format)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		for topic, docs := range run {
			for _, d := range docs {
				if math.IsNaN(d.Score) {
					t.Fatalf("topic %q doc %q: NaN score accepted", topic, d.ID)
				}
			}
		}
		var buf bytes.Buffer
		if err := WriteRun(&buf, run, format, ""); err != nil {
			t.Fatalf("WriteRun of a read run: %v", err)
		}
		back, err := ReadRun(&buf, "written", format)
		if err != nil {
			t.Fatalf("reading a written run: %v\n%s", err, buf.String())
		}
		if len(back) != len(run) {
			t.Fatalf("round trip: %d topics, want %d", len(back), len(run))
		}
		for topic, docs := range run {
			want := append([]ScoredDoc(nil), docs...)
			SortDocs(want)
			got := back[topic]
			if len(got) != len(want) {
				t.Fatalf("round trip: topic %q has %d docs, want %d", topic, len(got), len(want))
			}
			for i := range want {
				if got[i].ID != want[i].ID {
					t.Fatalf("round trip: topic %q rank %d is %q, want %q", topic, i+1, got[i].ID, want[i].ID)
				}
				if format != FormatMSMARCO && math.Float64bits(got[i].Score) != math.Float64bits(want[i].Score) {
					t.Fatalf("round trip: topic %q doc %q score %v, want %v", topic, got[i].ID, got[i].Score, want[i].Score)
				}
			}
		}
	})
}

func FuzzReadRunTREC(f *testing.F) {
	addSeeds(f, "run", "q Q0 d 1 1e400 t\n", "q Q0 d 1 -0x1.8p1 t\n", "q Q0 d 1 4.9e-324 t\nq Q0 e 1 5e-324 t\n",
		"q Q0 d 1 0.5 t\nq Q0 d 2 0.5 t\n", "q Q0 d 1 inf t\n", "q Q0 d 1 1_0 t\n", "#\n \t\n")
	fuzzRun(f, FormatTREC)
}

func FuzzReadRunThreeColumn(f *testing.F) {
	for _, s := range []string{"q d 0.5\n", "q d 1\nq e 1\n", "1 2 3\n1 3 3.0000000000000004\n", "q d +Inf\r\n", "q d 1 x\n"} {
		f.Add(s)
	}
	fuzzRun(f, FormatThreeColumn)
}

func FuzzReadRunMSMARCO(f *testing.F) {
	for _, s := range []string{"1\t7\t1\n1\t8\t2\n", "1\t7\t1\n1\t8\t1\n", "1\t7\t0\n", "1\t7\t9223372036854775807\n", "1 7 1\n"} {
		f.Add(s)
	}
	fuzzRun(f, FormatMSMARCO)
}

func FuzzParseMeasure(f *testing.F) {
	for _, s := range []string{"map", "P.5,10", "ndcg_cut", "recip_rank.10", "P.", "P.,", "P.0", "P.5,5", "success.1,2,3", "x",
		"iprec_at_recall", "iprec_at_recall.0,.5,1", "iprec_at_recall.1e-1", "iprec_at_recall.0x1p-1", "gm_map", "bpref"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		ms, err := ParseMeasure(spec)
		if err != nil {
			return
		}
		for _, m := range ms {
			m.check() // panics on an invalid measure
			if (m.Cutoff > 0 || m.Kind == IPrecAtRecall) && !strings.Contains(m.String(), "_") {
				t.Fatalf("%q: %v has a parameter but name %q", spec, m, m.String())
			}
		}
	})
}
