#!/usr/bin/python3
"""Questions, candidates and relevance exactly as LAReQA's reference load_data builds them.

Usage: /usr/bin/python3 lareqa_gold.py UTILS_LAREQA_PY DATA_DIR OUT.tsv.gz

UTILS_LAREQA_PY is google-research/xtreme third_party/utils_lareqa.py (commit
838c13b69daafb9328785d16caae2711e4012123, blob e69a0a3d0d1522ee2270fc77c18db652c7af3d49),
imported unmodified (a copy sits in ../shared/testdata/metrics/gen/third_party/xtreme/).
DATA_DIR holds <lang>.json files in XQuAD-R / MLQA-R format.

Output (gzip -n, deterministic), one record per line, tab-separated:
  Q  <question uid>                       every question, in load_data order
  C  <candidate uid>                      every candidate, in load_data order
  R  <xling_id>  <uid> <uid> ...          candidate_set.by_xling_id (sorted uids)
Candidate texts are not written: load_data slices them from the context, whereas
polyret takes them from the sentences list (they differ for two tr sentences).
"""
import contextlib
import gzip
import importlib.util
import io
import json
import os
import sys


def main():
    utils_path, data_dir, out = sys.argv[1:4]
    spec = importlib.util.spec_from_file_location("utils_lareqa", utils_path)
    utils = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(utils)
    langs = sorted(f[:-5] for f in os.listdir(data_dir) if f.endswith(".json"))
    squad = {l: json.load(open(os.path.join(data_dir, l + ".json"), encoding="utf-8")) for l in langs}
    with contextlib.redirect_stdout(io.StringIO()):
        qs, cs = utils.load_data(squad)
    lines = ["Q\t" + q.uid for q in qs.as_list()]
    lines += ["C\t" + c.uid for c in cs.as_list()]
    for x in sorted(cs.by_xling_id):
        lines.append("R\t%s\t%s" % (x, " ".join(sorted(c.uid for c in cs.by_xling_id[x]))))
    data = ("\n".join(lines) + "\n").encode()
    with open(out, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as z:
            z.write(data)
    print(out, len(qs.as_list()), "questions", len(cs.as_list()), "candidates", len(cs.by_xling_id), "xling ids")


if __name__ == "__main__":
    main()
