#!/usr/bin/python3
"""Condenses shared/testdata/metrics/lareqa/small.expected_map.json to what datasets tests:
per setting (mono/X, cross/X-Y, multi/X, built there with the LAReQA reference
QuestionSet/CandidateSet.filter_by_langs), the kind, languages, number of queries and
candidates, and num_rel per query.

Usage: /usr/bin/python3 lareqa_settings.py small.expected_map.json OUT.json
"""
import json
import sys

m = json.load(open(sys.argv[1]))
out = {}
for name, s in sorted(m["settings"].items()):
    out[name] = {
        "kind": s["kind"],
        "query_lang": s["query_lang"],
        "candidate_langs": s["candidate_langs"],
        "num_queries": s["num_queries"],
        "num_candidates": s["num_candidates"],
        "num_rel": {q: v["num_rel"] for q, v in sorted(s["per_query"].items())},
    }
with open(sys.argv[2], "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write("\n")
