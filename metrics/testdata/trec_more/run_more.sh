#!/usr/bin/env bash
# Goldens for gm_map, bpref and iprec_at_recall (and trec_eval's default
# measure set) from NIST trec_eval v10.0: $TREC_EVAL is the official build,
# $TREC_EVAL_17G the same source after
#   sed -i 's/%6\.4f/%.17g/g' meas_print_single.c meas_print_final.c
# Inputs: the pairs of ../trec and ../trec_extra, and x1h.run.gz, x1's run
# with every topic whose number (the part before "_") is divisible by 7
# removed, so that -c has missing topics to average in. Outputs:
# NAME.OPTS.txt and NAME.OPTS.17g.txt (no file where trec_eval fails: a
# qrels topic missing from the run without -c), exit statuses in
# status.txt, and
# NAME.default.txt, trec_eval's output without -m or -q (with -c). Every
# output but status.txt is then gzipped.
set -euo pipefail
cd "$(dirname "$0")"
zcat ../trec_extra/x1.run.gz | awk '{ split($1, p, "_"); sub(/^t/, "", p[1]); if (p[1] % 7 != 0) print }' | gzip -n -9 > x1h.run.gz
M="-m map -m gm_map -m bpref -m iprec_at_recall -m num_rel -m num_ret -m num_q"
# "L": recall levels of our own instead of the default eleven.
L="-m gm_map -m bpref -m iprec_at_recall.0,.05,.125,.33,.5,1 -m num_q"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: > status.txt
pair() { # name → qrels path, run path (plain files in $tmp)
	case $1 in
	p1_edge|p2_missing|p3_bulk) cp ../trec/$1.qrels ../trec/$1.run "$tmp/" ;;
	x1|x2) zcat ../trec_extra/$1.qrels.gz > "$tmp/$1.qrels"; zcat ../trec_extra/$1.run.gz > "$tmp/$1.run" ;;
	x1h) zcat ../trec_extra/x1.qrels.gz > "$tmp/$1.qrels"; zcat x1h.run.gz > "$tmp/$1.run" ;;
	esac
}
for x in p1_edge p2_missing p3_bulk x1 x2 x1h; do
	pair $x
	for opts in "qc:-q -c" "q:-q" "qcl2:-q -c -l 2" "qcM50:-q -c -M 50" "qcl0:-q -c -l 0" "ql3M1000:-q -l 3 -M 1000" "qcL:-q -c"; do
		tag=${opts%%:*}; flags=${opts#*:}
		ms=$M; [ $tag = qcL ] && ms=$L
		set +e
		"$TREC_EVAL" $flags $ms "$tmp/$x.qrels" "$tmp/$x.run" > $x.$tag.txt 2>/dev/null; s1=$?
		"$TREC_EVAL_17G" $flags $ms "$tmp/$x.qrels" "$tmp/$x.run" > $x.$tag.17g.txt 2>/dev/null; s2=$?
		set -e
		if [ $s1 -ne 0 ]; then rm -f $x.$tag.txt $x.$tag.17g.txt; fi
		echo "$x $tag $flags: $s1 $s2" >> status.txt
	done
	"$TREC_EVAL" -c "$tmp/$x.qrels" "$tmp/$x.run" > $x.default.txt
done
gzip -n -9 -f ./*.txt
gunzip -f status.txt.gz
