package metrics

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/brewer"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// HeatmapConfig configures WriteHeatmap. The zero value is usable.
type HeatmapConfig struct {
	// Format is "png" or "svg"; "" means "png".
	Format string
	// Title is printed above the picture; "" means none.
	Title string
	// Decimals is the number of decimals printed in each cell; 0 means 2
	// and a negative value prints no values.
	Decimals int
	// CellSize is the side of a cell in points (1/72 inch); 0 means 54.
	CellSize float64
	// Min and Max bound the colour scale; if both are 0 the scale spans
	// the finite values of the matrix.
	Min, Max float64
}

// WriteHeatmap draws a matrix (values[i][j] for row label rows[i] and
// column label cols[j]) as a heat map with the labels on the axes and each
// value printed in its cell, and writes it to w as PNG or SVG. Rows run top
// to bottom; NaN cells are left white. It returns an error for an unknown
// format or a matrix whose shape disagrees with the labels.
func WriteHeatmap(w io.Writer, rows, cols []string, values [][]float64, cfg HeatmapConfig) error {
	if len(values) != len(rows) || len(rows) == 0 || len(cols) == 0 {
		return fmt.Errorf("metrics: heat map: %d rows of values for %d row labels", len(values), len(rows))
	}
	for _, v := range values {
		if len(v) != len(cols) {
			return fmt.Errorf("metrics: heat map: a row has %d values for %d column labels", len(v), len(cols))
		}
	}
	format := cfg.Format
	if format == "" {
		format = "png"
	}
	if format != "png" && format != "svg" {
		return fmt.Errorf("metrics: heat map: unknown format %q", format)
	}
	lo, hi := cfg.Min, cfg.Max
	if lo == 0 && hi == 0 {
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, v := range values {
			for _, x := range v {
				if !math.IsNaN(x) && !math.IsInf(x, 0) {
					lo, hi = min(lo, x), max(hi, x)
				}
			}
		}
		if lo > hi {
			lo, hi = 0, 1
		}
	}
	if hi <= lo {
		hi = lo + 1
	}
	pal, err := brewer.GetPalette(brewer.TypeSequential, "YlGnBu", 9)
	if err != nil {
		return err
	}
	g := heatGrid{values: values}
	hm := plotter.NewHeatMap(g, pal)
	hm.Min, hm.Max = lo, hi
	hm.NaN = color.White
	hm.Underflow, hm.Overflow = pal.Colors()[0], pal.Colors()[len(pal.Colors())-1]

	p := plot.New()
	p.Title.Text = cfg.Title
	p.Add(hm)
	p.X.Label.Text = "candidate language"
	p.Y.Label.Text = "query language"
	p.X.Min, p.X.Max = -0.5, float64(len(cols))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(len(rows))-0.5
	p.X.Tick.Marker = labelTicks(cols, func(i int) float64 { return float64(i) })
	p.Y.Tick.Marker = labelTicks(rows, func(i int) float64 { return g.Y(i) })
	p.X.Padding, p.Y.Padding = 0, 0

	if cfg.Decimals >= 0 {
		dec := cfg.Decimals
		if dec == 0 {
			dec = 2
		}
		var xyl plotter.XYLabels
		var styles []color.Color
		for r, v := range values {
			for c, x := range v {
				if math.IsNaN(x) {
					continue
				}
				xyl.XYs = append(xyl.XYs, plotter.XY{X: float64(c), Y: g.Y(r)})
				xyl.Labels = append(xyl.Labels, strconv.FormatFloat(x, 'f', dec, 64))
				// Dark cells (upper part of the scale) get white text.
				if (x-lo)/(hi-lo) > 0.55 {
					styles = append(styles, color.White)
				} else {
					styles = append(styles, color.Black)
				}
			}
		}
		if len(xyl.XYs) > 0 {
			labels, err := plotter.NewLabels(xyl)
			if err != nil {
				return err
			}
			for i := range labels.TextStyle {
				labels.TextStyle[i].XAlign = draw.XCenter
				labels.TextStyle[i].YAlign = draw.YCenter
				labels.TextStyle[i].Color = styles[i]
				labels.TextStyle[i].Font.Size = vg.Points(11)
			}
			p.Add(labels)
		}
	}
	cell := cfg.CellSize
	if cell == 0 {
		cell = 54
	}
	width := vg.Points(cell*float64(len(cols)) + 80)
	height := vg.Points(cell*float64(len(rows)) + 70)
	wt, err := p.WriterTo(width, height, format)
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}

// WriteHeatmap draws the named measure of r as a language-pair heat map
// (see Matrix and the function WriteHeatmap). An unknown measure is an
// error.
func (r *Report) WriteHeatmap(w io.Writer, measure string, cfg HeatmapConfig) error {
	known := false
	for _, m := range r.Measures {
		known = known || m == measure
	}
	if !known {
		return fmt.Errorf("metrics: heat map: unknown measure %q", measure)
	}
	rows, cols, values := r.Matrix(measure)
	if cfg.Title == "" {
		cfg.Title = measure
	}
	return WriteHeatmap(w, rows, cols, values, cfg)
}

// heatGrid shows row 0 at the top.
type heatGrid struct{ values [][]float64 }

func (g heatGrid) Dims() (c, r int)   { return len(g.values[0]), len(g.values) }
func (g heatGrid) Z(c, r int) float64 { return g.values[r][c] }
func (g heatGrid) X(c int) float64    { return float64(c) }
func (g heatGrid) Y(r int) float64    { return float64(len(g.values) - 1 - r) }

func labelTicks(labels []string, pos func(int) float64) plot.ConstantTicks {
	ticks := make(plot.ConstantTicks, len(labels))
	for i, l := range labels {
		ticks[i] = plot.Tick{Value: pos(i), Label: l}
	}
	return ticks
}
