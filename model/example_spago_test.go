package model_test

import (
	"context"
	"fmt"
	"log"

	"github.com/polyret/polyret/loss"
	"github.com/polyret/polyret/model"
)

// Train a learnable temperature together with the encoder: the loss's
// spago parameter joins the model's Params in one AdamW.
func ExampleSpagoParam() {
	ctx := context.Background()
	m, err := model.Load(ctx, "testdata/tiny-bert", model.Options{Pooling: model.PoolMean, Normalize: model.On})
	if err != nil {
		log.Fatal(err)
	}
	scale := loss.NewLogitScale[float32](0.05) // θ = log(1/τ), float32 like the model
	opt := model.NewAdamW(append(m.Params(), model.SpagoParam("logit_scale", scale.Param)),
		model.AdamWConfig{LR: 1e-2, WeightDecay: -1})
	gc := loss.GradCache{Encoder: m.Queries(), PassageEncoder: m.Passages(), Loss: loss.Config{LogitScale: scale}}
	batch := loss.TextBatch{
		Queries:   []string{"capital of France", "die Stadt London", "el mundo"},
		Positives: []string{"Paris is the capital of France.", "London ist eine Stadt.", "El mundo es grande."},
	}
	for step := range 3 {
		l, err := gc.Backward(ctx, batch)
		if err != nil {
			log.Fatal(err)
		}
		grad := scale.Param.Grad().Item().F64() // read before Step clears it
		if _, err := opt.Step(); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("step %d: loss %.2f, dL/dθ %+.2f, τ now %.4f\n", step+1, l, grad, scale.Temperature())
	}
	// Output:
	// step 1: loss 0.71, dL/dθ -0.23, τ now 0.0495
	// step 2: loss 0.04, dL/dθ -0.08, τ now 0.0491
	// step 3: loss 0.08, dL/dθ -0.11, τ now 0.0486
}
