package metrics

import (
	"bytes"
	"compress/gzip"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadQrelsErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		err      error
		line     int
	}{
		{"three fields", "q1 0 d1 1\nq1 0 d2\n", ErrFieldCount, 2},
		{"five fields", "q1 0 d1 1 x\n", ErrFieldCount, 1},
		{"float grade", "# c\n\nq1 0 d1 1.5\n", ErrBadGrade, 3},
		{"word grade", "q1 0 d1 rel\n", ErrBadGrade, 1},
		{"empty fraction", "q1 0 d1 1.\n", ErrBadGrade, 1},
		{"fraction without integer", "q1 0 d1 .0\n", ErrBadGrade, 1},
		{"two points", "q1 0 d1 1.0.0\n", ErrBadGrade, 1},
		{"duplicate", "q1 0 d1 1\nq2 0 d1 1\nq1 Q0 d1 0\n", ErrDuplicateDoc, 3},
		{"long line", "q1 0 d1 1\nq1 0 " + strings.Repeat("d", MaxLineBytes) + " 1\n", ErrLineTooLong, 2},
	} {
		_, err := ReadQrels(strings.NewReader(tc.in), "x.qrels")
		pe, ok := errors.AsType[*ParseError](err)
		if !ok || !errors.Is(err, tc.err) || pe.Line != tc.line || pe.File != "x.qrels" {
			t.Errorf("ReadQrels(%s) error = %v, want %v at x.qrels:%d", tc.name, err, tc.err, tc.line)
		}
	}
}

func TestReadQrels(t *testing.T) {
	in := "# comment\n  # indented comment\n\nq1 0 d1 1\r\nq1\tQ0\td2\t-1\nq1 0 d3 +2\nq2 0 d1 0\nq2 0 d2 3.0\nq2 0 d3 -1.00\n# end"
	q, err := ReadQrels(strings.NewReader(in), "")
	if err != nil {
		t.Fatal(err)
	}
	want := Qrels{"q1": {"d1": 1, "d2": -1, "d3": 2}, "q2": {"d1": 0, "d2": 3, "d3": -1}}
	if !qrelsEqual(q, want) {
		t.Errorf("ReadQrels = %v, want %v", q, want)
	}
	if n := q.NumRelevant("q1", 1); n != 2 {
		t.Errorf("NumRelevant(q1, 1) = %d, want 2", n)
	}
	if n := q.NumRelevant("q1", 0); n != 2 {
		t.Errorf("NumRelevant(q1, 0) = %d, want 2 (negative grades never count)", n)
	}
}

func TestReadRunErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format RunFormat
		in     string
		err    error
		line   int
	}{
		{"five fields", FormatTREC, "q1 Q0 d1 1 0.5\n", ErrFieldCount, 1},
		{"bad score", FormatTREC, "q1 Q0 d1 1 0.5 t\nq1 Q0 d2 2 abc t\n", ErrBadScore, 2},
		{"nan", FormatTREC, "q1 Q0 d1 1 NaN t\n", ErrNaNScore, 1},
		{"comma", FormatTREC, "q1 Q0 d1 1 0,5 t\n", ErrBadScore, 1},
		{"3col fields", FormatThreeColumn, "q1 d1 0.5 x\n", ErrFieldCount, 1},
		{"3col nan", FormatThreeColumn, "q1 d1 nan\n", ErrNaNScore, 1},
		{"msmarco rank 0", FormatMSMARCO, "q1\td1\t0\n", ErrBadRank, 1},
		{"msmarco rank float", FormatMSMARCO, "q1\td1\t1.0\n", ErrBadRank, 1},
		{"duplicate", FormatTREC, "q1 Q0 d1 1 0.5 t\nq2 Q0 d1 1 0.5 t\nq1 Q0 d2 2 0.4 t\nq1 Q0 d1 3 0.3 t\n", ErrDuplicateDoc, 4},
		{"msmarco duplicate", FormatMSMARCO, "1\t7\t1\n1\t8\t2\n1\t7\t3\n", ErrDuplicateDoc, 3},
	} {
		_, err := ReadRun(strings.NewReader(tc.in), "r", tc.format)
		pe, ok := errors.AsType[*ParseError](err)
		if !ok || !errors.Is(err, tc.err) || pe.Line != tc.line {
			t.Errorf("ReadRun(%s) error = %v, want %v at line %d", tc.name, err, tc.err, tc.line)
		}
	}
}

func TestReadRunDuplicateGolden(t *testing.T) {
	// trec_eval refuses p4_dup.run; the second "q2 ... e1" line is line 16.
	_, err := ReadRunFile(filepath.Join("testdata", "trec", "p4_dup.run"), FormatTREC)
	want := `testdata/trec/p4_dup.run:16: duplicate document: "e1" in topic "q2"`
	if err == nil || err.Error() != want {
		t.Errorf("ReadRunFile(p4_dup.run) error = %v, want %s", err, want)
	}
	_, err = ReadQrelsFile(filepath.Join("testdata", "trec", "p4_dup.qrels"))
	want = `testdata/trec/p4_dup.qrels:14: duplicate document: "e1" in topic "q3"`
	if err == nil || err.Error() != want {
		t.Errorf("ReadQrelsFile(p4_dup.qrels) error = %v, want %s", err, want)
	}
}

func TestReadRunSpellings(t *testing.T) {
	in := "q Q0 a 1 0.5 t\nq 0 b 1 +0.5 t x y\nq iter1 c 9 5.0E-01 t\nq Q0 d 1 -0 t\nq Q0 e 1 1e999 t\nq Q0 f 1 0x1p-1 t\nq Q0 g 1 -Inf t\n"
	run, err := ReadRun(strings.NewReader(in), "", FormatTREC)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.5, 0.5, 0.5, 0, math.Inf(1), 0.5, math.Inf(-1)}
	for i, d := range run["q"] {
		if d.Score != want[i] {
			t.Errorf("score of %s = %v, want %v", d.ID, d.Score, want[i])
		}
	}
	if math.Signbit(run["q"][3].Score) != true {
		t.Errorf("-0 lost its sign")
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	run := Run{
		"q1": {{"a", 0.1 + 0.2}, {"b", 0.3}, {"c", math.Copysign(0, -1)}, {"d", 0}, {"e", 5e-324}, {"f", math.Inf(1)}, {"g", -1.7976931348623157e308}},
		"q2": {{"x", 1}, {"y", 1}, {"z", 1}},
	}
	for _, format := range []RunFormat{FormatTREC, FormatThreeColumn, FormatMSMARCO} {
		var buf bytes.Buffer
		if err := WriteRun(&buf, run, format, ""); err != nil {
			t.Fatal(err)
		}
		back, err := ReadRun(&buf, "", format)
		if err != nil {
			t.Fatalf("%v: %v", format, err)
		}
		for topic, docs := range run {
			want := append([]ScoredDoc(nil), docs...)
			SortDocs(want)
			got := back[topic]
			if len(got) != len(want) {
				t.Fatalf("%v %s: %d docs, want %d", format, topic, len(got), len(want))
			}
			for i := range want {
				if got[i].ID != want[i].ID {
					t.Errorf("%v %s rank %d = %s, want %s", format, topic, i+1, got[i].ID, want[i].ID)
				}
				if format != FormatMSMARCO && math.Float64bits(got[i].Score) != math.Float64bits(want[i].Score) {
					t.Errorf("%v %s %s: score %v, want the same bits as %v", format, topic, got[i].ID, got[i].Score, want[i].Score)
				}
				if format == FormatMSMARCO && got[i].Score != -float64(i+1) {
					t.Errorf("msmarco %s %s: score %v, want %v", topic, got[i].ID, got[i].Score, -float64(i+1))
				}
			}
		}
	}
}

func TestWriteErrors(t *testing.T) {
	var buf bytes.Buffer
	for _, tc := range []struct {
		run Run
		tag string
		err error
	}{
		{Run{"q 1": {{"a", 1}}}, "", ErrBadID},
		{Run{"#q": {{"a", 1}}}, "", ErrBadID},
		{Run{"q": {{"", 1}}}, "", ErrBadID},
		{Run{"q": {{"a\tb", 1}}}, "", ErrBadID},
		{Run{"q": {{"a", math.NaN()}}}, "", ErrNaNScore},
		{Run{"q": {{"a", 1}}}, "my tag", ErrBadID},
	} {
		if err := WriteRun(&buf, tc.run, FormatTREC, tc.tag); !errors.Is(err, tc.err) {
			t.Errorf("WriteRun(%v, tag %q) error = %v, want %v", tc.run, tc.tag, err, tc.err)
		}
	}
	if err := WriteQrels(&buf, Qrels{"q": {"a b": 1}}); !errors.Is(err, ErrBadID) {
		t.Errorf("WriteQrels with a space: %v, want ErrBadID", err)
	}
}

func TestWriteFilesAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.txt")
	run := Run{"q": {{"a", 2}, {"b", 1}}}
	if err := WriteRunFile(path, run, FormatTREC, "t"); err != nil {
		t.Fatal(err)
	}
	if err := WriteRunFile(path, Run{"q": {{"a", math.NaN()}}}, FormatTREC, "t"); !errors.Is(err, ErrNaNScore) {
		t.Fatalf("WriteRunFile(NaN) = %v, want ErrNaNScore", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "q Q0 a 1 2 t\nq Q0 b 2 1 t\n" {
		t.Errorf("run file = %q after a failed overwrite", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the run (no temporary files)", len(entries))
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	qpath := filepath.Join(dir, "q.qrels")
	q := Qrels{"q": {"a": 1, "b": 0}, "r": {"a": -1}}
	if err := WriteQrelsFile(qpath, q); err != nil {
		t.Fatal(err)
	}
	back, err := ReadQrelsFile(qpath)
	if err != nil || !qrelsEqual(back, q) {
		t.Errorf("qrels round trip = %v, %v; want %v", back, err, q)
	}
	// Compressed input.
	gzPath := filepath.Join(dir, "run.gz")
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(b)
	zw.Close()
	os.WriteFile(gzPath, zb.Bytes(), 0o644)
	if got, err := ReadRunFile(gzPath, FormatTREC); err != nil || len(got["q"]) != 2 {
		t.Errorf("ReadRunFile(.gz) = %v, %v", got, err)
	}
}

func qrelsEqual(a, b Qrels) bool {
	if len(a) != len(b) {
		return false
	}
	for t, docs := range a {
		if len(docs) != len(b[t]) {
			return false
		}
		for d, g := range docs {
			if bg, ok := b[t][d]; !ok || bg != g {
				return false
			}
		}
	}
	return true
}
