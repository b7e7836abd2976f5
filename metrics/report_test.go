package metrics

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"math"
	"strconv"
	"strings"
	"testing"
)

func goldenReport(t *testing.T) *Report {
	t.Helper()
	q, c, qrels := lareqaInputs(t)
	rep, err := EvaluateLAReQA(context.Background(), q, c, qrels, LAReQAConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestReportCSVRoundTrip(t *testing.T) {
	rep := goldenReport(t)
	var buf bytes.Buffer
	if err := rep.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	nm := len(rep.Measures)
	for i, c := range rep.Cells {
		rec := recs[i+1]
		if rec[0] != c.Kind.String() || rec[1] != c.QueryLang || rec[2] != c.CandidateLang || rec[5] != strconv.Itoa(c.Queries) {
			t.Fatalf("CSV row %d = %v, want cell %+v", i+1, rec, c)
		}
		for m := range nm {
			if got := rec[6+m]; math.IsNaN(c.Values[m]) != (got == "") {
				t.Errorf("CSV %v %s = %q, want %v", rec[:3], rep.Measures[m], got, c.Values[m])
			} else if got != "" {
				if v, _ := strconv.ParseFloat(got, 64); v != c.Values[m] {
					t.Errorf("CSV %v %s = %v, want exactly %v", rec[:3], rep.Measures[m], v, c.Values[m])
				}
			}
		}
	}
	// The multi macro rank distance row.
	found := false
	for _, rec := range recs {
		if rec[0] == "multi" && rec[3] == "macro" {
			found = rec[len(rec)-1] == "23.975"
		}
	}
	if !found {
		t.Errorf("CSV lacks the multi macro rank distance 23.975")
	}
}

func TestReportJSON(t *testing.T) {
	rep := goldenReport(t)
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Measures  []string `json:"measures"`
		Summaries []struct {
			Kind        string                         `json:"kind"`
			Macro       map[string]*float64            `json:"macro"`
			ByQueryLang map[string]map[string]*float64 `json:"by_query_lang"`
		} `json:"summaries"`
		Cells []struct {
			Kind, QueryLang string
			Values          map[string]*float64 `json:"values"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Cells) != 20 || len(got.Summaries) != 3 {
		t.Fatalf("JSON has %d cells and %d summaries, want 20 and 3", len(got.Cells), len(got.Summaries))
	}
	multi := got.Summaries[2]
	if multi.Kind != "multi" || *multi.Macro["rank_distance"] != 23.975 || *multi.ByQueryLang["ar"]["rank_distance"] != 29.466666666666665 {
		t.Errorf("JSON multi summary = %+v", multi)
	}
	if got.Cells[0].Values["rank_distance"] != nil {
		t.Errorf("JSON mono rank_distance = %v, want null", *got.Cells[0].Values["rank_distance"])
	}
	if v := got.Summaries[0].Macro["map"]; v == nil || *v != rep.Summaries[0].Macro[0] {
		t.Errorf("JSON mono macro map = %v, want %v", v, rep.Summaries[0].Macro[0])
	}
}

func TestReportMarkdown(t *testing.T) {
	rep := goldenReport(t)
	var buf bytes.Buffer
	if err := rep.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{
		"| setting | average | cells | queries | map | map@20 | recall@1 |",
		"| mono | macro | 4 | 120 | 0.6640 | 0.6620 | 0.5333 | 0.8750 |",
		"| multi | macro | 4 | 120 | 0.5050 | 0.4930 | 0.1437 | 0.6625 | 0.9583 | 0.5750 | 0.8583 | 1.0000 | 23.9750 |",
		"| cross | zh | de | 30 | ",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestReportMatrixAndHeatmap(t *testing.T) {
	rep := goldenReport(t)
	rows, cols, v := rep.Matrix("map")
	if strings.Join(rows, ",") != "ar,de,en,zh" || strings.Join(cols, ",") != "ar,de,en,zh,all" {
		t.Fatalf("Matrix labels %v × %v", rows, cols)
	}
	if v[0][0] != rep.Value(Monolingual, "ar", "ar", "map") || v[3][1] != rep.Value(Crosslingual, "zh", "de", "map") ||
		v[1][4] != rep.Value(Multilingual, "de", AllLangs, "map") {
		t.Errorf("Matrix values misplaced: %v", v)
	}
	var buf bytes.Buffer
	if err := rep.WriteHeatmap(&buf, "map", HeatmapConfig{}); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() < 300 || b.Dy() < 250 {
		t.Errorf("PNG is %v, too small to read", b)
	}
	buf.Reset()
	if err := rep.WriteHeatmap(&buf, "recall@1", HeatmapConfig{Format: "svg", Decimals: 3}); err != nil {
		t.Fatal(err)
	}
	svg := buf.String()
	for _, want := range []string{"<svg", ">zh<", ">all<", ">candidate language<", ">0.433<", ">recall@1<"} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if err := rep.WriteHeatmap(&buf, "nope", HeatmapConfig{}); err == nil {
		t.Error("unknown measure: no error")
	}
	if err := WriteHeatmap(&buf, []string{"a"}, []string{"b"}, [][]float64{{1}}, HeatmapConfig{Format: "gif"}); err == nil {
		t.Error("unknown format: no error")
	}
	if err := WriteHeatmap(&buf, []string{"a", "b"}, []string{"b"}, [][]float64{{1}}, HeatmapConfig{}); err == nil {
		t.Error("shape mismatch: no error")
	}
}
