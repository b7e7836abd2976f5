package metrics

import (
	"errors"
	"math"
	"testing"
)

func TestEvaluateEdgeCases(t *testing.T) {
	ms := []Measure{{Kind: MAP}, {Kind: NumRel}, {Kind: NumRet}, {Kind: NDCG}, {Kind: P, Cutoff: 5}}
	qrels := Qrels{"a": {"d1": 1, "d2": 2}, "b": {}, "c": {"d1": -1, "d2": -2}}
	if _, err := Evaluate(qrels, Run{}, ms, Options{}); !errors.Is(err, ErrMissingTopic) {
		t.Errorf("empty run, TopicsTrecEval: %v, want ErrMissingTopic", err)
	}
	if _, err := Evaluate(qrels, Run{}, ms, Options{Topics: TopicsCommon}); err != ErrNoTopics {
		t.Errorf("empty run, TopicsCommon: %v, want ErrNoTopics", err)
	}
	if _, err := Evaluate(Qrels{}, Run{"a": nil}, ms, Options{Topics: TopicsComplete}); err != ErrNoTopics {
		t.Errorf("empty qrels: %v, want ErrNoTopics", err)
	}
	res, err := Evaluate(qrels, Run{}, ms, Options{Topics: TopicsComplete})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{0, 2, 0, 0, 0}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}}
	for i := range want {
		for m := range want[i] {
			if res.Values[i][m] != want[i][m] {
				t.Errorf("empty run -c: %s %v = %v, want %v", res.Topics[i], ms[m], res.Values[i][m], want[i][m])
			}
		}
	}
	// NaN scores rank last; duplicates in an in-memory run are errors.
	run := Run{"a": {{"d1", math.NaN()}, {"x", 0}, {"d2", math.Inf(-1)}}, "b": {{"y", 1}}, "c": {{"d1", 1}}}
	res, err = Evaluate(qrels, run, []Measure{{Kind: MAP}, {Kind: RecipRank}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Ranking of a: x (0), d2 (−Inf), d1 (NaN): AP = (1/2 + 2/3)/2.
	sum := 0.5
	sum += 2.0 / 3
	if got, want := res.Values[0][0], sum/2; got != want {
		t.Errorf("map with NaN and −Inf = %v, want %v", got, want)
	}
	run["a"] = append(run["a"], ScoredDoc{"x", 5})
	if _, err := Evaluate(qrels, run, ms, Options{}); !errors.Is(err, ErrDuplicateDoc) {
		t.Errorf("duplicate in run: %v, want ErrDuplicateDoc", err)
	} else if te, ok := errors.AsType[*TopicError](err); !ok || te.Topic != "a" || te.Doc != "x" {
		t.Errorf("duplicate error %v does not name topic a and doc x", err)
	}
	if _, err := EvaluateTopic(qrels["a"], run["a"], ms, Options{}); !errors.Is(err, ErrDuplicateDoc) {
		t.Errorf("EvaluateTopic duplicate: %v", err)
	}
}

func TestMeasurePanics(t *testing.T) {
	for _, tc := range []struct {
		m   Measure
		msg string
	}{
		{Measure{Kind: P}, "metrics: measure P needs a positive cut-off"},
		{Measure{Kind: MAP, Cutoff: 3}, "metrics: bad cut-off for measure map_3"},
		{Measure{}, "metrics: unknown measure MeasureKind(0)"},
		{Measure{Kind: RecipRank, Cutoff: -1}, "metrics: bad cut-off for measure recip_rank"},
		{Measure{Kind: IPrecAtRecall, Level: 1.5}, "metrics: recall level of iprec_at_recall outside [0, 1]"},
		{Measure{Kind: IPrecAtRecall, Level: math.NaN()}, "metrics: recall level of iprec_at_recall outside [0, 1]"},
		{Measure{Kind: Bpref, Level: 0.5}, "metrics: measure bpref takes no recall level"},
		{Measure{Kind: IPrecAtRecall, Cutoff: 5}, "metrics: bad cut-off for measure iprec_at_recall_0.00"},
	} {
		func() {
			defer func() {
				if r := recover(); r != tc.msg {
					t.Errorf("Evaluate with %#v: panic %v, want %q", tc.m, r, tc.msg)
				}
			}()
			Evaluate(Qrels{"a": {}}, Run{"a": nil}, []Measure{tc.m}, Options{})
		}()
	}
	defer func() {
		if r := recover(); r != "metrics: negative MaxDocs" {
			t.Errorf("MaxDocs −1: panic %v", r)
		}
	}()
	Evaluate(Qrels{"a": {}}, Run{"a": nil}, nil, Options{MaxDocs: -1})
}

func TestParseMeasureErrors(t *testing.T) {
	for _, spec := range []string{"infAP", "map.5", "bpref.1", "gm_map.2", "P.0", "P.5,x", "P.5,5", "ndcg.1=3", "P.", "",
		"iprec_at_recall.1.5", "iprec_at_recall.-0.1", "iprec_at_recall.nan", "iprec_at_recall.0.5,.5", "iprec_at_recall."} {
		if ms, err := ParseMeasure(spec); err == nil {
			t.Errorf("ParseMeasure(%q) = %v, want an error", spec, ms)
		}
	}
}

// TestRecipRankCutoff checks MRR@k (not in trec_eval) against trec_eval's
// recip_rank: equal when the first relevant document is within k, else 0.
func TestRecipRankCutoff(t *testing.T) {
	g := loadTrecGolden(t, "p3_bulk")
	qrels, err := ReadQrelsFile("testdata/trec/" + g.Qrels)
	if err != nil {
		t.Fatal(err)
	}
	run, err := ReadRunFile("testdata/trec/"+g.Run, FormatTREC)
	if err != nil {
		t.Fatal(err)
	}
	ms := []Measure{{Kind: RecipRank, Cutoff: 1}, {Kind: RecipRank, Cutoff: 3}, {Kind: RecipRank, Cutoff: 10}}
	res, err := Evaluate(qrels, run, ms, Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for ti, topic := range res.Topics {
		rr := g.Invocations["q"].PerQueryFull[topic]["recip_rank"]
		for i, m := range ms {
			want := 0.0
			if rr > 0 && 1/rr <= float64(m.Cutoff)+1e-9 {
				want = rr
			}
			if got := res.Values[ti][i]; got != want {
				t.Errorf("%s %v = %v, want %v (recip_rank %v)", topic, m, got, want, rr)
			}
			n++
		}
	}
	if n < 60 {
		t.Errorf("only %d values checked", n)
	}
}
