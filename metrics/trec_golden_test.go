package metrics

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The goldens in testdata/trec are NIST trec_eval 10.0 outputs (official
// %6.4f build and a %.17g build); testdata/README.md states how they were
// made and every convention they pin down.

type trecInvocation struct {
	Argv         []string                      `json:"argv"`
	ExitStatus   int                           `json:"exit_status"`
	Stderr       string                        `json:"stderr"`
	QueryOrder   []string                      `json:"query_order"`
	PerQuery     map[string]map[string]string  `json:"per_query"`
	All          map[string]string             `json:"all"`
	PerQueryFull map[string]map[string]float64 `json:"per_query_full"`
	AllFull      map[string]float64            `json:"all_full"`
}

type trecGolden struct {
	Qrels       string                    `json:"qrels"`
	Run         string                    `json:"run"`
	MeasureArgv []string                  `json:"measures_argv"`
	Invocations map[string]trecInvocation `json:"invocations"`
	Relstring   struct {
		PerQuery map[string]string `json:"per_query"`
	} `json:"relstring"`
}

var trecGoldenRuns = []string{"p1_edge", "p2_missing", "p3_bulk", "p4_dup", "p4_dup.nodup"}

func loadTrecGolden(t *testing.T, name string) trecGolden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "trec", name+".trec_eval.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g trecGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func goldenMeasures(t *testing.T, argv []string) []Measure {
	t.Helper()
	var ms []Measure
	for i := 0; i < len(argv); i += 2 {
		if argv[i] != "-m" {
			t.Fatalf("unexpected argv %q", argv)
		}
		if argv[i+1] == "num_q" {
			continue // Results.Topics gives it
		}
		m, err := ParseMeasure(argv[i+1])
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m...)
	}
	return ms
}

// eachRecord calls each for every record that next returns until io.EOF.
func eachRecord[T any](t *testing.T, path string, open func(f *os.File) func() (T, error), each func(T)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	next := open(f)
	for {
		rec, err := next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		each(rec)
	}
}

// lenientRun reads a run without the duplicate check, to score the topics
// trec_eval printed before it failed on a duplicate.
func lenientRun(t *testing.T, path string) Run {
	run := Run{}
	eachRecord(t, path, func(f *os.File) func() (RunRecord, error) { return NewRunReader(f, path, FormatTREC).Read },
		func(rec RunRecord) { run[rec.Topic] = append(run[rec.Topic], ScoredDoc{rec.Doc, rec.Score}) })
	return run
}

// lenientQrels reads qrels without the duplicate check (the last grade wins).
func lenientQrels(t *testing.T, path string) Qrels {
	q := Qrels{}
	eachRecord(t, path, func(f *os.File) func() (QrelsRecord, error) { return NewQrelsReader(f, path).Read },
		func(rec QrelsRecord) {
			if q[rec.Topic] == nil {
				q[rec.Topic] = map[string]int{}
			}
			q[rec.Topic][rec.Doc] = rec.Grade
		})
	return q
}

// goldenCount tallies compared values.
type goldenCount struct{ official, full, bitIdentical, relstring int }

// checkValue compares one value with trec_eval's official string and its
// %.17g value.
func checkValue(t *testing.T, c *goldenCount, where string, m Measure, isCount bool, got float64, official string, full float64, hasFull bool) {
	t.Helper()
	var s string
	if isCount {
		s = strconv.FormatInt(int64(got), 10)
	} else {
		s = fmt.Sprintf("%.4f", got)
	}
	if s != official {
		t.Errorf("%s %v = %s, want %s", where, m, s, official)
	}
	c.official++
	if !hasFull {
		t.Errorf("%s %v: no %%.17g golden", where, m)
		return
	}
	c.full++
	if math.Abs(got-full) > 1e-12 {
		t.Errorf("%s %v = %.17g, want %.17g (|diff| > 1e-12)", where, m, got, full)
	}
	if got == full {
		c.bitIdentical++
	}
}

func TestTrecEvalGoldens(t *testing.T) {
	total := goldenCount{}
	for _, name := range trecGoldenRuns {
		g := loadTrecGolden(t, name)
		ms := goldenMeasures(t, g.MeasureArgv)
		qrelsPath := filepath.Join("testdata", "trec", g.Qrels)
		runPath := filepath.Join("testdata", "trec", g.Run)
		var c goldenCount
		for _, inv := range []string{"q", "qc"} {
			want := g.Invocations[inv]
			opt := Options{Topics: TopicsTrecEval}
			if inv == "qc" {
				opt.Topics = TopicsComplete
			}
			where := name + "." + inv
			qrels, qerr := ReadQrelsFile(qrelsPath)
			run, rerr := ReadRunFile(runPath, FormatTREC)
			var res *Results
			var err error
			if qerr == nil && rerr == nil {
				res, err = Evaluate(qrels, run, ms, opt)
			}
			if want.ExitStatus != 0 {
				checkTrecError(t, where, want, qerr, rerr, err)
				// The topics trec_eval finished before the error.
				res, err = Evaluate(lenientQrels(t, qrelsPath), lenientRun(t, runPath), ms, Options{Topics: TopicsCommon})
				if err != nil && len(want.PerQuery) > 0 {
					// A duplicate in a later topic: score the printed topics one by one.
					res = scoreTopics(t, lenientQrels(t, qrelsPath), lenientRun(t, runPath), want.QueryOrder, ms)
				}
			} else if err != nil || qerr != nil || rerr != nil {
				t.Fatalf("%s: errors %v, %v, %v; trec_eval exited 0", where, qerr, rerr, err)
			}
			for _, topic := range want.QueryOrder {
				for i, m := range ms {
					got, ok := res.Value(topic, m)
					if !ok {
						t.Fatalf("%s: no value for topic %s %v", where, topic, m)
					}
					off, ok := want.PerQuery[topic][m.String()]
					if !ok {
						t.Fatalf("%s: golden lacks %s %v", where, topic, m)
					}
					full, hasFull := want.PerQueryFull[topic][m.String()]
					checkValue(t, &c, where+" "+topic, ms[i], m.IsCount(), got, off, full, hasFull)
				}
			}
			if want.ExitStatus != 0 {
				if len(want.All) != 0 {
					t.Errorf("%s: golden has an all line despite the error", where)
				}
				continue
			}
			if got, wantN := strings.Join(res.Topics, " "), strings.Join(want.QueryOrder, " "); got != wantN {
				t.Errorf("%s: topics %q, want %q", where, got, wantN)
			}
			checkValue(t, &c, where+" all", Measure{}, true, float64(len(res.Topics)), want.All["num_q"], want.AllFull["num_q"], true)
			for i, m := range ms {
				checkValue(t, &c, where+" all", m, m.IsCount(), res.All[i], want.All[m.String()], want.AllFull[m.String()], true)
			}
		}
		c.relstring = checkRelstring(t, name, g)
		t.Logf("%s: %d official strings, %d %%.17g values (%d bit-identical), %d relstring ranks", name, c.official, c.full, c.bitIdentical, c.relstring)
		total.official += c.official
		total.full += c.full
		total.bitIdentical += c.bitIdentical
		total.relstring += c.relstring
	}
	t.Logf("trec_eval goldens: %d official strings and %d %%.17g values compared, %d bit-identical; %d relstring ranks", total.official, total.full, total.bitIdentical, total.relstring)
}

func scoreTopics(t *testing.T, q Qrels, run Run, topics []string, ms []Measure) *Results {
	res := &Results{Measures: ms}
	for _, topic := range topics {
		v, err := EvaluateTopic(q[topic], run[topic], ms, Options{})
		if err != nil {
			t.Fatal(err)
		}
		res.Topics = append(res.Topics, topic)
		res.Values = append(res.Values, v)
	}
	return res
}

// checkTrecError checks that the Go side reports the error that made
// trec_eval exit with status 4.
func checkTrecError(t *testing.T, where string, want trecInvocation, qerr, rerr, err error) {
	t.Helper()
	if want.ExitStatus != 4 {
		t.Fatalf("%s: unexpected trec_eval exit status %d", where, want.ExitStatus)
	}
	switch {
	case strings.Contains(want.Stderr, "form_res_qrels: duplicate docs"): // run duplicate
		var pe *ParseError
		if !errors.As(rerr, &pe) || !errors.Is(rerr, ErrDuplicateDoc) || !strings.Contains(pe.Detail, `"e1"`) {
			t.Errorf("%s: ReadRun error %v, want a *ParseError wrapping ErrDuplicateDoc naming e1", where, rerr)
		}
	case strings.Contains(want.Stderr, "form_res_rels: duplicate docs"): // qrels duplicate
		if !errors.Is(qerr, ErrDuplicateDoc) {
			t.Errorf("%s: ReadQrels error %v, want ErrDuplicateDoc", where, qerr)
		}
	case strings.Contains(want.Stderr, "not found in qrels"):
		var te *TopicError
		topic := strings.Split(want.Stderr, "'")[1]
		if !errors.As(err, &te) || !errors.Is(err, ErrMissingTopic) || te.Topic != topic {
			t.Errorf("%s: Evaluate error %v, want ErrMissingTopic for %q", where, err, topic)
		}
	default:
		t.Fatalf("%s: unknown trec_eval error %q", where, want.Stderr)
	}
}

// checkRelstring compares our rank order with trec_eval's relstring.200
// output (grade digits, '-' for unjudged, '.' for negative grades) and
// returns the number of characters compared.
func checkRelstring(t *testing.T, name string, g trecGolden) int {
	t.Helper()
	qrels := lenientQrels(t, filepath.Join("testdata", "trec", g.Qrels))
	run := lenientRun(t, filepath.Join("testdata", "trec", g.Run))
	n := 0
	for topic, want := range g.Relstring.PerQuery {
		docs := append([]ScoredDoc(nil), run[topic]...)
		SortDocs(docs)
		var b strings.Builder
		for _, d := range docs[:min(len(docs), 200)] {
			switch grade, ok := qrels[topic][d.ID]; {
			case !ok:
				b.WriteByte('-')
			case grade < 0:
				b.WriteByte('.')
			default:
				b.WriteString(strconv.Itoa(grade))
			}
		}
		got := b.String()
		if len(docs) == 0 {
			got = "-" // trec_eval -c prints '-' for a topic missing from the run
		}
		if got != want {
			t.Errorf("%s: relstring of %s = %q, want %q", name, topic, got, want)
		}
		n += len(want)
	}
	return n
}

func TestTrecRankingGoldens(t *testing.T) {
	for _, name := range trecGoldenRuns {
		b, err := os.ReadFile(filepath.Join("testdata", "trec", name+".ranking.json"))
		if err != nil {
			t.Fatal(err)
		}
		var g struct {
			Run      string                          `json:"run"`
			Rankings map[string][][3]json.RawMessage `json:"rankings"`
		}
		if err := json.Unmarshal(b, &g); err != nil {
			t.Fatal(err)
		}
		run := lenientRun(t, filepath.Join("testdata", "trec", g.Run))
		for topic, want := range g.Rankings {
			docs := append([]ScoredDoc(nil), run[topic]...)
			SortDocs(docs)
			if len(docs) != len(want) {
				t.Fatalf("%s %s: %d docs, want %d", name, topic, len(docs), len(want))
			}
			for i, w := range want {
				var id, score string
				json.Unmarshal(w[0], &id)
				json.Unmarshal(w[1], &score)
				ws, _ := strconv.ParseFloat(score, 64)
				if docs[i].ID != id || docs[i].Score != ws {
					t.Errorf("%s %s rank %d = %s %v, want %s %s", name, topic, i+1, docs[i].ID, docs[i].Score, id, score)
				}
			}
		}
	}
}
