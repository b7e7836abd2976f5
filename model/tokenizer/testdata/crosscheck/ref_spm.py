"""ref_spm.py TESTDATA TEXTS: SentencePiece ids of every text (ref_laser/xlmr.jsonl)."""
import gzip
import json
import sys

import sentencepiece as spm

td, path = sys.argv[1], sys.argv[2]
texts = [json.loads(l)["text"] for l in open(path, encoding="utf-8")]
for name, model in (("laser", "laser_100k.model.gz"), ("xlmr", "xlmr-base-rebuilt.model.gz")):
    sp = spm.SentencePieceProcessor(model_proto=gzip.decompress(open(td + "/" + model, "rb").read()))
    with open("ref_" + name + ".jsonl", "w") as f:
        for t in texts:
            f.write(json.dumps(sp.encode(t)) + "\n")
