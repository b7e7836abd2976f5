package sampler_test

import (
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/sampler"
	"github.com/polyret/polyret/sampler/samplertest"
)

var update = flag.Bool("update", false, "rewrite testdata/golden_batches.txt (our own format)")

func TestDeterminism(t *testing.T) {
	data := resumeData()
	for _, cfg := range resumeConfigs {
		a, _ := drawN(t, mustNew(t, data, cfg), 300)
		b, _ := drawN(t, mustNew(t, data, cfg), 300)
		compareRuns(t, fmt.Sprintf("%+v twice", cfg), b, a)
		cfg.Seed++
		c, _ := drawN(t, mustNew(t, data, cfg), 300)
		same := 0
		for i := range c {
			if sameBatch(c[i], a[i]) == "" {
				same++
			}
		}
		if same > 3 {
			t.Errorf("%+v: seeds %d and %d share %d of 300 batches", cfg, cfg.Seed-1, cfg.Seed, same)
		}
	}
}

// TestMapOrder rebuilds the datasets with the languages inserted into the
// maps in reverse order: the batches must not change.
func TestMapOrder(t *testing.T) {
	data := resumeData()
	rebuilt := make([]datasets.Dataset, len(data))
	for i, d := range data {
		rebuilt[i] = datasets.Dataset{Name: d.Name, Tuples: make([]datasets.Tuple, len(d.Tuples))}
		for j, tu := range d.Tuples {
			ls := make([]datasets.Lang, 0, len(tu.Langs))
			for l := range tu.Langs {
				ls = append(ls, l)
			}
			m := make(map[datasets.Lang]datasets.Triplet)
			for k := len(ls) - 1; k >= 0; k-- {
				m[ls[k]] = tu.Langs[ls[k]]
			}
			rebuilt[i].Tuples[j] = datasets.Tuple{Group: tu.Group, Langs: m}
		}
	}
	for _, cfg := range resumeConfigs {
		a, _ := drawN(t, mustNew(t, data, cfg), 200)
		b, _ := drawN(t, mustNew(t, rebuilt, cfg), 200)
		compareRuns(t, fmt.Sprintf("%+v rebuilt", cfg), b, a)
	}
}

func TestAlphaOneIsXXMono(t *testing.T) {
	data := resumeData()
	a, _ := drawN(t, mustNew(t, data, sampler.Config{BatchSize: 32, Alpha: 1, Seed: 9}), 300)
	b, _ := drawN(t, mustNew(t, data, sampler.Config{BatchSize: 32, Strategy: sampler.XXMono, Seed: 9}), 300)
	compareRuns(t, "Alpha 1 vs XXMono", a, b)
}

// TestGolden pins the batches of one seed, so that a change of machine,
// Go version or code that alters them shows. The file is our own format;
// -update rewrites it after an intended change.
func TestGolden(t *testing.T) {
	cfg := sampler.Config{BatchSize: 6, Seed: 2024, Alpha: 0.4, Negatives: 1, MixDatasets: true, LangWeighting: sampler.ByTemperature, LangTemperature: 0.7}
	s := mustNew(t, resumeData(), cfg)
	var out strings.Builder
	fmt.Fprintf(&out, "# sampler.Config%+v over resumeData(); first 20 batches, then a hash of 10,000.\n", cfg)
	h := fnv.New64a()
	for step := range 10_000 {
		b, err := s.Next()
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range b.Items {
			line := fmt.Sprintf("%d %v %s %s %s>%s %q\n", step, b.Mode, it.Dataset, it.Group, it.QueryLang, it.PassageLang, it.Negatives)
			if step < 20 {
				out.WriteString(line)
			}
			io.WriteString(h, line)
		}
	}
	fmt.Fprintf(&out, "hash %016x\n", h.Sum64())
	path := filepath.Join("testdata", "golden_batches.txt")
	if *update {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s line %d:\n got %s\nwant %s", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s: %d lines, want %d", path, len(gl), len(wl))
	}
}

func TestShardConsistency(t *testing.T) {
	data := resumeData()
	for _, base := range []sampler.Config{
		{BatchSize: 32, Seed: 4},
		{BatchSize: 32, Seed: 4, MixDatasets: true, Strategy: sampler.XX},
		{BatchSize: 32, Seed: 4, PairPerBatch: true},
	} {
		global, _ := drawN(t, mustNew(t, data, base), 400)
		const world = 4
		var ranks [world][]sampler.Batch
		for r := range world {
			c := base
			c.Rank, c.WorldSize = r, world
			ranks[r], _ = drawN(t, mustNew(t, data, c), 400)
		}
		for step, g := range global {
			var joined []sampler.Item
			for r := range world {
				b := ranks[r][step]
				if b.Mode != g.Mode {
					t.Fatalf("%+v: step %d: rank %d mode %v, global %v", base, step, r, b.Mode, g.Mode)
				}
				joined = append(joined, b.Items...)
			}
			if d := sameBatch(sampler.Batch{Mode: g.Mode, Items: joined}, g); d != "" {
				t.Fatalf("%+v: step %d: ranks joined: %s", base, step, d)
			}
			if ranks[0][step].Len() != 8 {
				t.Fatalf("%+v: step %d: rank 0 has %d items, want 8", base, step, ranks[0][step].Len())
			}
		}
	}
}

func TestCheckEveryMode(t *testing.T) {
	data := resumeData()
	cfgs := append([]sampler.Config{
		{BatchSize: 16, Epochs: 1},
		{BatchSize: 16, KeepLast: true, Epochs: 2, Strategy: sampler.XX},
		{BatchSize: 16, Strategy: sampler.XY, PairPerBatch: true},
	}, resumeConfigs...)
	for _, cfg := range cfgs {
		if err := samplertest.Check(mustNew(t, data, cfg)); err != nil {
			t.Errorf("Check(%+v): %v", cfg, err)
		}
	}
}

func TestNextAllocs(t *testing.T) {
	data := resumeData()
	for _, cfg := range resumeConfigs {
		s := mustNew(t, data, cfg)
		drawN(t, s, 2000) // grow buffers, start every dataset's epochs
		if cfg.Epochs > 0 {
			continue
		}
		if n := testing.AllocsPerRun(200, func() { s.Next() }); n != 0 {
			t.Errorf("%+v: Next allocates %v times per batch", cfg, n)
		}
	}
}
