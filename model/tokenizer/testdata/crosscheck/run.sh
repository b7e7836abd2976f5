#!/usr/bin/env bash
# Cross-check of the Go tokenizers against SentencePiece and Hugging Face
# tokenizers on every text of the shared corpora (all XQuAD-R contexts,
# sentences and questions in 11 languages, MIRACL dev topics in 8 languages,
# MS MARCO dev topics: 42,204 distinct texts, 8.4 MB). Not part of `go test`:
# it needs ../../../../../shared/data, Debian's python3-sentencepiece and
# python3-protobuf, and `npm install tokenizers@0.23.2` in NODE_DIR.
#
#   NODE_DIR=<dir> ./run.sh [workdir]
#
# Result on 2026-11-26: SentencePiece laser100k 42204/42204, SentencePiece
# XLM-R 42204/42204, HF WordPiece cased 42204/42204, HF WordPiece
# lowercase+strip 42204/42204 identical; HF tokenizers' own Unigram on the
# converted XLM-R tokenizer.json differs from SentencePiece (and so from
# polyret) on 2 texts, both score ties; model2vec's quantized Unigram
# tokenizer.json (tokenizers' own pipeline) 42204/42204 identical.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../../.." && pwd)"
data="${DATA:-$repo/../shared/data}"
td="$here/.."
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
py="${PYTHON:-/usr/bin/python3}"
cd "$work"
"$py" "$here/corpus.py" "$data" texts.jsonl
zcat "$td/vocab-mbert-cased.txt.gz" > vocab.txt
"$py" "$td/gen_tokenizer_goldens.py" hfjson --vocab vocab.txt \
  --laser "$td/laser_100k.model.gz" --xlmr "$td/xlmr-base-rebuilt.model.gz" --outdir hf >/dev/null
"$py" "$here/ref_spm.py" "$td" texts.jsonl
zcat "$td/hf/model2vec-quantized.tokenizer.json.gz" > hf/m2v.json
NODE_PATH="$NODE_DIR/node_modules" node "$here/ref_hf.mjs" hf texts.jsonl
(cd "$repo" && go build -o "$work/tokenize" ./examples/tokenize)
./tokenize -tokenizer "$td/laser_100k.model.gz" < texts.jsonl > go_laser.jsonl
./tokenize -tokenizer "$td/xlmr-base-rebuilt.model.gz" -layout spm < texts.jsonl > go_xlmr.jsonl
./tokenize -tokenizer hf/mbert-cased-plain/tokenizer.json < texts.jsonl > go_cased.jsonl
./tokenize -tokenizer hf/mbert-lower-strip-plain/tokenizer.json < texts.jsonl > go_lower.jsonl
./tokenize -tokenizer hf/xlmr-match-special/tokenizer.json < texts.jsonl > go_hfxlmr.jsonl
./tokenize -tokenizer hf/m2v.json -match-special < texts.jsonl > go_m2v.jsonl
"$py" "$here/compare.py" texts.jsonl laser xlmr cased lower hfxlmr m2v
