package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

// The LAReQA goldens (testdata/lareqa, see testdata/README.md): AP from the
// LAReQA authors' code on trec_eval's tie order, and recall, hit, ranks and
// rank distance from an independent script that scores with integers.

type lareqaProblem struct {
	Languages []string `json:"languages"`
	Questions []struct {
		UID       string    `json:"uid"`
		XlingID   string    `json:"xling_id"`
		Lang      string    `json:"lang"`
		Embedding []float64 `json:"embedding"`
	} `json:"questions"`
	Candidates []struct {
		UID       string    `json:"uid"`
		Lang      string    `json:"lang"`
		Embedding []float64 `json:"embedding"`
	} `json:"candidates"`
	Relevant map[string][]string `json:"relevant"`
}

func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "lareqa", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// lareqaInputs returns the golden problem as Embeddings and Qrels.
func lareqaInputs(t testing.TB) (q, c Embeddings, qrels Qrels) {
	var p lareqaProblem
	loadJSON(t, "small.problem.json", &p)
	qrels = Qrels{}
	for _, x := range p.Questions {
		q.IDs = append(q.IDs, x.UID)
		q.Langs = append(q.Langs, x.Lang)
		for _, v := range x.Embedding {
			q.Vectors = append(q.Vectors, float32(v))
		}
		qrels[x.UID] = map[string]int{}
		for _, doc := range p.Relevant[x.XlingID] {
			qrels[x.UID][doc] = 1
		}
	}
	for _, x := range p.Candidates {
		c.IDs = append(c.IDs, x.UID)
		c.Langs = append(c.Langs, x.Lang)
		for _, v := range x.Embedding {
			c.Vectors = append(c.Vectors, float32(v))
		}
	}
	q.Dim, c.Dim = len(p.Questions[0].Embedding), len(p.Candidates[0].Embedding)
	return q, c, qrels
}

type expectedMAP struct {
	Macro map[string]struct {
		NumSettings      int                `json:"num_settings"`
		MAP              float64            `json:"map"`
		MAPAt20          float64            `json:"map_at_20"`
		MAPPerSourceLang map[string]float64 `json:"map_per_source_language"`
	} `json:"macro"`
	Settings map[string]struct {
		NumQueries int     `json:"num_queries"`
		MAP        float64 `json:"map"`
		MAPAt20    float64 `json:"map_at_20"`
		PerQuery   map[string]struct {
			NumRel int     `json:"num_rel"`
			AP     float64 `json:"ap"`
			APAt20 float64 `json:"ap_at_20"`
		} `json:"per_query"`
	} `json:"settings"`
}

type expectedRD struct {
	RankDistance struct {
		PerLanguage map[string]float64 `json:"per_language"`
		Macro       float64            `json:"macro"`
		Micro       float64            `json:"micro_over_all_queries"`
	} `json:"rank_distance"`
	Macro    map[string]map[string]any `json:"macro"`
	Settings map[string]struct {
		Values   map[string]any
		PerQuery map[string]map[string]any `json:"per_query"`
	} `json:"settings"`
}

func settingName(kind Kind, ql, cl string) string {
	switch kind {
	case Monolingual:
		return "mono/" + ql
	case Crosslingual:
		return "cross/" + ql + "-" + cl
	}
	return "multi/" + ql
}

var kindNamesJSON = map[Kind]string{Monolingual: "monolingual", Crosslingual: "crosslingual", Multilingual: "multilingual"}

func TestLAReQAGoldens(t *testing.T) {
	q, c, qrels := lareqaInputs(t)
	rep, err := EvaluateLAReQA(context.Background(), q, c, qrels, LAReQAConfig{PerQuery: true, Search: SearchConfig{Workers: 2, BlockSize: 7}})
	if err != nil {
		t.Fatal(err)
	}
	var em expectedMAP
	loadJSON(t, "small.expected_map.json", &em)
	var rd expectedRD
	loadJSON(t, "small.expected_rankdist_recall.json", &rd)
	// The settings' aggregate fields sit next to per_query; decode them again.
	var rdRaw struct {
		Settings map[string]map[string]json.RawMessage `json:"settings"`
	}
	loadJSON(t, "small.expected_rankdist_recall.json", &rdRaw)

	m := func(name string) int {
		i := slices.Index(rep.Measures, name)
		if i < 0 {
			t.Fatalf("no measure %s in %v", name, rep.Measures)
		}
		return i
	}
	var nAP, nAPBits, nExact, nMean int
	near := func(what string, got, want, tol float64) {
		t.Helper()
		nMean++
		if math.Abs(got-want) > tol || math.IsNaN(got) {
			t.Errorf("%s = %.17g, want %.17g (tol %g)", what, got, want, tol)
		}
	}
	exact := func(what string, got, want any) {
		t.Helper()
		nExact++
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	if len(rep.Cells) != len(em.Settings) {
		t.Fatalf("%d cells, want %d settings", len(rep.Cells), len(em.Settings))
	}
	for _, cell := range rep.Cells {
		name := settingName(cell.Kind, cell.QueryLang, cell.CandidateLang)
		want, ok := em.Settings[name]
		if !ok {
			t.Fatalf("unexpected cell %s", name)
		}
		exact(name+" queries", cell.Queries, want.NumQueries)
		near(name+" map", cell.Values[m("map")], want.MAP, 1e-12)
		near(name+" map@20", cell.Values[m("map@20")], want.MAPAt20, 1e-12)
		var agg map[string]float64
		raw := rdRaw.Settings[name]
		for _, k := range []string{"recall_at_1", "hit_at_1", "recall_at_10", "hit_at_10", "recall_at_100", "hit_at_100", "map_own", "rank_distance"} {
			if v, ok := raw[k]; ok {
				if agg == nil {
					agg = map[string]float64{}
				}
				var f float64
				json.Unmarshal(v, &f)
				agg[k] = f
			}
		}
		for _, k := range []string{"1", "10", "100"} {
			near(name+" recall@"+k, cell.Values[m("recall@"+k)], agg["recall_at_"+k], 1e-12)
			near(name+" hit@"+k, cell.Values[m("hit@"+k)], agg["hit_at_"+k], 1e-12)
		}
		if cell.Kind == Multilingual {
			near(name+" rank_distance", cell.Values[m("rank_distance")], agg["rank_distance"], 1e-12)
		} else if !math.IsNaN(cell.Values[m("rank_distance")]) {
			t.Errorf("%s: rank_distance %v outside multi", name, cell.Values[m("rank_distance")])
		}
	}
	// Per query.
	seen := 0
	perQueryRD := map[string]map[string]map[string]any{}
	for name, raw := range rdRaw.Settings {
		var pq map[string]map[string]any
		if err := json.Unmarshal(raw["per_query"], &pq); err != nil {
			t.Fatal(err)
		}
		perQueryRD[name] = pq
	}
	for _, qr := range rep.Queries {
		name := settingName(qr.Kind, qr.QueryLang, qr.CandidateLang)
		wm := em.Settings[name].PerQuery[qr.ID]
		w := perQueryRD[name][qr.ID]
		seen++
		exact(name+" "+qr.ID+" num_rel", len(qr.Ranks), wm.NumRel)
		exact(name+" "+qr.ID+" ranks", qr.Ranks, w["ranks_of_relevant"])
		nAP += 2
		if math.Abs(qr.Values[m("map")]-wm.AP) > 1e-9 || math.Abs(qr.Values[m("map@20")]-wm.APAt20) > 1e-9 {
			t.Errorf("%s %s: AP %.17g, AP@20 %.17g; want %.17g, %.17g", name, qr.ID, qr.Values[m("map")], qr.Values[m("map@20")], wm.AP, wm.APAt20)
		}
		if qr.Values[m("map")] == wm.AP && qr.Values[m("map@20")] == wm.APAt20 {
			nAPBits += 2
		}
		exact(name+" "+qr.ID+" ap_own", qr.Values[m("map")], w["ap_own"])
		for _, k := range []string{"1", "10", "100"} {
			exact(name+" "+qr.ID+" recall@"+k, qr.Values[m("recall@"+k)], w["recall_at_"+k])
			exact(name+" "+qr.ID+" hit@"+k, qr.Values[m("hit@"+k)], w["hit_at_"+k])
		}
		if qr.Kind == Multilingual {
			exact(name+" "+qr.ID+" rank_distance", qr.Values[m("rank_distance")], w["rank_distance"])
		}
	}
	if seen != 600 {
		t.Errorf("%d query-settings, want 600", seen)
	}
	// Summaries.
	for kind, jname := range kindNamesJSON {
		s := rep.Summary(kind)
		wm, wr := em.Macro[jname], rd.Macro[jname]
		exact(jname+" settings", s.Cells, wm.NumSettings)
		near(jname+" macro map", s.Macro[m("map")], wm.MAP, 1e-12)
		near(jname+" macro map@20", s.Macro[m("map@20")], wm.MAPAt20, 1e-12)
		for _, k := range []string{"1", "10", "100"} {
			near(jname+" macro recall@"+k, s.Macro[m("recall@"+k)], wr["recall_at_"+k].(float64), 1e-12)
			near(jname+" macro hit@"+k, s.Macro[m("hit@"+k)], wr["hit_at_"+k].(float64), 1e-12)
		}
		if kind == Crosslingual {
			for _, lv := range s.ByQueryLang {
				near("cross "+lv.Lang+" map", lv.Values[m("map")], wm.MAPPerSourceLang[lv.Lang], 1e-12)
				per := wr["per_source_language"].(map[string]any)[lv.Lang].(map[string]any)
				for _, k := range []string{"1", "10", "100"} {
					near("cross "+lv.Lang+" recall@"+k, lv.Values[m("recall@"+k)], per["recall_at_"+k].(float64), 1e-12)
				}
			}
		}
	}
	multi := rep.Summary(Multilingual)
	for _, lv := range multi.ByQueryLang {
		near("rank distance "+lv.Lang, lv.Values[m("rank_distance")], rd.RankDistance.PerLanguage[lv.Lang], 1e-12)
	}
	near("rank distance macro", multi.Macro[m("rank_distance")], rd.RankDistance.Macro, 1e-12)
	near("rank distance micro", multi.Micro[m("rank_distance")], rd.RankDistance.Micro, 1e-12)
	t.Logf("LAReQA goldens: %d per-query AP and AP@20 values (tol 1e-9; %d bit-identical), %d values compared exactly (ranks lists, recall, hit, rank distance, ap_own, counts), %d means (tol 1e-12)", nAP, nAPBits, nExact, nMean)

	// The same report whatever the blocking and parallelism.
	for _, cfg := range []SearchConfig{{Workers: 1, BlockSize: 1}, {Workers: 3, BlockSize: 5}, {}} {
		other, err := EvaluateLAReQA(context.Background(), q, c, qrels, LAReQAConfig{PerQuery: true, Search: cfg})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(nanToZero(other), nanToZero(rep)) {
			t.Errorf("report with %+v differs", cfg)
		}
	}
}

// nanToZero returns a copy of the report's JSON with NaN-free values, for
// comparison.
func nanToZero(r *Report) string {
	b, _ := json.Marshal(r.jsonValue())
	return string(b)
}
