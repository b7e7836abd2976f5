package sampler_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/polyret/polyret/sampler"
)

func testBatch() sampler.Batch {
	return sampler.Batch{Mode: sampler.CrossLingual, Items: []sampler.Item{
		{Group: "g0", Dataset: "d", QueryLang: "en", PassageLang: "de", NegativeLang: "de", Query: "q0", Positive: "p0", Negatives: []string{"n0a", "n0b"}},
		{Group: "g1", Dataset: "d", QueryLang: "de", PassageLang: "en", NegativeLang: "en", Query: "q1", Positive: "p1"},
		{Group: "g0", Dataset: "d", QueryLang: "fr", PassageLang: "en", NegativeLang: "en", Query: "q2", Positive: "p2", Negatives: []string{"n2"}},
	}}
}

func TestBatchAccessors(t *testing.T) {
	b := testBatch()
	for _, c := range []struct {
		name      string
		got, want []string
	}{
		{"Queries", b.Queries(), []string{"q0", "q1", "q2"}},
		{"Positives", b.Positives(), []string{"p0", "p1", "p2"}},
		{"Negatives", b.Negatives(), []string{"n0a", "n0b", "n2"}},
		{"Groups", b.Groups(), []string{"g0", "g1", "g0"}},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s() = %q, want %q", c.name, c.got, c.want)
		}
	}
	if got, want := b.NegativeOf(), []int{0, 0, 2}; !slices.Equal(got, want) {
		t.Errorf("NegativeOf() = %v, want %v", got, want)
	}
	if b.Len() != 3 {
		t.Errorf("Len() = %d, want 3", b.Len())
	}
	var empty sampler.Batch
	if empty.Len() != 0 || len(empty.Queries()) != 0 || len(empty.Negatives()) != 0 || len(empty.NegativeOf()) != 0 {
		t.Errorf("zero Batch accessors are not empty")
	}
}

func TestBatchClone(t *testing.T) {
	b := testBatch()
	c := b.Clone()
	b.Items[0].Query = "changed"
	b.Items[0].Negatives[0] = "changed"
	b.Items = append(b.Items[:1], b.Items[2:]...)
	if c.Items[0].Query != "q0" || c.Items[0].Negatives[0] != "n0a" || len(c.Items) != 3 || c.Items[2].Query != "q2" {
		t.Errorf("Clone shares memory with the original: %+v", c)
	}
	if c.Items[1].Negatives != nil {
		t.Errorf("Clone turned nil Negatives into %q", c.Items[1].Negatives)
	}
	// Appending to a clone's negatives must not overwrite the next item's.
	c.Items[0].Negatives = append(c.Items[0].Negatives, "extra")
	if c.Items[2].Negatives[0] != "n2" {
		t.Errorf("append to a cloned item's Negatives overwrote another item's")
	}
	if z := (sampler.Batch{Mode: sampler.Monolingual}).Clone(); z.Items != nil || z.Mode != sampler.Monolingual {
		t.Errorf("Clone of an empty batch = %+v", z)
	}
}

func TestBatchShard(t *testing.T) {
	b := testBatch()
	for _, c := range []struct {
		rank, world int
		want        []string
	}{
		{0, 1, []string{"q0", "q1", "q2"}},
		{0, 2, []string{"q0"}},
		{1, 2, []string{"q1", "q2"}},
		{0, 3, []string{"q0"}},
		{2, 3, []string{"q2"}},
		{0, 4, nil},
		{3, 4, []string{"q2"}},
	} {
		s := b.Shard(c.rank, c.world)
		if got := s.Queries(); !slices.Equal(got, c.want) || s.Mode != b.Mode {
			t.Errorf("Shard(%d, %d) = %v %q, want %v %q", c.rank, c.world, s.Mode, got, b.Mode, c.want)
		}
	}
	for _, c := range []struct {
		rank, world int
		want        string
	}{
		{0, 0, "sampler: Shard with worldSize < 1"},
		{2, 2, "sampler: Shard rank outside [0, worldSize)"},
		{-1, 2, "sampler: Shard rank outside [0, worldSize)"},
	} {
		if got := panicMessage(func() { b.Shard(c.rank, c.world) }); got != c.want {
			t.Errorf("Shard(%d, %d) panicked with %q, want %q", c.rank, c.world, got, c.want)
		}
	}
}

func TestModeString(t *testing.T) {
	for m, want := range map[sampler.Mode]string{
		sampler.Monolingual: "monolingual", sampler.CrossLingual: "cross-lingual",
		sampler.MixedMonolingual: "mixed-monolingual", 9: "Mode(9)",
	} {
		if got := m.String(); got != want {
			t.Errorf("Mode(%d).String() = %q, want %q", uint8(m), got, want)
		}
	}
	for s, want := range map[sampler.Strategy]string{
		sampler.AlphaMixture: "alpha-mixture", sampler.XXMono: "X-X-mono", sampler.XY: "X-Y", sampler.XX: "X-X", 9: "Strategy(9)",
	} {
		if got := s.String(); got != want {
			t.Errorf("Strategy(%d).String() = %q, want %q", uint8(s), got, want)
		}
	}
	for w, want := range map[sampler.Weighting]string{
		sampler.DefaultWeighting: "default", sampler.Uniform: "uniform", sampler.BySize: "by-size",
		sampler.ByTemperature: "by-temperature", sampler.ByWeights: "by-weights", 9: "Weighting(9)",
	} {
		if got := w.String(); got != want || strings.Contains(got, "%") {
			t.Errorf("Weighting(%d).String() = %q, want %q", uint8(w), got, want)
		}
	}
}

// panicMessage returns what f panics with, as a string, or "" if it does
// not panic.
func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg, _ = r.(string)
			if msg == "" {
				msg = "non-string panic"
			}
		}
	}()
	f()
	return ""
}
