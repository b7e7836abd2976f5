// Package lab holds what the example programs (quickstart, train,
// evaluate) share: the training loop of hybrid batch training with
// checkpoints that resume exactly, evaluation on LAReQA-style tasks
// (XQuAD-R, MLQA-R) with TREC runs, reports and heat maps, loss curves,
// atomic file writes, and the commands' main.
//
// # Training
//
// Trainer.Step draws a batch from a sampler.HybridSampler, back-propagates
// InfoNCE through loss.GradCache (queries through the model's query view,
// passages through its passage view, so with the model's prefixes: the
// paper's unless model.Options says otherwise; ParsePrefixes reads the
// commands' -prefixes flag) and takes a model.AdamW step. The dropout seed of step n is a hash of
// Trainer.Seed and n, so a run resumed at any step replays an uninterrupted
// one exactly. A NaN or infinite loss or gradient returns an error wrapping
// ErrDiverged and changes nothing.
//
// SaveCheckpoint writes the model (model.Save), the optimizer and sampler
// states and a JSON state into a new directory and only then points the
// file "latest" at it, both atomically (rename), so that a crash or a
// diverging run never leaves a partial or bad latest checkpoint.
// LatestCheckpoint, CheckpointModel, ReadCheckpointState and
// RestoreCheckpoint read it back.
//
// # Evaluation
//
// EvaluateQA encodes a datasets.Task and scores it with
// metrics.EvaluateLAReQA in the mono, cross and multi settings; Summarize
// extracts the figures of the paper's Tables 1 and 2 (macro averages), and
// QAResult.Write writes the report (JSON, Markdown, CSV), mAP heat maps
// (PNG, SVG) and per-setting TREC runs and qrels that trec_eval scores to
// the report's values.
//
// # Errors and concurrency
//
// Functions return errors from the packages they call, wrapped with the
// file or step at fault; nothing panics on bad data. Nothing here is safe
// for concurrent use, except that a Recorder may be called from several
// goroutines (package metrics reports search progress from its workers).
// Every file is written atomically (WriteFile).
package lab
