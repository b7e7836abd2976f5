// Package metrics computes retrieval measures in float64, exactly as NIST
// trec_eval 10.0 and the LAReQA reference code compute them, and reads and
// writes qrels and runs.
package metrics
