package metrics

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// WriteMarkdown writes the report as two Markdown tables: the summaries
// (macro and micro per kind) and the cells. Values have 4 decimals; an
// undefined value is "–".
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	header := func(first ...string) {
		cols := append(first, r.Measures...)
		b.WriteString("| " + strings.Join(cols, " | ") + " |\n|")
		for range cols {
			b.WriteString("---|")
		}
		b.WriteString("\n")
	}
	row := func(first []string, v []float64) {
		b.WriteString("| " + strings.Join(first, " | "))
		for _, x := range v {
			b.WriteString(" | " + mdFloat(x))
		}
		b.WriteString(" |\n")
	}
	header("setting", "average", "cells", "queries")
	for _, s := range r.Summaries {
		row([]string{s.Kind.String(), "macro", strconv.Itoa(s.Cells), strconv.Itoa(s.Queries)}, s.Macro)
		row([]string{s.Kind.String(), "micro", strconv.Itoa(s.Cells), strconv.Itoa(s.Queries)}, s.Micro)
	}
	b.WriteString("\n")
	header("setting", "query", "candidates", "queries")
	for _, c := range r.Cells {
		row([]string{c.Kind.String(), c.QueryLang, c.CandidateLang, strconv.Itoa(c.Queries)}, c.Values)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdFloat(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	return strconv.FormatFloat(x, 'f', 4, 64)
}

// WriteCSV writes the report as one CSV table with a header row: columns
// kind, query_lang, candidate_lang, average ("cell", "macro", "micro" or
// "query_lang" for a Summary's ByQueryLang rows), cells, queries, then the
// measures. Values have full precision (strconv 'g', -1); an undefined
// value is an empty field.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	rec := append([]string{"kind", "query_lang", "candidate_lang", "average", "cells", "queries"}, r.Measures...)
	if err := cw.Write(rec); err != nil {
		return err
	}
	write := func(first []string, v []float64) error {
		rec = append(rec[:0], first...)
		for _, x := range v {
			if math.IsNaN(x) {
				rec = append(rec, "")
			} else {
				rec = append(rec, strconv.FormatFloat(x, 'g', -1, 64))
			}
		}
		return cw.Write(rec)
	}
	for _, c := range r.Cells {
		if err := write([]string{c.Kind.String(), c.QueryLang, c.CandidateLang, "cell", "1", strconv.Itoa(c.Queries)}, c.Values); err != nil {
			return err
		}
	}
	for _, s := range r.Summaries {
		n, q := strconv.Itoa(s.Cells), strconv.Itoa(s.Queries)
		if err := write([]string{s.Kind.String(), "", "", "macro", n, q}, s.Macro); err != nil {
			return err
		}
		if err := write([]string{s.Kind.String(), "", "", "micro", n, q}, s.Micro); err != nil {
			return err
		}
		for _, lv := range s.ByQueryLang {
			if err := write([]string{s.Kind.String(), lv.Lang, "", "query_lang", "", ""}, lv.Values); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// jsonFloat writes NaN as null.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(f))
}

type jsonValues map[string]jsonFloat

func (r *Report) values(v []float64) jsonValues {
	out := make(jsonValues, len(v))
	for i, x := range v {
		out[r.Measures[i]] = jsonFloat(x)
	}
	return out
}

type jsonReport struct {
	Measures  []string      `json:"measures"`
	Summaries []jsonSummary `json:"summaries"`
	Cells     []jsonCell    `json:"cells"`
	Queries   []jsonQuery   `json:"queries,omitempty"`
}

type jsonSummary struct {
	Kind        string                `json:"kind"`
	Cells       int                   `json:"cells"`
	Queries     int                   `json:"queries"`
	Macro       jsonValues            `json:"macro"`
	Micro       jsonValues            `json:"micro"`
	ByQueryLang map[string]jsonValues `json:"by_query_lang"`
}

type jsonCell struct {
	Kind          string     `json:"kind"`
	QueryLang     string     `json:"query_lang"`
	CandidateLang string     `json:"candidate_lang"`
	Queries       int        `json:"queries"`
	Skipped       int        `json:"skipped"`
	Values        jsonValues `json:"values"`
}

type jsonQuery struct {
	ID            string     `json:"id"`
	Kind          string     `json:"kind"`
	QueryLang     string     `json:"query_lang"`
	CandidateLang string     `json:"candidate_lang"`
	Ranks         []int      `json:"ranks"`
	Values        jsonValues `json:"values"`
}

func (r *Report) jsonValue() jsonReport {
	out := jsonReport{Measures: r.Measures, Summaries: []jsonSummary{}, Cells: []jsonCell{}}
	for _, s := range r.Summaries {
		js := jsonSummary{Kind: s.Kind.String(), Cells: s.Cells, Queries: s.Queries,
			Macro: r.values(s.Macro), Micro: r.values(s.Micro), ByQueryLang: map[string]jsonValues{}}
		for _, lv := range s.ByQueryLang {
			js.ByQueryLang[lv.Lang] = r.values(lv.Values)
		}
		out.Summaries = append(out.Summaries, js)
	}
	for _, c := range r.Cells {
		out.Cells = append(out.Cells, jsonCell{Kind: c.Kind.String(), QueryLang: c.QueryLang,
			CandidateLang: c.CandidateLang, Queries: c.Queries, Skipped: c.Skipped, Values: r.values(c.Values)})
	}
	for _, q := range r.Queries {
		out.Queries = append(out.Queries, jsonQuery{ID: q.ID, Kind: q.Kind.String(), QueryLang: q.QueryLang,
			CandidateLang: q.CandidateLang, Ranks: q.Ranks, Values: r.values(q.Values)})
	}
	return out
}

// WriteJSON writes the report as an indented JSON object with "measures",
// "summaries", "cells" and, if kept, "queries"; values are keyed by
// measure name, at full precision; an undefined value is null.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(r.jsonValue()); err != nil {
		return fmt.Errorf("metrics: write report: %w", err)
	}
	return nil
}
