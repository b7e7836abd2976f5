package model

import "strings"

// DecayExempt reports whether the usual fine-tuning recipe exempts the
// parameter named name from weight decay; use it as AdamWConfig.NoDecay.
// It is true for
//
//   - the names transformers' Trainer (get_decay_parameter_names) leaves out
//     of decay, by the patterns it matches in the lower-cased name: one
//     containing "bias", "layernorm" or "rmsnorm", or with a dot-separated
//     component "norm" or ending in "_norm";
//   - a learnable temperature: a last component "logit_scale", which CLIP
//     (OpenCLIP) exempts and the Trainer would not.
//
// The Trainer also exempts every parameter of an nn.LayerNorm module
// whatever its name; BERT, LaBSE, RoBERTa and XLM-R name all theirs
// "…LayerNorm.weight" and "…LayerNorm.bias", so for their checkpoint names,
// and for sentence-transformers' Dense ("linear.weight", "linear.bias"),
// DecayExempt selects exactly the Trainer's set plus logit_scale. Embedding
// tables, including a static model's, and all other weight matrices are
// decayed.
func DecayExempt(name string) bool {
	l := strings.ToLower(name)
	if strings.Contains(l, "bias") || strings.Contains(l, "layernorm") || strings.Contains(l, "rmsnorm") {
		return true
	}
	for c := range strings.SplitSeq(l, ".") {
		if c == "norm" || strings.HasSuffix(c, "_norm") {
			return true
		}
	}
	i := strings.LastIndexByte(l, '.')
	return l[i+1:] == "logit_scale"
}
