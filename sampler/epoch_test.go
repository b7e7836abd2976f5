package sampler_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/sampler"
)

func mustNew(t testing.TB, data []datasets.Dataset, cfg sampler.Config) *sampler.Hybrid {
	t.Helper()
	s, err := sampler.NewHybrid(data, cfg)
	if err != nil {
		t.Fatalf("NewHybrid: %v", err)
	}
	return s
}

func TestExactEpochs(t *testing.T) {
	data := []datasets.Dataset{parallelData("ep", 1050, langs("de", "en", "fr"), 1)}
	for _, cfg := range []sampler.Config{
		{},
		{Strategy: sampler.XX},
		{Strategy: sampler.XY, PairPerBatch: true},
		{Strategy: sampler.XXMono, KeepLast: true},
		{Alpha: 0.2, KeepLast: true},
	} {
		cfg.Seed = *seed
		s := mustNew(t, data, cfg)
		per := 10
		if cfg.KeepLast {
			per = 11
		}
		if got := s.BatchesPerEpoch(0); got != per {
			t.Errorf("%+v: BatchesPerEpoch = %d, want %d", cfg, got, per)
		}
		var first [3]string
		for e := range 3 {
			seen := map[string]bool{}
			for k := range per {
				b, err := s.Next()
				if err != nil {
					t.Fatal(err)
				}
				if got := s.Epoch(0); got != e+1 {
					t.Fatalf("%+v: Epoch after batch %d of epoch %d = %d", cfg, k, e+1, got)
				}
				want := 100
				if k == 10 {
					want = 50
				}
				if b.Len() != want {
					t.Fatalf("%+v: batch %d of epoch %d has %d items, want %d", cfg, k, e+1, b.Len(), want)
				}
				if k == 0 {
					first[e] = b.Items[0].Group + b.Items[1].Group
				}
				for _, it := range b.Items {
					if seen[it.Group] {
						t.Fatalf("%+v: group %s twice in epoch %d", cfg, it.Group, e+1)
					}
					seen[it.Group] = true
				}
			}
			if wantN := 1000 + 50*(per-10); len(seen) != wantN {
				t.Errorf("%+v: epoch %d holds %d groups, want %d", cfg, e+1, len(seen), wantN)
			}
		}
		if first[0] == first[1] && first[1] == first[2] {
			t.Errorf("%+v: epochs start alike: %q", cfg, first)
		}
		if s.Step() != 3*per {
			t.Errorf("%+v: Step() = %d, want %d", cfg, s.Step(), 3*per)
		}
	}
}

func TestFiniteEpochs(t *testing.T) {
	data := []datasets.Dataset{parallelData("fin", 1050, langs("de", "en"), 1)}
	for _, c := range []struct {
		cfg  sampler.Config
		want int
	}{
		{sampler.Config{Epochs: 2}, 20},
		{sampler.Config{Epochs: 1, KeepLast: true}, 11},
		{sampler.Config{Epochs: 3, Strategy: sampler.XX}, 30},
	} {
		s := mustNew(t, data, c.cfg)
		n := 0
		for {
			_, err := s.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n != c.want {
			t.Errorf("%+v: %d batches before io.EOF, want %d", c.cfg, n, c.want)
		}
		for range 2 {
			if b, err := s.Next(); err != io.EOF || b.Items != nil {
				t.Errorf("%+v: Next after io.EOF = %d items, %v", c.cfg, b.Len(), err)
			}
		}
	}
	// With several datasets, the first to finish its epochs ends sampling,
	// and no tuple repeats before.
	two := []datasets.Dataset{parallelData("a", 300, langs("de", "en"), 0), parallelData("b", 500, langs("de", "en"), 0)}
	s := mustNew(t, two, sampler.Config{Epochs: 1})
	seen := map[string]bool{}
	per := map[string]int{}
	for {
		b, err := s.Next()
		if err == io.EOF {
			break
		}
		for _, it := range b.Items {
			if seen[it.Group] {
				t.Fatalf("group %s twice within Epochs: 1", it.Group)
			}
			seen[it.Group] = true
			per[it.Dataset]++
		}
	}
	if s.Epoch(0) > 1 || s.Epoch(1) > 1 || (per["a"] != 300 && per["b"] != 500) {
		t.Errorf("two datasets, Epochs 1: epochs %d and %d, items per dataset %v; want a dataset used up", s.Epoch(0), s.Epoch(1), per)
	}
}

// TestInexactEpochs checks that datasets without exact epochs still give
// each tuple at most once per epoch.
func TestInexactEpochs(t *testing.T) {
	part := partialData("part", 1000, langs("de", "en", "fr"), 11)
	dup := parallelData("dup", 900, langs("de", "en"), 0)
	for i := range dup.Tuples {
		dup.Tuples[i].Group = fmt.Sprint("dup-", i/2)
	}
	for _, c := range []struct {
		data datasets.Dataset
		cfg  sampler.Config
	}{
		{part, sampler.Config{BatchSize: 20}},
		{part, sampler.Config{BatchSize: 20, KeepLast: true, PairPerBatch: true, Alpha: 0.4}},
		{part, sampler.Config{BatchSize: 20, Strategy: sampler.XX}},
		{dup, sampler.Config{BatchSize: 50}},
	} {
		s := mustNew(t, []datasets.Dataset{c.data}, c.cfg)
		if got := s.BatchesPerEpoch(0); got != -1 {
			t.Errorf("%+v: BatchesPerEpoch = %d, want -1", c.cfg, got)
		}
		seen := map[int32]bool{} // tuples of the current epoch, by index
		epoch := 0
		for range 2000 {
			b, err := s.Next()
			if err != nil {
				t.Fatal(err)
			}
			if s.Epoch(0) != epoch {
				epoch = s.Epoch(0)
				clear(seen)
			}
			for _, it := range b.Items {
				key := tupleKey(c.data, it)
				if seen[key] {
					t.Fatalf("%+v: tuple %d twice in epoch %d", c.cfg, key, epoch)
				}
				seen[key] = true
			}
		}
		if epoch < 10 {
			t.Errorf("%+v: only %d epochs in 2000 batches", c.cfg, epoch)
		}
	}
	s := mustNew(t, []datasets.Dataset{dup}, sampler.Config{BatchSize: 50, AllowDuplicateGroups: true})
	if got := s.BatchesPerEpoch(0); got != 18 {
		t.Errorf("AllowDuplicateGroups: BatchesPerEpoch = %d, want 18", got)
	}
}

// tupleKey returns the index of an item's tuple: its query text holds it.
func tupleKey(d datasets.Dataset, it sampler.Item) int32 {
	var i int32
	fmt.Sscanf(it.Query[len("q/"+d.Name+"/"+string(it.QueryLang)+"/"):], "%d", &i)
	return i
}

// TestMixedEpochs checks that, under MixDatasets, the stream of a
// dataset's items splits into epochs that each hold every tuple once.
func TestMixedEpochs(t *testing.T) {
	data := []datasets.Dataset{parallelData("a", 130, langs("de", "en"), 0), parallelData("b", 70, langs("de", "en", "fr"), 0)}
	for _, cfg := range []sampler.Config{
		{BatchSize: 40, MixDatasets: true},
		{BatchSize: 40, MixDatasets: true, Strategy: sampler.XX},
	} {
		s := mustNew(t, data, cfg)
		if got := s.BatchesPerEpoch(0); got != -1 {
			t.Errorf("MixDatasets: BatchesPerEpoch = %d, want -1", got)
		}
		stream := map[string][]string{}
		for range 500 {
			b, err := s.Next()
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range b.Items {
				stream[it.Dataset] = append(stream[it.Dataset], it.Group)
			}
		}
		for _, d := range data {
			st, n := stream[d.Name], len(d.Tuples)
			for e := 0; (e+1)*n <= len(st); e++ {
				seen := map[string]bool{}
				for _, g := range st[e*n : (e+1)*n] {
					seen[g] = true
				}
				if len(seen) != n {
					t.Fatalf("%+v: epoch %d of %s holds %d distinct tuples of %d", cfg, e+1, d.Name, len(seen), n)
				}
			}
		}
	}
}

func TestDatasetIndexPanics(t *testing.T) {
	s := mustNew(t, []datasets.Dataset{parallelData("x", 10, langs("de", "en"), 0)}, sampler.Config{BatchSize: 5})
	for _, i := range []int{-1, 1} {
		for name, f := range map[string]func(){
			"Epoch":           func() { s.Epoch(i) },
			"BatchesPerEpoch": func() { s.BatchesPerEpoch(i) },
		} {
			if got, want := panicMessage(f), "sampler: dataset index out of range"; got != want {
				t.Errorf("%s(%d) panicked with %q, want %q", name, i, got, want)
			}
		}
	}
}
