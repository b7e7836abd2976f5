"""corpus.py DATA OUT: distinct texts of the shared corpora as JSON lines."""
import glob
import json
import sys

data, out = sys.argv[1], sys.argv[2]
texts = []
for p in sorted(glob.glob(data + "/xquad-r/*.json")):
    for a in json.load(open(p, encoding="utf-8"))["data"]:
        for para in a["paragraphs"]:
            texts.append(para["context"])
            texts.extend(para.get("sentences") or [])
            texts.extend(qa["question"] for qa in para["qas"])
for p in sorted(glob.glob(data + "/miracl/topics.*.tsv")) + [data + "/msmarco/topics.msmarco-passage.dev-subset.txt"]:
    for line in open(p, encoding="utf-8"):
        parts = line.rstrip("\n").split("\t", 1)
        if len(parts) == 2:
            texts.append(parts[1])
with open(out, "w", encoding="utf-8") as f:
    for t in dict.fromkeys(texts):
        f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
