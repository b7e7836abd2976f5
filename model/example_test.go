package model_test

import (
	"context"
	"fmt"
	"log"

	"github.com/polyret/polyret/loss"
	"github.com/polyret/polyret/model"
)

// Encode texts with a sentence-transformers directory (a tiny LaBSE-shaped
// model with random weights) and compare them.
func Example() {
	ctx := context.Background()
	m, err := model.Load(ctx, "testdata/tiny-labse", model.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("pooling:", m.Pooling(), "dim:", m.Dim(), "max tokens:", m.MaxLength())
	emb, err := m.EncodeAll(ctx, []string{"capital of France", "die Stadt London", "capital of France"})
	if err != nil {
		log.Fatal(err)
	}
	cos := func(a, b []float32) (s float32) {
		for i := range a {
			s += a[i] * b[i] // the embeddings are L2-normalised
		}
		return s
	}
	fmt.Printf("cos(0,1) = %.3f\ncos(0,2) = %.3f\n", cos(emb[0], emb[1]), cos(emb[0], emb[2]))
	// Output:
	// pooling: cls dim: 32 max tokens: 32
	// cos(0,1) = 0.998
	// cos(0,2) = 1.000
}

// Fine-tune with GradCache and AdamW, then save.
func Example_training() {
	ctx := context.Background()
	m, err := model.Load(ctx, "testdata/tiny-bert", model.Options{Pooling: model.PoolMean, Normalize: model.On})
	if err != nil {
		log.Fatal(err)
	}
	opt := model.NewAdamW(m.Params(), model.AdamWConfig{LR: 1e-3, Schedule: model.LinearSchedule(0, 3)})
	gc := loss.GradCache{
		Encoder:        m.Queries(),  // "Query: " + text
		PassageEncoder: m.Passages(), // "Passage: " + text
		ChunkSize:      2,
		Loss:           loss.Config{Temperature: 0.05, Reduction: loss.Sum},
	}
	batch := loss.TextBatch{
		Queries:   []string{"capital of France", "die Stadt London", "el mundo"},
		Positives: []string{"Paris is the capital of France.", "London ist eine Stadt.", "El mundo es grande."},
	}
	m.SetTraining(true) // dropout as in the config (0.1), seeded by GradCache
	for step := range 3 {
		l, err := gc.Backward(ctx, batch)
		if err != nil {
			log.Fatal(err)
		}
		if _, err := opt.Step(); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("step %d: loss %.2f, lr %.2g\n", step+1, l, opt.LR())
	}
	// Output:
	// step 1: loss 1.86, lr 0.001
	// step 2: loss 1.83, lr 0.00067
	// step 3: loss 1.76, lr 0.00033
}

// DecayExempt as AdamWConfig.NoDecay spares biases and LayerNorm weights
// from weight decay, as transformers' Trainer does.
func ExampleDecayExempt() {
	for _, name := range []string{
		"embeddings.word_embeddings.weight",
		"embeddings.LayerNorm.weight",
		"encoder.layer.0.attention.self.query.weight",
		"encoder.layer.0.attention.self.query.bias",
		"logit_scale",
	} {
		fmt.Printf("%-44s decayed: %v\n", name, !model.DecayExempt(name))
	}
	// Usage: model.NewAdamW(m.Params(), model.AdamWConfig{LR: 2e-5, NoDecay: model.DecayExempt})

	// Output:
	// embeddings.word_embeddings.weight            decayed: true
	// embeddings.LayerNorm.weight                  decayed: false
	// encoder.layer.0.attention.self.query.weight  decayed: true
	// encoder.layer.0.attention.self.query.bias    decayed: false
	// logit_scale                                  decayed: false
}
