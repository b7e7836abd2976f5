// Package model provides trainable sentence encoders for dense retrieval:
// BERT, LaBSE, RoBERTa and XLM-R transformers loaded from Hugging Face or
// sentence-transformers directories, and model2vec static encoders; AdamW
// with learning-rate schedules; and saving back to directories that
// transformers and sentence-transformers load unchanged.
//
//	m, err := model.Load(ctx, "path/to/LaBSE", model.Options{})
//	opt := model.NewAdamW(m.Params(), model.AdamWConfig{LR: 2e-5, Schedule: model.LinearSchedule(100, 1000)})
//	m.SetTraining(true)                              // dropout on
//	gc := loss.GradCache{Encoder: m.Queries(), PassageEncoder: m.Passages(), Loss: cfg}
//	for ... {
//		l, err := gc.Backward(ctx, batch)            // Encode → InfoNCE → backward
//		_, err = opt.Step()                          // update, then clear gradients
//	}
//	err = m.Save("fine-tuned")
//	emb, err := m.Queries().EncodeAll(ctx, texts)   // inference, no graph
//
// # Encoders
//
// A Model is a body, a head and a tokenizer. The transformer body follows
// Hugging Face's BertModel and XLMRobertaModel in eval mode exactly:
// embeddings (word + token type 0) + position, LayerNorm with the config's
// eps; post-LN layers with self-attention scaled by 1/√(head size), exact
// (erf) GELU, residual connections and LayerNorm. BERT numbers positions
// 0, 1, 2, …; RoBERTa and XLM-R number a token padding_idx + (non-pad tokens
// so far), so real tokens start at padding_idx+1 = 2. The static body
// (model2vec) looks each token up in an embedding table, through the
// optional vocabulary-quantisation mapping and per-token weights.
//
// The head pools token states into one vector per text: CLS (first token),
// mean over the tokens, element-wise max, or BERT's pooler
// (tanh(W·h_CLS + b), Hugging Face's pooler_output); then
// sentence-transformers' Dense module (tanh or identity), if the directory
// has one; then L2 normalisation x/max(‖x‖, 1e-12), if enabled. LaBSE in
// sentence-transformers form is CLS → Dense(tanh) → Normalize.
//
// Texts are tokenized with the directory's tokenizer (package tokenizer):
// transformers get their special tokens and are truncated to MaxLength
// tokens, keeping the closing one; static models follow model2vec (no
// special tokens, unknown tokens dropped, 512 tokens at most). Queries and
// Passages return views that prepend "Query: " and "Passage: " (the paper's
// prefixes; Options.QueryPrefix and PassagePrefix change them, and
// Options.Prefixes: Off turns them off).
//
// # Defaults
//
// The zero Options take everything from the directory: pooling from
// 1_Pooling/config.json (mean pooling without one, as sentence-transformers
// does for a plain transformer), Dense and Normalize from modules.json
// (model2vec's "normalize" for static models), MaxLength from
// sentence_bert_config.json or the position table, dropout probabilities
// from config.json. Models start in eval mode (no dropout), as PyTorch's
// from_pretrained. NewRandom builds an untrained transformer (mean pooling)
// from a Config, for tests, benchmarks and training from scratch.
//
// # Training graphs
//
// Encode, EncodeIDs and the views' Encode return an n×Dim spago node
// (mat.Tensor of float32) for the loss package: they implement its Encoder
// and DropoutSeeder interfaces. Each call is one graph node whose backward
// pass runs hand-written kernels over the whole batch and adds the
// gradients to the Grad of every Param it reached; AdamW.Step then updates
// and clears them. Internally a batch is one matrix of all its tokens,
// stacked without padding (a token attends only to its own text, which is
// what an attention mask computes), every layer operation is one fused
// kernel call (a GEMM from package gemm, LayerNorm, GELU, per-(text, head)
// attention with the softmax fused in), and only the activations the
// backward pass needs are kept (see transformer_pass.go), in recycled
// buffers. Each node supports one backward pass; a second one panics.
// EncodeValues computes the same values, with the same dropout masks,
// without keeping anything for a backward pass (GradCache's first pass).
// Backward passes of several nodes in one ag.Backward call add to the
// gradients in the order they finish, which can change the last bits from
// run to run; back-propagating one node at a time (as GradCache does) makes
// training bit-reproducible for a given worker count.
//
// Dropout, in training mode, follows Hugging Face's placement (embeddings,
// attention probabilities, both residual branches) with the config's
// probabilities. Its masks are a hash of a seed, a per-call counter and the
// element index, so SeedDropout(s) followed by the same calls replays the
// same masks: GradCache's second pass reproduces its first exactly.
//
// # Spago parameters
//
// spago is the autodiff engine, and any Param can be a spago parameter. The
// encoders keep their own store of flat float32 arrays because their fused
// kernels add gradients into persistent arrays (a layer's query, key and
// value gradients are one array), whereas spago allocates a parameter's
// gradient matrix at its first accumulation and drops it on ZeroGrad: at
// BERT-base size, 440 MB allocated and collected per step. The two meet
// without copying values:
//
//   - SpagoParam(name, p) wraps a float32 spago parameter (the temperature
//     of a loss.LogitScale, a head written with spago's ag) as a Param whose
//     Value is p's data, so that one AdamW trains it with the model:
//     NewAdamW(append(m.Params(), SpagoParam("logit_scale", scale.Param)), cfg).
//   - Param.Spago returns a Param as a spago parameter over the same array,
//     for spago graphs that use a model's weights (tied embeddings, a custom
//     head).
//
// Either way, the gradient spago accumulates in the node is added to Grad by
// AdamW.Step (or ClipGradNorm), which then clears both, and a step updates
// the shared array in place. The optimizer state names a Param by Name, so
// AdamW.Save and Load cover spago parameters like any other. SpagoParam
// refuses float64 parameters (it panics): AdamW computes in float32 and
// would round them at every step; use loss.NewLogitScale[float32]. Like
// torch.optim.AdamW with one parameter group, AdamW decays every Param, a
// temperature θ = log(1/τ) included, by the factor 1 − lr·wd per step
// (1 − 2e-7 at lr 2e-5 and the default wd 0.01); WeightDecay −1 disables
// decay. AdamWConfig.NoDecay exempts Params by name, like a second group
// with weight_decay 0: DecayExempt is the usual fine-tuning choice (biases
// and LayerNorm weights, as transformers' Trainer, and logit_scale, as
// CLIP).
//
// # AdamW speed
//
// A step reads every gradient twice and everything else once: one pass
// computes the global gradient norm (which is also the NaN/Inf check that
// must precede any update; blocks of zero gradient, most of an embedding
// table's, are skipped), and one pass scales the gradients for clipping,
// updates values and moments and clears the gradients. Both run on
// Workers goroutines over chunks of 2¹⁶ elements. The update is bound by
// its two divisions and square root (about 14 cycles per 8 elements with
// AVX2), the norm by its float64 sum, added in index order within each
// chunk so that it does not depend on the worker count or the kernels.
//
// # Accuracy
//
// Computation is float32 (element-wise kernels accumulate row statistics in
// float64; GELU, softmax and the AdamW update run as AVX2+FMA assembly on
// amd64, as Go elsewhere and under the purego build tag, with the same
// polynomials). Against PyTorch goldens (testdata/README.fixtures.md): hidden
// states, pooled outputs and sentence embeddings of the BERT, XLM-R and
// LaBSE-like fixtures agree within 1.3e-6 (tolerance 1e-5); the InfoNCE
// loss within 4e-7 (tolerance 2e-5); every parameter gradient within 3% of
// its tolerance 1e-4·max|g| + 1e-7; the weights after 3 AdamW steps within
// 3.3e-7 (tolerance 1e-5). Every kernel's backward pass agrees with finite
// differences in float64 to 3e-9. model2vec outputs agree within 5e-6.
//
// # Errors and panics
//
// Load returns errors that name the file and, where there is one, the
// tensor: missing tensors, shapes that do not match config.json, an
// unsupported model_type, hidden_act or pooling, a tokenizer with more ids
// than the embedding table. They wrap ErrModel or ErrConfig, or the errors
// of packages checkpoint and tokenizer. Encoding returns an error for an
// empty batch, an empty or over-long sequence, an id outside the
// vocabulary, or a model without tokenizer given texts. AdamW.Step returns
// ErrNonFinite, and updates nothing, when a gradient is NaN or infinite.
// Constructors panic on invalid configurations (NewAdamW, the schedules).
// SpagoParam panics on a nil or float64 parameter, and AdamW.Step on a
// spago parameter whose matrix was replaced (nn.Param.ReplaceValue) after
// SpagoParam or Spago, as it would no longer share the Param's memory.
//
// # Concurrency
//
// Encoding methods may be called from several goroutines at once; each uses
// up to Options.Workers goroutines (0 means GOMAXPROCS) and joins them
// before returning. Backward passes through one Model are serialised.
// AdamW.Step, Save and SetTraining must not run while graphs are built or
// back-propagated, nor Param.Spago concurrently with AdamW.Step. Nothing in the package prints; EncodeAll reports
// progress to Options.Recorder.
//
// # Saving
//
// Save writes config.json, model.safetensors (float32), the tokenizer files
// and the sentence-transformers module files to a temporary directory and
// renames it into place; saving an unchanged model reproduces the loaded
// safetensors files byte for byte, and loading a saved model gives
// bit-identical parameters. AdamW.Save and AdamW.Load keep the optimizer
// state next to it.
package model
