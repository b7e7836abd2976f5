#!/usr/bin/env bash
# Runs trec_eval v10.0 (official build, $TREC_EVAL) and its %.17g build
# ($TREC_EVAL_17G: the same source after
#   sed -i 's/%6\.4f/%.17g/g' meas_print_single.c meas_print_final.c)
# on x1 and x2 with several option sets. Outputs: NAME.OPTS.txt and
# NAME.OPTS.17g.txt, where OPTS names the options (see below), and
# exit statuses in status.txt. Then gzips the inputs.
set -euo pipefail
cd "$(dirname "$0")"
M="-m map -m map_cut.5,10,100,1000 -m ndcg -m ndcg_cut.5,10,1000 -m recip_rank -m P.5,10,2000 -m recall.5,1000 -m Rprec -m success.1,5 -m num_rel -m num_rel_ret -m num_ret -m num_q"
: > status.txt
for x in x1 x2; do
  for opts in "qc:-q -c" "qcl2:-q -c -l 2" "qcM50:-q -c -M 50" "ql3M1000:-q -l 3 -M 1000" "qcl0:-q -c -l 0"; do
    tag=${opts%%:*}; flags=${opts#*:}
    set +e
    "$TREC_EVAL" $flags $M $x.qrels $x.run > $x.$tag.txt; s1=$?
    "$TREC_EVAL_17G" $flags $M $x.qrels $x.run > $x.$tag.17g.txt; s2=$?
    set -e
    echo "$x $tag $flags: $s1 $s2" >> status.txt
  done
done
gzip -n -9 -f x1.qrels x1.run x2.qrels x2.run
