"""compare.py TEXTS NAME...: compare go_NAME.jsonl ids with ref_NAME.jsonl."""
import json
import sys

texts = [json.loads(l)["text"] for l in open(sys.argv[1], encoding="utf-8")]
for name in sys.argv[2:]:
    ref = [json.loads(l) for l in open("ref_" + name + ".jsonl")]
    got = [json.loads(l)["ids"] for l in open("go_" + name + ".jsonl")]
    bad = [i for i in range(len(texts)) if ref[i] != got[i]]
    print("%-7s %d/%d identical" % (name, len(texts) - len(bad), len(texts)))
    for i in bad[:5]:
        k = next((j for j, (a, b) in enumerate(zip(ref[i], got[i])) if a != b), min(len(ref[i]), len(got[i])))
        print("   %r\n   from token %d: ref %s go %s" % (texts[i][:100], k, ref[i][k:k + 6], got[i][k:k + 6]))
