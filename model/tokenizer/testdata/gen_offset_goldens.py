#!/usr/bin/env python3
"""Write unigram-offsets.jsonl: SentencePiece's piece offsets of every golden.

For each text of unigram-laser100k.jsonl and unigram-xlmr.jsonl this stores
the [begin, end) of every piece of
sp.encode(text, out_type="immutable_proto") (Google SentencePiece, Debian
python3-sentencepiece 0.1.97), converted from the code-point offsets the
Python binding reports to UTF-8 byte offsets, the unit of Encoding.Offsets.

Run from this folder with Debian's interpreter:
    /usr/bin/python3 gen_offset_goldens.py
"""
import gzip
import json

import sentencepiece as spm


def load(path):
    data = open(path, "rb").read()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    return spm.SentencePieceProcessor(model_proto=data)


def byte_offsets(text):
    """byte offset of each code-point index 0..len(text)"""
    out, n = [], 0
    for ch in text:
        out.append(n)
        n += len(ch.encode("utf-8"))
    out.append(n)
    return out


def main():
    out = []
    for model, path, golden in (
        ("laser100k", "laser_100k.model.gz", "unigram-laser100k.jsonl"),
        ("xlmr", "xlmr-base-rebuilt.model.gz", "unigram-xlmr.jsonl"),
    ):
        sp = load(path)
        with open(golden, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                b = byte_offsets(r["text"])
                p = sp.encode(r["text"], out_type="immutable_proto")
                offs = [[b[x.begin], b[x.end]] for x in p.pieces]
                out.append({"model": model, "id": r["id"], "offsets": offs})
    with open("unigram-offsets.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for r in out:
            f.write(json.dumps(r) + "\n")
    print("wrote %d records" % len(out))


if __name__ == "__main__":
    main()
