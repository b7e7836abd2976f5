package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"slices"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/sampler"
)

// Annealed is a HybridSampler whose batches are monolingual with
// probability α, falling linearly from From to To over Steps batches.
type Annealed struct {
	From, To float64
	Steps    int

	mono, cross *sampler.Hybrid
	coin        *rand.PCG
	step        int
}

var _ sampler.HybridSampler = (*Annealed)(nil)

// NewAnnealed returns an annealed sampler over data with batches of
// batchSize items.
func NewAnnealed(data []datasets.Dataset, batchSize, steps int, seed uint64) (*Annealed, error) {
	mono, err := sampler.NewHybrid(data, sampler.Config{Strategy: sampler.XXMono, BatchSize: batchSize, Seed: seed})
	if err != nil {
		return nil, err
	}
	cross, err := sampler.NewHybrid(data, sampler.Config{Strategy: sampler.XY, BatchSize: batchSize, Seed: seed + 1})
	if err != nil {
		return nil, err
	}
	return &Annealed{From: 1, To: 0.5, Steps: steps, mono: mono, cross: cross, coin: rand.NewPCG(seed, 99)}, nil
}

// Alpha returns α for the next batch.
func (a *Annealed) Alpha() float64 {
	f := min(1, float64(a.step)/float64(max(a.Steps, 1)))
	return a.From + (a.To-a.From)*f
}

// Next implements sampler.HybridSampler. It passes the inner samplers'
// batches and errors on unchanged, io.EOF included.
func (a *Annealed) Next() (sampler.Batch, error) {
	from := a.cross
	if float64(a.coin.Uint64()>>11)/(1<<53) < a.Alpha() {
		from = a.mono
	}
	b, err := from.Next()
	if err == nil {
		a.step++
	}
	return b, err
}

// MarshalBinary implements encoding.BinaryMarshaler: step, coin, then the
// two samplers' states, each with its length.
func (a *Annealed) MarshalBinary() ([]byte, error) {
	out := binary.AppendUvarint(nil, uint64(a.step))
	for _, m := range []interface{ MarshalBinary() ([]byte, error) }{a.coin, a.mono, a.cross} {
		st, err := m.MarshalBinary()
		if err != nil {
			return nil, err
		}
		out = binary.AppendUvarint(out, uint64(len(st)))
		out = append(out, st...)
	}
	return out, nil
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler. On error it
// leaves a unchanged.
func (a *Annealed) UnmarshalBinary(data []byte) error {
	step, n := binary.Uvarint(data)
	if n <= 0 || step > 1<<40 {
		return errors.New("customsampler: bad step in state")
	}
	data = data[n:]
	var parts [3][]byte
	for i := range parts {
		size, n := binary.Uvarint(data)
		if n <= 0 || size > uint64(len(data)-n) {
			return errors.New("customsampler: truncated state")
		}
		parts[i], data = data[n:n+int(size)], data[n+int(size):]
	}
	if len(data) != 0 {
		return errors.New("customsampler: trailing bytes in state")
	}
	// Restore into copies first, so a bad part changes nothing.
	coin := *a.coin
	if err := coin.UnmarshalBinary(parts[0]); err != nil {
		return fmt.Errorf("customsampler: coin: %w", err)
	}
	oldMono, err := a.mono.MarshalBinary()
	if err != nil {
		return err
	}
	if err := a.mono.UnmarshalBinary(parts[1]); err != nil {
		return fmt.Errorf("customsampler: monolingual sampler: %w", err)
	}
	if err := a.cross.UnmarshalBinary(parts[2]); err != nil {
		a.mono.UnmarshalBinary(oldMono) // cannot fail: it is a.mono's own state
		return fmt.Errorf("customsampler: cross-lingual sampler: %w", err)
	}
	*a.coin, a.step = coin, int(step)
	return nil
}

// toyData returns n parallel tuples in English, German and French.
func toyData(n int) []datasets.Dataset {
	d := datasets.Dataset{Name: "toy"}
	for i := range n {
		tu := datasets.Tuple{Group: fmt.Sprint("q", i), Langs: map[datasets.Lang]datasets.Triplet{}}
		for _, l := range []datasets.Lang{"en", "de", "fr"} {
			tu.Langs[l] = datasets.Triplet{
				Query:     fmt.Sprintf("[%s] question %d", l, i),
				Positive:  fmt.Sprintf("[%s] answer %d", l, i),
				Negatives: []string{fmt.Sprintf("[%s] distractor %d", l, i)},
			}
		}
		d.Tuples = append(d.Tuples, tu)
	}
	return []datasets.Dataset{d}
}

// run trains for steps batches (the "training" here only counts modes)
// and writes its report to w.
func run(w io.Writer, steps, anneal int, seed uint64) error {
	if steps < 10 {
		return errors.New("customsampler: need at least 10 steps")
	}
	data := toyData(1000)
	s, err := NewAnnealed(data, 50, anneal, seed)
	if err != nil {
		return err
	}
	var train sampler.HybridSampler = s // what a training loop holds
	var state []byte
	var after []sampler.Batch
	window, mono := steps/10, 0
	fmt.Fprintln(w, "steps          α at end   monolingual")
	for step := 1; step <= steps; step++ {
		if step == steps/2+1 {
			if state, err = s.MarshalBinary(); err != nil {
				return err
			}
		}
		b, err := train.Next()
		if err != nil {
			return err
		}
		if state != nil && len(after) < 20 {
			after = append(after, b.Clone())
		}
		if b.Mode == sampler.Monolingual {
			mono++
		}
		if step%window == 0 {
			fmt.Fprintf(w, "%5d–%-5d    %.2f       %5.1f%%\n", step-window+1, step, s.Alpha(), 100*float64(mono)/float64(window))
			mono = 0
		}
	}
	resumed, err := NewAnnealed(data, 50, anneal, seed)
	if err != nil {
		return err
	}
	if err := resumed.UnmarshalBinary(state); err != nil {
		return err
	}
	for i, want := range after {
		b, err := resumed.Next()
		if err != nil {
			return err
		}
		if b.Mode != want.Mode || !slices.Equal(b.Queries(), want.Queries()) || !slices.Equal(b.Negatives(), want.Negatives()) {
			return fmt.Errorf("customsampler: batch %d after resuming differs", steps/2+i)
		}
	}
	fmt.Fprintf(w, "resumed at step %d from a %d-byte state: the next %d batches are identical\n", steps/2, len(state), len(after))
	return nil
}

func main() {
	steps := flag.Int("steps", 2000, "number of batches")
	anneal := flag.Int("anneal", 1000, "batches over which α falls from 1 to 0.5")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := run(os.Stdout, *steps, *anneal, *seed); err != nil {
		log.Fatal(err)
	}
}
