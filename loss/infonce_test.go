package loss

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/mat/float"
)

// goldenCase is one file of testdata/infonce, written by testdata/gen/gen_cases.py
// (PyTorch autograd, float64).
type goldenCase struct {
	Name  string `json:"name"`
	Input struct {
		Queries        [][]float64 `json:"queries"`
		Positives      [][]float64 `json:"positives"`
		Negatives      [][]float64 `json:"negatives"`
		NegativeOf     []int       `json:"negative_of"`
		Groups         []string    `json:"groups"`
		Temperature    float64     `json:"temperature"`
		Learnable      bool        `json:"learnable"`
		MinTemperature float64     `json:"min_temperature"`
		MaxTemperature float64     `json:"max_temperature"`
		Similarity     string      `json:"similarity"`
		InBatch        string      `json:"in_batch"`
		Symmetric      bool        `json:"symmetric"`
		Reduction      string      `json:"reduction"`
	} `json:"input"`
	Output struct {
		Loss          float64     `json:"loss"`
		GradQueries   [][]float64 `json:"grad_queries"`
		GradPositives [][]float64 `json:"grad_positives"`
		GradNegatives [][]float64 `json:"grad_negatives"`
		GradLogScale  *float64    `json:"grad_log_scale"`
	} `json:"output"`
}

// loadGoldens returns the general cases plus the two legacy goldens of
// ../shared/testdata/loss (passages = positives then hard negatives) in the
// same form.
func loadGoldens(t *testing.T) []goldenCase {
	t.Helper()
	files, err := filepath.Glob("testdata/infonce/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	var cases []goldenCase
	for _, f := range files {
		var c goldenCase
		readJSON(t, f, &c)
		cases = append(cases, c)
	}
	for _, name := range []string{"inbatch_4x8", "hardneg_3q6p_norm"} {
		var in struct {
			Queries     [][]float64 `json:"queries"`
			Passages    [][]float64 `json:"passages"`
			Temperature float64     `json:"temperature"`
			Normalize   bool        `json:"normalize"`
			Labels      []int       `json:"labels"`
		}
		var out struct {
			Loss         float64     `json:"loss"`
			GradQueries  [][]float64 `json:"grad_queries"`
			GradPassages [][]float64 `json:"grad_passages"`
			Settings     struct{ Reduction string }
		}
		readJSON(t, "testdata/infonce/legacy/"+name+".in.json", &in)
		readJSON(t, "testdata/infonce/legacy/"+name+".out.json", &out)
		b := len(in.Queries)
		for i, l := range in.Labels {
			if l != i {
				t.Fatalf("%s: label %d of query %d is not the identity", name, l, i)
			}
		}
		var c goldenCase
		c.Name = "legacy/" + name
		c.Input.Queries, c.Input.Positives, c.Input.Negatives = in.Queries, in.Passages[:b], in.Passages[b:]
		for m := range len(in.Passages) - b {
			c.Input.NegativeOf = append(c.Input.NegativeOf, m%b) // any owner: every query sees every hard negative
		}
		c.Input.Temperature = in.Temperature
		c.Input.Similarity = map[bool]string{true: "cosine", false: "dot"}[in.Normalize]
		c.Input.InBatch, c.Input.Reduction = "all", out.Settings.Reduction
		c.Output.Loss, c.Output.GradQueries = out.Loss, out.GradQueries
		c.Output.GradPositives, c.Output.GradNegatives = out.GradPassages[:b], out.GradPassages[b:]
		cases = append(cases, c)
	}
	return cases
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// config returns the Config of a golden case, with a fresh LogitScale of
// element type T when the temperature is learnable.
func goldenConfig[T float.DType](t *testing.T, c *goldenCase) Config {
	in := &c.Input
	cfg := Config{Temperature: in.Temperature, Symmetric: in.Symmetric}
	switch in.Similarity {
	case "cosine":
		cfg.Similarity = Cosine
	case "dot":
		cfg.Similarity = Dot
	default:
		t.Fatalf("%s: similarity %q", c.Name, in.Similarity)
	}
	modes := map[string]InBatch{"all": InBatchAll, "hard_negatives": InBatchHardNegatives, "positives": InBatchPositives, "none": InBatchNone}
	mode, ok := modes[in.InBatch]
	if !ok {
		t.Fatalf("%s: in_batch %q", c.Name, in.InBatch)
	}
	cfg.InBatch = mode
	switch in.Reduction {
	case "mean":
		cfg.Reduction = Mean
	case "sum":
		cfg.Reduction = Sum
	default:
		t.Fatalf("%s: reduction %q", c.Name, in.Reduction)
	}
	if in.Learnable {
		cfg.LogitScale = NewLogitScale[T](in.Temperature)
		cfg.LogitScale.MinTemperature, cfg.LogitScale.MaxTemperature = in.MinTemperature, in.MaxTemperature
	}
	return cfg
}

// denseOf returns rows as a B×d matrix of T that requires gradients, or nil
// for no rows.
func denseOf[T float.DType](rows [][]float64) *mat.Dense[T] {
	if len(rows) == 0 {
		return nil
	}
	d := len(rows[0])
	data := make([]T, 0, len(rows)*d)
	for _, r := range rows {
		for _, v := range r {
			data = append(data, T(v))
		}
	}
	return mat.NewDense[T](mat.WithShape(len(rows), d), mat.WithBacking(data), mat.WithGrad(true))
}

// closeEnough reports |got−want| ≤ tol·max(|want|, floor).
func closeEnough(got, want, tol, floor float64) bool {
	return math.Abs(got-want) <= tol*max(math.Abs(want), floor)
}

// compareRows checks the gradient of got (row-major) against want; floor is the magnitude
// below which the tolerance becomes absolute. It returns the largest
// |got−want|/max(|want|, floor).
func compareRows(t *testing.T, name string, got mat.Tensor, want [][]float64, tol, floor float64) float64 {
	t.Helper()
	if len(want) == 0 {
		return 0
	}
	if got == nil || !got.HasGrad() {
		t.Errorf("%s: no gradient", name)
		return math.Inf(1)
	}
	g := got.Grad().Data().F64()
	d := len(want[0])
	if len(g) != len(want)*d {
		t.Fatalf("%s: %d values, want %d", name, len(g), len(want)*d)
	}
	worst := 0.0
	for i, r := range want {
		for k, w := range r {
			v := g[i*d+k]
			worst = max(worst, math.Abs(v-w)/max(math.Abs(w), floor))
			if !closeEnough(v, w, tol, floor) {
				t.Errorf("%s[%d][%d] = %.17g, want %.17g", name, i, k, v, w)
				return worst
			}
		}
	}
	return worst
}

func maxAbs(rows ...[][]float64) float64 {
	m := 0.0
	for _, rs := range rows {
		for _, r := range rs {
			for _, v := range r {
				m = max(m, math.Abs(v))
			}
		}
	}
	return m
}

// testGoldens checks loss and gradients of every golden case in element type T.
// floorRel scales the largest reference gradient into the magnitude below
// which the comparison is absolute.
func testGoldens[T float.DType](t *testing.T, tol, floorRel float64) {
	worst, worstNorm := 0.0, 0.0
	for _, c := range loadGoldens(t) {
		t.Run(c.Name, func(t *testing.T) {
			q, p, n := denseOf[T](c.Input.Queries), denseOf[T](c.Input.Positives), denseOf[T](c.Input.Negatives)
			b := Batch{Queries: q, Positives: p, NegativeOf: c.Input.NegativeOf, Groups: c.Input.Groups}
			if n != nil {
				b.Negatives = n
			}
			cfg := goldenConfig[T](t, &c)
			l, err := InfoNCE(b, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := l.Value().Item().F64(); !closeEnough(got, c.Output.Loss, tol, 1) {
				t.Errorf("loss = %.17g, want %.17g", got, c.Output.Loss)
			}
			if err := ag.Backward(l); err != nil {
				t.Fatal(err)
			}
			floor := max(floorRel*maxAbs(c.Output.GradQueries, c.Output.GradPositives, c.Output.GradNegatives), 1e-300)
			for _, g := range []struct {
				got  mat.Tensor
				want [][]float64
			}{{q, c.Output.GradQueries}, {p, c.Output.GradPositives}} {
				worstNorm = max(worstNorm, compareRows(t, "normwise", g.got, g.want, math.Inf(1), floor/floorRel))
			}
			worst = max(worst, compareRows(t, "grad queries", q, c.Output.GradQueries, tol, floor))
			worst = max(worst, compareRows(t, "grad positives", p, c.Output.GradPositives, tol, floor))
			if n != nil {
				worst = max(worst, compareRows(t, "grad negatives", n, c.Output.GradNegatives, tol, floor))
			}
			if (c.Output.GradLogScale != nil) != c.Input.Learnable {
				t.Fatal("grad_log_scale present iff learnable")
			}
			if c.Input.Learnable {
				var got float64
				if cfg.LogitScale.Param.HasGrad() {
					got = cfg.LogitScale.Param.Grad().Item().F64()
				}
				want := *c.Output.GradLogScale
				if !closeEnough(got, want, tol, 1) {
					t.Errorf("grad log scale = %.17g, want %.17g", got, want)
				}
			}
		})
	}
	t.Logf("largest gradient error relative to max(|want|, %g·max|grad|): %.3g; to max|grad|: %.3g", floorRel, worst, worstNorm)
}

// TestInfoNCEGoldens64 compares every option with PyTorch autograd to 1e-9
// (relative, absolute below 1e-9·max|gradient| of the case).
func TestInfoNCEGoldens64(t *testing.T) { testGoldens[float64](t, 1e-9, 1e-3) }

// TestInfoNCEGoldens32 repeats TestInfoNCEGoldens64 in float32 (inputs rounded
// to float32) to 1e-5 relative, absolute below 1% of the case's largest
// gradient: tinier entries carry the cancellation of the cosine backward and
// the rounding of the inputs themselves (each ~1e-5 of those entries).
func TestInfoNCEGoldens32(t *testing.T) { testGoldens[float32](t, 1e-5, 1e-2) }

func TestGoldensCoverOptions(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range loadGoldens(t) {
		in := c.Input
		seen["sim="+in.Similarity] = true
		seen["inbatch="+in.InBatch] = true
		seen["reduction="+in.Reduction] = true
		seen["symmetric="+map[bool]string{true: "yes", false: "no"}[in.Symmetric]] = true
		seen["learnable="+map[bool]string{true: "yes", false: "no"}[in.Learnable]] = true
		seen["groups="+map[bool]string{true: "yes", false: "no"}[in.Groups != nil]] = true
	}
	for _, k := range strings.Fields("sim=cosine sim=dot inbatch=all inbatch=hard_negatives inbatch=positives inbatch=none reduction=mean reduction=sum symmetric=yes symmetric=no learnable=yes learnable=no groups=yes groups=no") {
		if !seen[k] {
			t.Errorf("no golden case with %s", k)
		}
	}
}

// TestPresets checks that Paper() and the zero Config are the configurations
// of the golden cases paper_eq1 and default_zero_config.
func TestPresets(t *testing.T) {
	for name, cfg := range map[string]Config{"paper_eq1": Paper(), "default_zero_config": {}} {
		var c goldenCase
		readJSON(t, "testdata/infonce/"+name+".json", &c)
		b := Batch{Queries: denseOf[float64](c.Input.Queries), Positives: denseOf[float64](c.Input.Positives),
			Negatives: denseOf[float64](c.Input.Negatives), NegativeOf: c.Input.NegativeOf, Groups: c.Input.Groups}
		l, err := InfoNCE(b, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := l.Value().Item().F64(); !closeEnough(got, c.Output.Loss, 1e-9, 1) {
			t.Errorf("%s: loss = %.17g, want %.17g", name, got, c.Output.Loss)
		}
	}
}

func TestLogitScaleTemperature(t *testing.T) {
	for _, tc := range []struct {
		tau, min, max, want float64
	}{
		{0.07, 0, 0, 0.07},
		{0.005, 0, 0, 0.01},
		{3, 0, 0, 1},
		{0.2, 0.05, 0.5, 0.2},
		{0.01, 0.05, 0.5, 0.05},
		{0.9, 0.05, 0.5, 0.5},
	} {
		s := NewLogitScale[float64](tc.tau)
		s.MinTemperature, s.MaxTemperature = tc.min, tc.max
		if got := s.Temperature(); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("τ %v in [%v, %v]: Temperature() = %v, want %v", tc.tau, tc.min, tc.max, got, tc.want)
		}
	}
}
