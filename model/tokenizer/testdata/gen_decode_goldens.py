#!/usr/bin/env python3
"""Write unigram-decode.jsonl: SentencePiece's DecodeIds of every golden.

For each record of unigram-laser100k.jsonl and unigram-xlmr.jsonl (the
raw SentencePiece ids: `ids` for laser, `spm_ids` for XLM-R) this stores
`sp.decode(ids)` from Google SentencePiece (Debian python3-sentencepiece
0.1.97), the reference for Tokenizer.Decode.

Run from this folder with Debian's interpreter:
    /usr/bin/python3 gen_decode_goldens.py
"""
import gzip
import json

import sentencepiece as spm


def load(path):
    data = open(path, "rb").read()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    return spm.SentencePieceProcessor(model_proto=data)


def main():
    out = []
    for model, path, golden, field in (
        ("laser100k", "laser_100k.model.gz", "unigram-laser100k.jsonl", "ids"),
        ("xlmr", "xlmr-base-rebuilt.model.gz", "unigram-xlmr.jsonl", "spm_ids"),
    ):
        sp = load(path)
        with open(golden, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                out.append({"model": model, "id": r["id"], "ids": r[field], "decoded": sp.decode(r[field])})
    with open("unigram-decode.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for r in out:
            f.write(json.dumps(r, ensure_ascii=True) + "\n")
    print("wrote %d records" % len(out))


if __name__ == "__main__":
    main()
