package sampler_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/sampler"
)

// sameBatch describes the first difference between two batches, or
// returns "".
func sameBatch(got, want sampler.Batch) string {
	if got.Mode != want.Mode || got.Len() != want.Len() {
		return fmt.Sprintf("%v batch of %d, want %v batch of %d", got.Mode, got.Len(), want.Mode, want.Len())
	}
	for i, g := range got.Items {
		w := want.Items[i]
		if g.Group != w.Group || g.Dataset != w.Dataset || g.QueryLang != w.QueryLang || g.PassageLang != w.PassageLang ||
			g.NegativeLang != w.NegativeLang || g.Query != w.Query || g.Positive != w.Positive || !slices.Equal(g.Negatives, w.Negatives) {
			return fmt.Sprintf("item %d = %+v, want %+v", i, g, w)
		}
	}
	return ""
}

// drawN returns clones of the next n batches of s, stopping at io.EOF,
// and whether it met io.EOF.
func drawN(t *testing.T, s *sampler.Hybrid, n int) ([]sampler.Batch, bool) {
	t.Helper()
	var out []sampler.Batch
	for range n {
		b, err := s.Next()
		if err == io.EOF {
			return out, true
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b.Clone())
	}
	return out, false
}

func compareRuns(t *testing.T, name string, got, want []sampler.Batch) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d batches, want %d", name, len(got), len(want))
	}
	for i := range got {
		if d := sameBatch(got[i], want[i]); d != "" {
			t.Fatalf("%s: batch %d: %s", name, i, d)
		}
	}
}

// resumeData mixes every kind of dataset: complete, partial, duplicate
// groups, English only.
func resumeData() []datasets.Dataset {
	dup := parallelData("dup", 400, langs("de", "en", "fr"), 3)
	for i := range dup.Tuples {
		dup.Tuples[i] = parallelData("dup", i/2+1, langs("de", "en", "fr"), 3).Tuples[i/2]
	}
	return []datasets.Dataset{
		parallelData("full", 700, langs("ar", "de", "en", "zh"), 2),
		partialData("part", 600, langs("de", "en", "fr"), 4),
		dup,
		parallelData("english", 300, langs("en"), 1),
	}
}

var resumeConfigs = []sampler.Config{
	{BatchSize: 32},
	{BatchSize: 32, Alpha: 0.3, PairPerBatch: true, KeepLast: true},
	{BatchSize: 32, Strategy: sampler.XX, Negatives: 2},
	{BatchSize: 32, Strategy: sampler.XY, NegativesInQueryLang: true, Negatives: 1, DatasetWeighting: sampler.Uniform},
	{BatchSize: 32, MixDatasets: true, LangWeighting: sampler.BySize},
	{BatchSize: 32, MixDatasets: true, Strategy: sampler.XY, PairPerBatch: true, DatasetWeights: []float64{1, 0, 2, 1}},
	{BatchSize: 32, Strategy: sampler.XXMono, Epochs: 10}, // ends between batches 500 and 1000
	{BatchSize: 32, Rank: 1, WorldSize: 4},
}

func TestResume(t *testing.T) {
	data := resumeData()
	for _, cfg := range resumeConfigs {
		cfg.Seed = *seed
		name := fmt.Sprintf("%+v", cfg)
		want, wantEOF := drawN(t, mustNew(t, data, cfg), 1000)
		if wantEOF != (cfg.Epochs > 0) || (wantEOF && len(want) < 500) {
			t.Fatalf("%s: %d batches then io.EOF = %v; the test wants io.EOF after 500 with Epochs only", name, len(want), wantEOF)
		}

		s := mustNew(t, data, cfg)
		first, _ := drawN(t, s, 500)
		state, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		r := mustNew(t, data, cfg)
		if err := r.UnmarshalBinary(state); err != nil {
			t.Fatalf("%s: UnmarshalBinary: %v", name, err)
		}
		if r.Step() != s.Step() {
			t.Errorf("%s: restored Step() = %d, want %d", name, r.Step(), s.Step())
		}
		for d := range data {
			if r.Epoch(d) != s.Epoch(d) {
				t.Errorf("%s: restored Epoch(%d) = %d, want %d", name, d, r.Epoch(d), s.Epoch(d))
			}
		}
		again, err := r.MarshalBinary()
		if err != nil || !bytes.Equal(again, state) {
			t.Errorf("%s: MarshalBinary after UnmarshalBinary differs", name)
		}
		second, gotEOF := drawN(t, r, 1000-len(first))
		compareRuns(t, name+" resumed", append(first, second...), want)
		if gotEOF != wantEOF {
			t.Errorf("%s: resumed run ends with io.EOF = %v, want %v", name, gotEOF, wantEOF)
		}
		// Rewinding the first sampler gives the same batches again.
		if err := s.UnmarshalBinary(state); err != nil {
			t.Fatal(err)
		}
		rewound, _ := drawN(t, s, 1000-len(first))
		compareRuns(t, name+" rewound", rewound, second)
	}
}

func TestResumeAcrossRanks(t *testing.T) {
	data := resumeData()
	cfg := sampler.Config{BatchSize: 32, Seed: *seed}
	global := mustNew(t, data, cfg)
	drawN(t, global, 77)
	state, _ := global.MarshalBinary()
	want, _ := drawN(t, global, 50)
	// A state saved with WorldSize 1 resumes every rank of 4, or the
	// other way round, as only the slicing depends on the rank.
	for rank := range 4 {
		c := cfg
		c.Rank, c.WorldSize = rank, 4
		r := mustNew(t, data, c)
		if err := r.UnmarshalBinary(state); err != nil {
			t.Fatalf("rank %d: %v", rank, err)
		}
		got, _ := drawN(t, r, 50)
		for i := range got {
			if d := sameBatch(got[i], want[i].Shard(rank, 4)); d != "" {
				t.Fatalf("rank %d, batch %d: %s", rank, i, d)
			}
		}
	}
}

func TestUnmarshalRejects(t *testing.T) {
	data := resumeData()
	cfg := sampler.Config{BatchSize: 32, Seed: 3, Epochs: 5}
	s := mustNew(t, data, cfg)
	drawN(t, s, 300)
	state, _ := s.MarshalBinary()
	if s.Epoch(0) < 2 {
		t.Fatalf("test needs a state beyond epoch 1")
	}
	other := func(mod func(*sampler.Config)) *sampler.Hybrid {
		c := cfg
		mod(&c)
		return mustNew(t, data, c)
	}
	changed := resumeData()
	changed[1].Tuples[17].Group = "renamed"
	for _, c := range []struct {
		name string
		s    *sampler.Hybrid
		ok   bool
	}{
		{"same", other(func(*sampler.Config) {}), true},
		{"more epochs", other(func(c *sampler.Config) { c.Epochs = 9 }), true},
		{"endless", other(func(c *sampler.Config) { c.Epochs = 0 }), true},
		{"other rank", other(func(c *sampler.Config) { c.Rank, c.WorldSize = 1, 2 }), true},
		{"fewer epochs", other(func(c *sampler.Config) { c.Epochs = 1 }), false},
		{"other seed", other(func(c *sampler.Config) { c.Seed = 4 }), false},
		{"other alpha", other(func(c *sampler.Config) { c.Alpha = 0.6 }), false},
		{"other batch size", other(func(c *sampler.Config) { c.BatchSize = 16 }), false},
		{"other weights", other(func(c *sampler.Config) { c.DatasetWeighting = sampler.Uniform }), false},
		{"other data", mustNew(t, changed, cfg), false},
	} {
		err := c.s.UnmarshalBinary(state)
		if c.ok != (err == nil) || (err != nil && !errors.Is(err, sampler.ErrState)) {
			t.Errorf("UnmarshalBinary into a sampler with %s = %v, want ok = %v", c.name, err, c.ok)
		}
	}
	// A rejected state leaves the sampler as it was.
	before, _ := s.MarshalBinary()
	for _, bad := range [][]byte{nil, state[:len(state)-1], append(slices.Clone(state), 0), []byte("PRHY\x02")} {
		if err := s.UnmarshalBinary(bad); !errors.Is(err, sampler.ErrState) {
			t.Errorf("UnmarshalBinary(%q) = %v, want ErrState", bad, err)
		}
	}
	if after, _ := s.MarshalBinary(); !bytes.Equal(before, after) {
		t.Errorf("a rejected state changed the sampler")
	}
}

func TestExtendEpochs(t *testing.T) {
	data := resumeData()
	cfg := sampler.Config{BatchSize: 32, Seed: 8, Epochs: 2}
	s := mustNew(t, data, cfg)
	first, eof := drawN(t, s, 10_000)
	if !eof {
		t.Fatal("no io.EOF")
	}
	state, _ := s.MarshalBinary()
	same := mustNew(t, data, cfg)
	if err := same.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	if _, err := same.Next(); err != io.EOF {
		t.Errorf("ended state restored with the same Epochs: Next = %v, want io.EOF", err)
	}
	cfg.Epochs = 4
	more := mustNew(t, data, cfg)
	if err := more.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	second, eof := drawN(t, more, 10_000)
	if !eof || len(second) < len(first)/2 {
		t.Errorf("Epochs 2 gave %d batches, then Epochs 4 gave %d more and io.EOF = %v", len(first), len(second), eof)
	}
}

func TestStateSize(t *testing.T) {
	data := []datasets.Dataset{parallelData("big", 100_000, langs("de", "en"), 0)}
	s := mustNew(t, data, sampler.Config{})
	drawN(t, s, 1234)
	state, _ := s.MarshalBinary()
	if len(state) > 64 {
		t.Errorf("state of a complete dataset is %d bytes, want ≤ 64", len(state))
	}
}

// fuzzSampler returns a small sampler whose states have every part:
// several epochs, out-of-order taken bits, all four datasets.
func fuzzSampler(t testing.TB) *sampler.Hybrid {
	return mustNew(t, fuzzData(), sampler.Config{BatchSize: 8, Seed: 5, Epochs: 40, KeepLast: true})
}

var fuzzData = sync.OnceValue(func() []datasets.Dataset {
	dup := parallelData("dup", 40, langs("de", "en"), 1)
	for i := range dup.Tuples {
		dup.Tuples[i] = parallelData("dup", i/2+1, langs("de", "en"), 1).Tuples[i/2]
	}
	return []datasets.Dataset{
		partialData("part", 50, langs("de", "en", "fr"), 4),
		dup,
		parallelData("english", 30, langs("en"), 1),
	}
})

func FuzzUnmarshalBinary(f *testing.F) {
	s := fuzzSampler(f)
	for _, n := range []int{0, 1, 3, 10, 30} {
		for range n {
			if _, err := s.Next(); err != nil {
				f.Fatal(err)
			}
		}
		st, err := s.MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(st)
	}
	f.Add([]byte("PRHY\x01"))
	f.Fuzz(func(t *testing.T, state []byte) {
		s := fuzzSampler(t)
		if err := s.UnmarshalBinary(state); err != nil {
			if !errors.Is(err, sampler.ErrState) {
				t.Fatalf("UnmarshalBinary error %v does not wrap ErrState", err)
			}
			return
		}
		// The state may come from a sampler with another Epochs; once
		// restored, it is this sampler's and must round-trip exactly.
		again, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.UnmarshalBinary(again); err != nil {
			t.Fatalf("UnmarshalBinary(MarshalBinary()) = %v", err)
		}
		if third, _ := s.MarshalBinary(); !bytes.Equal(third, again) {
			t.Fatalf("state %x does not round-trip: %x", again, third)
		}
		r := fuzzSampler(t)
		if err := r.UnmarshalBinary(state); err != nil {
			t.Fatal(err)
		}
		for range 5 {
			b1, err1 := s.Next()
			b2, err2 := r.Next()
			if err1 != err2 || sameBatch(b1, b2) != "" {
				t.Fatalf("two samplers restored from one state differ")
			}
			if err1 == io.EOF {
				break
			}
			if err1 != nil {
				t.Fatal(err1)
			}
		}
	})
}
