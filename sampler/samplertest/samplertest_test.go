package samplertest_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/sampler"
	"github.com/polyret/polyret/sampler/samplertest"
)

// fake is a sampler whose batches come from a function of the step.
type fake struct {
	step int
	next func(step int) (sampler.Batch, error)
}

func (f *fake) Next() (sampler.Batch, error) {
	b, err := f.next(f.step)
	f.step++
	return b, err
}

// resumable is a fake whose state is its step; unmarshal can be replaced.
type resumable struct {
	fake
	unmarshal func(r *resumable, data []byte) error
}

func (r *resumable) MarshalBinary() ([]byte, error) {
	return binary.AppendUvarint(nil, uint64(r.step)), nil
}

func (r *resumable) UnmarshalBinary(data []byte) error {
	if r.unmarshal != nil {
		return r.unmarshal(r, data)
	}
	return decodeStep(r, data)
}

func decodeStep(r *resumable, data []byte) error {
	x, n := binary.Uvarint(data)
	if n <= 0 || n != len(data) {
		return errors.New("bad state")
	}
	r.step = int(x)
	return nil
}

func item(i int, ql, pl datasets.Lang) sampler.Item {
	return sampler.Item{
		Group: fmt.Sprint("g", i), Dataset: "d", QueryLang: ql, PassageLang: pl, NegativeLang: pl,
		Query: fmt.Sprint("q", i), Positive: fmt.Sprint("p", i), Negatives: []string{fmt.Sprint("n", i)},
	}
}

// good returns a valid batch for a step: monolingual on even steps.
func good(step int) (sampler.Batch, error) {
	if step%2 == 0 {
		return sampler.Batch{Mode: sampler.Monolingual, Items: []sampler.Item{item(step, "en", "en"), item(step+1, "en", "en")}}, nil
	}
	return sampler.Batch{Mode: sampler.CrossLingual, Items: []sampler.Item{item(step, "en", "de"), item(step+1, "de", "en")}}, nil
}

func finite(n int, next func(int) (sampler.Batch, error)) func(int) (sampler.Batch, error) {
	return func(step int) (sampler.Batch, error) {
		if step >= n {
			return sampler.Batch{}, io.EOF
		}
		return next(step)
	}
}

func with(step int, f func(*sampler.Batch)) func(int) (sampler.Batch, error) {
	return func(s int) (sampler.Batch, error) {
		b, err := good(s)
		if s == step {
			f(&b)
		}
		return b, err
	}
}

func TestCheckAccepts(t *testing.T) {
	for name, s := range map[string]sampler.HybridSampler{
		"endless":            &fake{next: good},
		"finite":             &fake{next: finite(3, good)},
		"resumable":          &resumable{fake: fake{next: good}},
		"resumable finite":   &resumable{fake: fake{next: finite(12, good)}},
		"finite before save": &resumable{fake: fake{next: finite(2, good)}},
		"mixed-monolingual": &fake{next: func(int) (sampler.Batch, error) {
			return sampler.Batch{Mode: sampler.MixedMonolingual, Items: []sampler.Item{item(0, "en", "en"), item(1, "de", "de")}}, nil
		}},
	} {
		if err := samplertest.Check(s); err != nil {
			t.Errorf("Check(%s) = %v, want nil", name, err)
		}
	}
}

func TestCheckRejects(t *testing.T) {
	for _, c := range []struct {
		name string
		s    sampler.HybridSampler
		want string
	}{
		{"empty batch", &fake{next: with(3, func(b *sampler.Batch) { b.Items = nil })}, "no items"},
		{"unknown mode", &fake{next: with(3, func(b *sampler.Batch) { b.Mode = 7 })}, "Mode(7)"},
		{"mono two langs", &fake{next: with(4, func(b *sampler.Batch) { b.Items[1] = item(9, "de", "de") })}, "monolingual batch"},
		{"mono cross item", &fake{next: with(4, func(b *sampler.Batch) { b.Items[0] = item(9, "en", "de") })}, "monolingual batch"},
		{"cross same lang", &fake{next: with(5, func(b *sampler.Batch) { b.Items[1] = item(9, "de", "de") })}, "cross-lingual batch"},
		{"mixed-mono cross item", &fake{next: with(5, func(b *sampler.Batch) { b.Mode = sampler.MixedMonolingual })}, "mixed-monolingual batch"},
		{"no group", &fake{next: with(1, func(b *sampler.Batch) { b.Items[0].Group = "" })}, "no Group"},
		{"no query", &fake{next: with(1, func(b *sampler.Batch) { b.Items[0].Query = "" })}, "empty query"},
		{"no lang", &fake{next: with(1, func(b *sampler.Batch) { b.Items[0].PassageLang = "" })}, "language"},
		{"empty negative", &fake{next: with(1, func(b *sampler.Batch) { b.Items[0].Negatives = []string{""} })}, "empty negative"},
		{"no negative lang", &fake{next: with(1, func(b *sampler.Batch) { b.Items[0].NegativeLang = "" })}, "NegativeLang"},
		{"wrapped EOF", &fake{next: func(s int) (sampler.Batch, error) {
			if s == 2 {
				return sampler.Batch{}, fmt.Errorf("done: %w", io.EOF)
			}
			return good(s)
		}}, "wrapped io.EOF"},
		{"items with EOF", &fake{next: func(s int) (sampler.Batch, error) {
			b, _ := good(s)
			if s == 2 {
				return b, io.EOF
			}
			return b, nil
		}}, "with io.EOF"},
		{"EOF not sticky", &fake{next: func(s int) (sampler.Batch, error) {
			if s == 2 {
				return sampler.Batch{}, io.EOF
			}
			return good(s)
		}}, "after io.EOF"},
		{"error", &fake{next: func(s int) (sampler.Batch, error) {
			if s == 2 {
				return sampler.Batch{}, errors.New("disk on fire")
			}
			return good(s)
		}}, "disk on fire"},
		{"resume ignores state", &resumable{fake: fake{next: good}, unmarshal: func(*resumable, []byte) error { return nil }}, "differs"},
		{"accepts empty state", &resumable{fake: fake{next: good}, unmarshal: func(r *resumable, d []byte) error {
			if len(d) == 0 {
				return nil
			}
			return decodeStep(r, d)
		}}, "empty state"},
		{"resume off by one", &resumable{fake: fake{next: good}, unmarshal: func(r *resumable, d []byte) error {
			err := decodeStep(r, d)
			r.step++
			return err
		}}, "differs"},
		{"resume loses EOF", &resumable{fake: fake{next: func(s int) (sampler.Batch, error) {
			if s >= 20 && s < 1000 {
				return sampler.Batch{}, io.EOF
			}
			return good(s)
		}}, unmarshal: func(r *resumable, d []byte) error {
			err := decodeStep(r, d)
			if r.step == 5 && err == nil {
				r.step = 1000 // skips past the end
			}
			return err
		}}, "differs"},
		{"panics on corrupt state", &resumable{fake: fake{next: good}, unmarshal: func(r *resumable, d []byte) error {
			if len(d) == 0 {
				return errors.New("empty")
			}
			if d[0] > 0x80 {
				panic("index out of range")
			}
			return decodeStep(r, d)
		}}, "panicked"},
		{"broken by corrupt state", &resumable{fake: fake{next: good}, unmarshal: func(r *resumable, d []byte) error {
			err := decodeStep(r, d)
			if err != nil {
				r.next = func(int) (sampler.Batch, error) { return sampler.Batch{}, errors.New("poisoned") }
			}
			return err
		}}, "poisoned"},
	} {
		err := samplertest.Check(c.s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Check(%s) = %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

func TestCheckHybrid(t *testing.T) {
	d := datasets.Dataset{Name: "toy"}
	for i := range 40 {
		t := datasets.Tuple{Group: fmt.Sprint(i), Langs: map[datasets.Lang]datasets.Triplet{}}
		for _, l := range []datasets.Lang{"de", "en", "fr"} {
			t.Langs[l] = datasets.Triplet{Query: fmt.Sprint("q", l, i), Positive: fmt.Sprint("p", l, i), Negatives: []string{fmt.Sprint("n", l, i)}}
		}
		d.Tuples = append(d.Tuples, t)
	}
	for _, cfg := range []sampler.Config{
		{BatchSize: 8},
		{BatchSize: 8, Strategy: sampler.XX, Epochs: 3},
		{BatchSize: 8, Strategy: sampler.XY, PairPerBatch: true},
	} {
		s, err := sampler.NewHybrid([]datasets.Dataset{d}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := samplertest.Check(s); err != nil {
			t.Errorf("Check(Hybrid %+v) = %v", cfg, err)
		}
	}
}
