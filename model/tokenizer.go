package model

// openTokenizer opens the tokenizer files of a model folder, or returns nil
// if there are none. static selects model2vec's conventions (no special
// tokens, unknown tokens dropped).
//
// TODO(model): use package tokenizer once it lands.
func openTokenizer(dir string, static bool) (Tokenizer, error) {
	return nil, nil
}
