package sampler_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/polyret/polyret/datasets"
	"github.com/polyret/polyret/sampler"
)

// annealed is a user-defined HybridSampler: α, the probability of a
// monolingual batch, falls linearly from 1 to 0.5 over the first steps
// batches, then stays at 0.5. It draws each batch from one of two Hybrid
// samplers, one monolingual and one cross-lingual.
type annealed struct {
	mono, cross sampler.HybridSampler
	coin        *rand.Rand
	step, steps int
}

func (a *annealed) alpha() float64 {
	return 1 - 0.5*min(1, float64(a.step)/float64(a.steps))
}

// Next implements sampler.HybridSampler.
func (a *annealed) Next() (sampler.Batch, error) {
	from := a.cross
	if a.coin.Float64() < a.alpha() {
		from = a.mono
	}
	a.step++
	return from.Next() // io.EOF, if any, passes through unwrapped
}

func Example_customSampler() {
	// Forty examples, each in German, English and Chinese.
	train := datasets.Dataset{Name: "toy"}
	for i := range 40 {
		tu := datasets.Tuple{Group: fmt.Sprint(i), Langs: map[datasets.Lang]datasets.Triplet{}}
		for _, l := range []datasets.Lang{"de", "en", "zh"} {
			tu.Langs[l] = datasets.Triplet{Query: fmt.Sprintf("q%d.%s", i, l), Positive: fmt.Sprintf("p%d.%s", i, l)}
		}
		train.Tuples = append(train.Tuples, tu)
	}
	data := []datasets.Dataset{train}
	mono, err := sampler.NewHybrid(data, sampler.Config{Strategy: sampler.XXMono, BatchSize: 8, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	cross, err := sampler.NewHybrid(data, sampler.Config{Strategy: sampler.XY, BatchSize: 8, Seed: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	var s sampler.HybridSampler = &annealed{mono: mono, cross: cross, coin: rand.New(rand.NewPCG(1, 2)), steps: 300}

	// The training loop sees only the interface.
	count := map[sampler.Mode]int{}
	for step := 1; step <= 400; step++ {
		b, err := s.Next()
		if err != nil {
			fmt.Println(err)
			return
		}
		count[b.Mode]++
		if step%100 == 0 {
			fmt.Printf("steps %3d–%3d: α = %.2f at the end, %2d monolingual batches\n", step-99, step, s.(*annealed).alpha(), count[sampler.Monolingual])
			clear(count)
		}
	}
	// Output:
	// steps   1–100: α = 0.83 at the end, 87 monolingual batches
	// steps 101–200: α = 0.67 at the end, 73 monolingual batches
	// steps 201–300: α = 0.50 at the end, 64 monolingual batches
	// steps 301–400: α = 0.50 at the end, 43 monolingual batches
}
