package metrics

import (
	"math"
	"slices"
	"strconv"
)

// Report holds the results of EvaluateLAReQA: one Cell per setting (query
// language, candidate language), one Summary per Kind, and optionally every
// query's values. Values are aligned with Measures; a measure undefined in
// a cell (rank_distance outside Multilingual) is NaN.
//
// Averages: a cell's value is the mean over its evaluated queries. A
// Summary's Macro is the mean over the kind's cells that have queries
// (Crosslingual: over the ordered pairs; equal to the mean of the
// per-query-language means when every language has the same number of
// targets); its Micro is the mean over all the queries of all those cells;
// ByQueryLang holds the mean over the cells of each query language. For
// Multilingual, the "rank_distance" cell values are the per-language mean
// rank distances and Macro is the paper's language-bias figure (mean per
// language, then macro over languages). Sums are compensated, so means
// agree with a correctly rounded sum to about the last bit.
type Report struct {
	Measures  []string
	Cells     []Cell // by Kind, then query language, then candidate language
	Summaries []Summary
	Queries   []QueryResult // only with LAReQAConfig.PerQuery, in cell order
}

// Cell is one setting: queries in QueryLang against the candidates in
// CandidateLang (AllLangs for Multilingual).
type Cell struct {
	Kind          Kind
	QueryLang     string
	CandidateLang string
	Queries       int // queries evaluated
	Skipped       int // queries without a relevant candidate in the pool
	Values        []float64
}

// Summary aggregates the cells of one Kind.
type Summary struct {
	Kind        Kind
	Cells       int // cells with at least one query
	Queries     int
	Macro       []float64
	Micro       []float64
	ByQueryLang []LangValues
}

// LangValues are the values of one language.
type LangValues struct {
	Lang   string
	Values []float64
}

// QueryResult is one query evaluated in one cell.
type QueryResult struct {
	ID            string
	Kind          Kind
	QueryLang     string
	CandidateLang string
	Ranks         Ranks
	Values        []float64
}

// Value returns the value of the named measure in the cell (kind,
// queryLang, candLang), or NaN if there is no such cell or measure.
func (r *Report) Value(kind Kind, queryLang, candLang, measure string) float64 {
	m := slices.Index(r.Measures, measure)
	for _, c := range r.Cells {
		if m >= 0 && c.Kind == kind && c.QueryLang == queryLang && c.CandidateLang == candLang {
			return c.Values[m]
		}
	}
	return math.NaN()
}

// Summary returns the summary of kind, or nil.
func (r *Report) Summary(kind Kind) *Summary {
	for i := range r.Summaries {
		if r.Summaries[i].Kind == kind {
			return &r.Summaries[i]
		}
	}
	return nil
}

// Matrix returns the named measure as a language-pair matrix: rows are the
// query languages, columns the candidate languages followed by AllLangs
// (the Multilingual cells); the diagonal holds the Monolingual cells. A
// missing cell or measure is NaN.
func (r *Report) Matrix(measure string) (rows, cols []string, values [][]float64) {
	m := slices.Index(r.Measures, measure)
	for _, c := range r.Cells {
		rows = append(rows, c.QueryLang)
		if c.Kind != Multilingual {
			cols = append(cols, c.CandidateLang)
		}
	}
	rows, cols = distinct(rows), append(distinct(cols), AllLangs)
	values = make([][]float64, len(rows))
	for i := range values {
		values[i] = make([]float64, len(cols))
		for j := range values[i] {
			values[i][j] = math.NaN()
		}
	}
	if m < 0 {
		return rows, cols, values
	}
	for _, c := range r.Cells {
		i, _ := slices.BinarySearch(rows, c.QueryLang)
		j := len(cols) - 1
		if c.Kind != Multilingual {
			j, _ = slices.BinarySearch(cols[:len(cols)-1], c.CandidateLang)
		}
		values[i][j] = c.Values[m]
	}
	return rows, cols, values
}

type cellKey struct {
	kind                Kind
	queryLang, candLang string
}

// reportBuilder accumulates per-query values into a Report.
type reportBuilder struct {
	cuts, apCuts []int
	perQuery     bool
	r            *Report
	cell         *Cell
	sum          []kahan // current cell
	kindSum      [Multilingual + 1][]kahan
	kindQueries  [Multilingual + 1]int
	values       []float64
}

func newReportBuilder(cuts, apCuts []int, perQuery bool) *reportBuilder {
	b := &reportBuilder{cuts: cuts, apCuts: apCuts, perQuery: perQuery, r: &Report{}}
	b.r.Measures = append(b.r.Measures, "map")
	for _, k := range apCuts {
		b.r.Measures = append(b.r.Measures, "map@"+strconv.Itoa(k))
	}
	for _, k := range cuts {
		b.r.Measures = append(b.r.Measures, "recall@"+strconv.Itoa(k))
	}
	for _, k := range cuts {
		b.r.Measures = append(b.r.Measures, "hit@"+strconv.Itoa(k))
	}
	b.r.Measures = append(b.r.Measures, "rank_distance")
	for k := range b.kindSum {
		b.kindSum[k] = make([]kahan, len(b.r.Measures))
	}
	return b
}

func (b *reportBuilder) startCell(k cellKey) {
	b.closeCell()
	b.cell = &Cell{Kind: k.kind, QueryLang: k.queryLang, CandidateLang: k.candLang}
	b.sum = make([]kahan, len(b.r.Measures))
}

func (b *reportBuilder) closeCell() {
	if b.cell == nil {
		return
	}
	c := b.cell
	c.Values = make([]float64, len(b.sum))
	for m := range b.sum {
		c.Values[m] = b.sum[m].value() / float64(c.Queries)
		if c.Kind != Multilingual && m == len(b.sum)-1 {
			c.Values[m] = math.NaN()
		}
	}
	b.r.Cells = append(b.r.Cells, *c)
	b.cell = nil
}

// addQuery adds one query of the current cell; ranks are its relevant
// items' ranks in the pool, ascending.
func (b *reportBuilder) addQuery(id string, ranks Ranks) {
	c := b.cell
	if len(ranks) == 0 {
		c.Skipped++
		return
	}
	c.Queries++
	b.kindQueries[c.Kind]++
	v := append(b.values[:0], ranks.AP())
	for _, k := range b.apCuts {
		v = append(v, ranks.APAt(k))
	}
	for _, k := range b.cuts {
		v = append(v, ranks.RecallAt(k))
	}
	for _, k := range b.cuts {
		v = append(v, ranks.HitAt(k))
	}
	rd := math.NaN()
	if c.Kind == Multilingual {
		rd = float64(ranks.Distance())
	}
	v = append(v, rd)
	b.values = v
	for m, x := range v {
		b.sum[m].add(x)
		b.kindSum[c.Kind][m].add(x)
	}
	if b.perQuery {
		b.r.Queries = append(b.r.Queries, QueryResult{ID: id, Kind: c.Kind, QueryLang: c.QueryLang,
			CandidateLang: c.CandidateLang, Ranks: slices.Clone(ranks), Values: slices.Clone(v)})
	}
}

func (b *reportBuilder) finish() *Report {
	b.closeCell()
	nm := len(b.r.Measures)
	for kind := Monolingual; kind <= Multilingual; kind++ {
		s := Summary{Kind: kind, Queries: b.kindQueries[kind], Macro: make([]float64, nm), Micro: make([]float64, nm)}
		macro := make([]kahan, nm)
		byLang := map[string][]kahan{}
		byLangN := map[string]int{}
		var langs []string
		for _, c := range b.r.Cells {
			if c.Kind != kind || c.Queries == 0 {
				continue
			}
			s.Cells++
			if byLang[c.QueryLang] == nil {
				byLang[c.QueryLang] = make([]kahan, nm)
				langs = append(langs, c.QueryLang)
			}
			byLangN[c.QueryLang]++
			for m, x := range c.Values {
				macro[m].add(x)
				byLang[c.QueryLang][m].add(x)
			}
		}
		if s.Cells == 0 {
			continue
		}
		for m := range nm {
			s.Macro[m] = macro[m].value() / float64(s.Cells)
			s.Micro[m] = b.kindSum[kind][m].value() / float64(s.Queries)
		}
		for _, l := range langs {
			lv := LangValues{Lang: l, Values: make([]float64, nm)}
			for m := range nm {
				lv.Values[m] = byLang[l][m].value() / float64(byLangN[l])
			}
			s.ByQueryLang = append(s.ByQueryLang, lv)
		}
		b.r.Summaries = append(b.r.Summaries, s)
	}
	return b.r
}
