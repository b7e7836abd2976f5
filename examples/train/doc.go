// Command train fine-tunes a dense retriever with hybrid batch training
// (arXiv 2408.10536): batches monolingual with probability α, cross-lingual
// otherwise, InfoNCE through GradCache, AdamW, with periodic evaluation,
// atomic checkpoints and exact resumption.
//
// Usage:
//
//	train -model DIR -data SPEC[,SPEC...] -out DIR [-alpha 0.5] [-batch 100] [-lr 3e-5]
//	      [-weight-decay 0.01] [-prefixes paper|none] [-steps 1000] [-resume] [flags]
//
//	train -model LaBSE -data mmarco/ -langs en,de,fr -steps 2000 -out runs/hybrid
//	train -model LaBSE -data xquad-r -alpha 1 -out runs/xx-mono     # X-X-mono baseline
//	train -model LaBSE -data xquad-r -alpha 0 -out runs/xy          # X-Y baseline
//	train ... -out runs/hybrid -resume                             # continue after a stop
//
// -model is any directory model.Load reads (Hugging Face BERT, XLM-R,
// RoBERTa; sentence-transformers such as LaBSE; model2vec). -data is one
// or more of:
//
//   - xquad-r: the training articles of the embedded XQuAD-R split by
//     article (-test of them held out, drawn with -split-seed, as
//     examples/quickstart does): tuples of question, answer sentence and
//     other sentences of its paragraph as hard negatives, in 11 languages.
//     A demonstration set; the paper evaluates XQuAD-R zero-shot.
//   - a .jsonl or .jsonl.gz file of polyret tuples (package datasets).
//   - an mMARCO directory: a triples file of ids (triples.tsv or
//     triples.train.ids.small.tsv, optionally .gz) and one subdirectory
//     per language with collection.tsv and queries.tsv (optionally .gz),
//     the files of unicamp-dl/mmarco renamed or linked; -max-triples reads
//     only the first triples.
//
// Several datasets are sampled in proportion to their size, as in the
// paper. -langs restricts every dataset to some languages.
//
// # Defaults are the paper's
//
// α = 0.5, batch 100, AdamW with learning rate 3e-5 and weight decay 0.01,
// queries prefixed "Query: " and passages "Passage: " (-prefixes none
// trains without, as LaBSE and XLM-R were pre-trained), and the loss of the
// paper's Eq. 1 as printed (loss.Paper: cosine similarity, τ = 1, each
// query's positive against all hard negatives of the batch, summed). The
// paper does not state its schedule: here the learning rate warms up
// linearly over -warmup of the steps and decays linearly to 0. -loss
// common selects the usual practice instead (τ = 0.05, in-batch positives
// too, mean; loss.Config{}), and -tau overrides the temperature of either.
// α = 1 gives the X-X-mono baseline and α = 0 the X-Y one. Dropout is the
// model's (config.json).
//
// Weight decay spares biases and LayerNorm weights (and a parameter named
// logit_scale): -decay-exempt bias-norm, model.DecayExempt, the exemption
// of transformers' Trainer and so of most fine-tuning recipes, which the
// paper does not state but most likely used. -decay-exempt none decays
// every parameter, as torch.optim.AdamW over model.parameters() does.
//
// GradCache (package loss) encodes -chunk texts at a time, so a batch of
// 100 (300 texts with one hard negative each) needs the activation memory
// of one chunk; its gradients equal those of the whole batch.
//
// # Evaluation and checkpoints
//
// Every -eval-every steps and at the end, the model is evaluated on
// XQuAD-R with metrics.EvaluateLAReQA (-eval none turns it off): on the
// held-out articles when training on the xquad-r split, otherwise on all
// of XQuAD-R (the paper's zero-shot protocol), restricted to -eval-langs.
// Reports and heat maps go to OUT/eval/step-N/ (examples/evaluate writes
// TREC runs of a saved model).
//
// Every -save-every steps, at the end and when interrupted (Ctrl-C: the
// current step is finished first), a checkpoint is written to
// OUT/checkpoints/step-N/: the weights (model.Save, loadable by any tool
// that reads the model), the AdamW state, the sampler state, and
// state.json (step, configuration, per-step loss and batch fingerprints,
// evaluations). Each checkpoint is complete before OUT/checkpoints/latest
// names it; the -keep newest are kept. The final model is saved to
// OUT/model, and the loss curve to OUT/loss.{png,svg}.
//
// -resume continues from OUT/checkpoints/latest exactly: the same batches,
// dropout masks and updates as an uninterrupted run, so the final weights
// are bit-identical (the tests check this). The data, model and training
// flags must be those of the checkpoint (the run refuses otherwise);
// -steps may be raised (the schedule then changes from the checkpoint on),
// and -stop-after N stops after N steps of this invocation, for schedulers
// with time limits. Checkpoints written before -prefixes and -decay-exempt
// existed were trained with the paper's prefixes and decay on every
// parameter: resume them with -decay-exempt none.
//
// A NaN or infinite loss or gradient stops training with an error naming
// the step; nothing is saved at that step, so the latest checkpoint stays
// the last good state to resume from (with a lower -lr, say).
package main
