package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/metrics"
	"github.com/polyret/polyret/model"
)

// A QAResult is the evaluation of one encoder on a LAReQA-style task
// (XQuAD-R, MLQA-R or a split of them): the metrics report over the
// monolingual, cross-lingual and multilingual settings, and the embeddings
// it was computed from.
type QAResult struct {
	Name                string
	Task                *datasets.Task
	Report              *metrics.Report
	Queries, Candidates metrics.Embeddings
}

// EvaluateQA encodes t with m and evaluates it in every setting with
// metrics.EvaluateLAReQA (mAP, map@20, recall@1/10/100, hit@k and, in the
// multilingual setting, rank distance). name labels progress stages and
// outputs.
func EvaluateQA(ctx context.Context, m *model.Model, t *datasets.Task, name string, rec Recorder) (*QAResult, error) {
	q, c, err := Encode(ctx, m, t, name, rec)
	if err != nil {
		return nil, err
	}
	cfg := metrics.LAReQAConfig{}
	if rec != nil {
		cfg.Search.Recorder = stageRecorder{rec, name + " search"}
	}
	rep, err := metrics.EvaluateLAReQA(ctx, q, c, t.Qrels, cfg)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", name, err)
	}
	return &QAResult{Name: name, Task: t, Report: rep, Queries: q, Candidates: c}, nil
}

// stageRecorder renames the stage of another recorder.
type stageRecorder struct {
	rec   Recorder
	stage string
}

func (s stageRecorder) Record(_ string, done, total int) error {
	return s.rec.Record(s.stage, done, total)
}

// A Summary holds the figures of the paper's Tables 1 and 2 (arXiv
// 2408.10536): mAP in each setting, recall@1 in the monolingual and
// cross-lingual settings, recall@10 in the multilingual one, and the
// multilingual rank distance (language bias; lower is better). Each is the
// macro average over the setting's cells (query languages, or language
// pairs for Cross).
type Summary struct {
	MAPMono      float64
	MAPCross     float64
	MAPMulti     float64
	R1Mono       float64
	R1Cross      float64
	R10Multi     float64
	RankDistance float64
}

// Summarize extracts the Summary of a report of metrics.EvaluateLAReQA. A
// measure the report lacks is NaN.
func Summarize(rep *metrics.Report) Summary {
	get := func(k metrics.Kind, measure string) float64 {
		s := rep.Summary(k)
		i := slices.Index(rep.Measures, measure)
		if s == nil || i < 0 {
			return math.NaN()
		}
		return s.Macro[i]
	}
	return Summary{
		MAPMono:      get(metrics.Monolingual, "map"),
		MAPCross:     get(metrics.Crosslingual, "map"),
		MAPMulti:     get(metrics.Multilingual, "map"),
		R1Mono:       get(metrics.Monolingual, "recall@1"),
		R1Cross:      get(metrics.Crosslingual, "recall@1"),
		R10Multi:     get(metrics.Multilingual, "recall@10"),
		RankDistance: get(metrics.Multilingual, "rank_distance"),
	}
}

// SummaryHeader and Row format Summaries as a Markdown table shaped like
// the paper's Tables 1 and 2.
const SummaryHeader = "| model | mAP mono | mAP cross | mAP multi | R@1 mono | R@1 cross | R@10 multi | rank distance |\n" +
	"|---|---:|---:|---:|---:|---:|---:|---:|\n"

// Row returns the table row of s labelled name.
func (s Summary) Row(name string) string {
	return fmt.Sprintf("| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.1f |\n",
		name, s.MAPMono, s.MAPCross, s.MAPMulti, s.R1Mono, s.R1Cross, s.R10Multi, s.RankDistance)
}

// DefaultRunDepth is the number of candidates per query written to run
// files.
const DefaultRunDepth = 100

// WriteConfig controls QAResult.Write.
type WriteConfig struct {
	// RunDepth is the number of candidates per query in run files; 0
	// means DefaultRunDepth, a negative value writes no runs.
	RunDepth int
	// Tag is the run tag (the sixth column); "" means the result's name.
	Tag string
	// Title prefixes the heat maps' titles; "" means the result's name.
	Title string
	// CrossRuns also writes the cross-lingual runs, one file per candidate
	// language; they hold (languages − 1) rankings per query, so they are
	// the bulk of the output.
	CrossRuns bool
}

// Write writes the result into dir (created if needed), every file
// atomically:
//
//   - report.json, report.md, report.csv: the metrics report (every cell
//     and summary);
//   - map.png, map.svg: the mAP heat map, query language × candidate
//     language (the diagonal is the monolingual setting, the "all" column
//     the multilingual one), on a fixed 0–1 colour scale so that maps of
//     several models compare;
//   - runs/mono.trec, runs/multi.trec and, with CrossRuns,
//     runs/cross-<Y>.trec (queries of every other language against the
//     candidates of Y), TREC runs of the top RunDepth candidates by dot
//     product, and the matching qrels in qrels/ (same names, .qrels), so
//     that trec_eval (or
//     examples/treceval) can score each setting. trec_eval's map over a
//     run of depth k counts a relevant candidate below rank k as missed,
//     so it is below the report's mAP when one is.
func (r *QAResult) Write(ctx context.Context, dir string, cfg WriteConfig) error {
	rep := r.Report
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{{"report.json", rep.WriteJSON}, {"report.md", rep.WriteMarkdown}, {"report.csv", rep.WriteCSV}} {
		if err := WriteFile(filepath.Join(dir, f.name), f.write); err != nil {
			return err
		}
	}
	title := cfg.Title
	if title == "" {
		title = r.Name
	}
	for _, format := range []string{"png", "svg"} {
		hc := metrics.HeatmapConfig{Format: format, Title: title + ": mAP", Min: 0, Max: 1}
		err := WriteFile(filepath.Join(dir, "map."+format), func(w io.Writer) error { return rep.WriteHeatmap(w, "map", hc) })
		if err != nil {
			return err
		}
	}
	if cfg.RunDepth < 0 {
		return nil
	}
	depth := cfg.RunDepth
	if depth == 0 {
		depth = DefaultRunDepth
	}
	tag := cfg.Tag
	if tag == "" {
		tag = r.Name
	}
	groups := map[string][]*datasets.Task{
		"mono":  r.Task.Subtasks(datasets.Mono),
		"multi": r.Task.Subtasks(datasets.Multi),
	}
	if cfg.CrossRuns {
		for _, sub := range r.Task.Subtasks(datasets.Cross) {
			name := "cross-" + string(sub.CandidateLang)
			groups[name] = append(groups[name], sub)
		}
	}
	for _, sub := range []string{"runs", "qrels"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(groups)) {
		run, qrels, err := r.search(ctx, groups[name], depth)
		if err != nil {
			return err
		}
		if err := metrics.WriteRunFile(filepath.Join(dir, "runs", name+".trec"), run, metrics.FormatTREC, tag); err != nil {
			return err
		}
		if err := metrics.WriteQrelsFile(filepath.Join(dir, "qrels", name+".qrels"), qrels); err != nil {
			return err
		}
	}
	return nil
}

// search ranks the candidates of each subtask for its queries and merges
// the runs and qrels; query ids are unique across the subtasks of one
// group.
func (r *QAResult) search(ctx context.Context, subs []*datasets.Task, depth int) (metrics.Run, metrics.Qrels, error) {
	qRow := indexOf(r.Queries.IDs)
	cRow := indexOf(r.Candidates.IDs)
	run, qrels := metrics.Run{}, metrics.Qrels{}
	for _, sub := range subs {
		q := pick(r.Queries, qRow, sub.Queries, func(x datasets.Query) string { return x.ID })
		c := pick(r.Candidates, cRow, sub.Candidates, func(x datasets.Candidate) string { return x.ID })
		if q.Len() == 0 || c.Len() == 0 {
			continue
		}
		part, err := metrics.Search(ctx, q, c, depth, metrics.SearchConfig{})
		if err != nil {
			return nil, nil, fmt.Errorf("search %s: %w", sub.Name, err)
		}
		maps.Copy(run, part)
		maps.Copy(qrels, sub.Qrels)
	}
	return run, qrels, nil
}

func indexOf(ids []string) map[string]int {
	m := make(map[string]int, len(ids))
	for i, id := range ids {
		m[id] = i
	}
	return m
}

// pick returns the rows of e for items, in the items' order.
func pick[T any](e metrics.Embeddings, row map[string]int, items []T, id func(T) string) metrics.Embeddings {
	out := metrics.Embeddings{Dim: e.Dim, IDs: make([]string, 0, len(items)), Vectors: make([]float32, 0, len(items)*e.Dim)}
	for _, it := range items {
		i := row[id(it)]
		out.IDs = append(out.IDs, e.IDs[i])
		out.Vectors = append(out.Vectors, e.Row(i)...)
	}
	return out
}

// summaryFields lists the fields of a Summary in JSON order.
func (s *Summary) summaryFields() []*float64 {
	return []*float64{&s.MAPMono, &s.MAPCross, &s.MAPMulti, &s.R1Mono, &s.R1Cross, &s.R10Multi, &s.RankDistance}
}

var summaryNames = []string{"map_mono", "map_cross", "map_multi", "recall1_mono", "recall1_cross", "recall10_multi", "rank_distance"}

// MarshalJSON writes s as an object with an undefined (NaN) value as null,
// such as the cross-lingual figures of a single-language evaluation.
func (s Summary) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, v := range s.summaryFields() {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, summaryNames[i])
		b = append(b, ':')
		if math.IsNaN(*v) || math.IsInf(*v, 0) {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendFloat(b, *v, 'g', -1, 64)
		}
	}
	return append(b, '}'), nil
}

// UnmarshalJSON reads what MarshalJSON writes; null (or a missing field)
// is NaN.
func (s *Summary) UnmarshalJSON(data []byte) error {
	var m map[string]*float64
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	for i, p := range s.summaryFields() {
		*p = math.NaN()
		if v := m[summaryNames[i]]; v != nil {
			*p = *v
		}
	}
	return nil
}
