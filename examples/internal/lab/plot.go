package lab

import (
	"image/color"
	"io"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// A Curve is a named series of values, one per step.
type Curve struct {
	Name   string
	Values []float64
}

// Smooth returns the bias-corrected exponential moving average of v with
// weight w in (0, 1] for the newest value (as Adam corrects its moments):
// out[i] = Σ_j w(1−w)^(i−j) v[j] / (1 − (1−w)^(i+1)), so early values are
// averages of what came before rather than anchored to v[0].
func Smooth(v []float64, w float64) []float64 {
	out := make([]float64, len(v))
	m, decay := 0.0, 1.0
	for i, x := range v {
		m = (1-w)*m + w*x
		decay *= 1 - w
		out[i] = m / (1 - decay)
	}
	return out
}

// WriteCurves draws curves against the step number (1-based) to path
// atomically, in the format its extension names ("png", "svg", "pdf"...),
// each curve as a faint line of its raw values under a solid line of their
// exponential moving average.
func WriteCurves(path, title, ylabel string, curves []Curve) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "step"
	p.Y.Label.Text = ylabel
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	for i, c := range curves {
		if len(c.Values) == 0 {
			continue
		}
		col := plotutil.Color(i)
		raw, err := plotter.NewLine(xys(c.Values))
		if err != nil {
			return err
		}
		r, g, b, _ := col.RGBA()
		raw.Color = color.NRGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 60}
		smooth, err := plotter.NewLine(xys(Smooth(c.Values, 0.05)))
		if err != nil {
			return err
		}
		smooth.Color = col
		smooth.Width = vg.Points(1.5)
		p.Add(raw, smooth)
		p.Legend.Add(c.Name, smooth)
	}
	wt, err := p.WriterTo(8*vg.Inch, 4.5*vg.Inch, strings.TrimPrefix(filepath.Ext(path), "."))
	if err != nil {
		return err
	}
	return WriteFile(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}

func xys(v []float64) plotter.XYs {
	pts := make(plotter.XYs, len(v))
	for i, y := range v {
		pts[i] = plotter.XY{X: float64(i + 1), Y: y}
	}
	return pts
}
