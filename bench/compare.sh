#!/usr/bin/env bash
# compare.sh PRESET THREADS — polyret's encoder against the PyTorch anchor, back to back.
#
# PRESET is tiny, small or base (the presets of ../shared/bench/torch_bench.py: batch 16,
# random weights, lengths 32/64/128); THREADS is 1 or 2. It runs, in this order, PyTorch's
# forward benchmark, polyret's forward benchmark, PyTorch's training step, polyret's
# training step, each in its own process under /usr/bin/time (peak RSS = max resident set
# of that process), and prints as its last line
#
#   PRESET THREADS forward_ratio=X step_ratio=Y rss_ratio=Z
#
# with X, Y = polyret median time ÷ PyTorch median time and Z = polyret peak RSS ÷ PyTorch
# peak RSS of the training-step processes. Needs Debian's python3-torch and
# libopenblas0-openmp (`apt-get install -y python3-torch libopenblas0-openmp`); never run
# in CI. Environment: TORCH_BENCH (path of torch_bench.py, default ../shared/bench/ from
# the repository root), COUNT (Go repetitions for the median, default 5), RAW (a directory
# that receives the raw outputs: PyTorch's JSON, Go's benchmark lines, the RSS figures).
set -euo pipefail

preset=${1:?usage: compare.sh tiny|small|base 1|2}
threads=${2:?usage: compare.sh tiny|small|base 1|2}
case $preset in tiny|small|base) ;; *) echo "compare.sh: unknown preset $preset" >&2; exit 2 ;; esac
case $threads in 1|2) ;; *) echo "compare.sh: THREADS must be 1 or 2" >&2; exit 2 ;; esac

root=$(cd "$(dirname "$0")/.." && pwd)
torch_bench=${TORCH_BENCH:-$root/../shared/bench/torch_bench.py}
count=${COUNT:-5}
[ -f "$torch_bench" ] || { echo "compare.sh: $torch_bench not found (set TORCH_BENCH)" >&2; exit 2; }

# Iterations per Go benchmark run (forward, training step): about as long as torch_bench's.
case $preset in
tiny) fwd_n=100 step_n=20 ;;
small) fwd_n=10 step_n=4 ;;
base) fwd_n=3 step_n=2 ;;
esac
name=$(tr '[:lower:]' '[:upper:]' <<<"${preset:0:1}")${preset:1}

tmp=$(mktemp -d)
keep_raw() { [ -z "${RAW:-}" ] || { mkdir -p "$RAW" && find "$tmp" -maxdepth 1 -type f ! -name model.test -exec cp {} "$RAW" \; ; }; }
trap 'keep_raw; rm -rf "$tmp"' EXIT
(cd "$root" && go test -c -o "$tmp/model.test" ./model)

torch() { # mode → JSON in $tmp/torch_$mode.json, peak RSS (kB) in $tmp/torch_$mode.rss
	/usr/bin/time -f %M -o "$tmp/torch_$1.rss" /usr/bin/python3 "$torch_bench" --preset "$preset" \
		--threads "$threads" --blas openblas-openmp --mode "$1" --json-out "$tmp/torch_$1.json" >/dev/null
}
gobench() { # benchmark name, iterations → output in $tmp/go_$1.txt, peak RSS (kB) in $tmp/go_$1.rss
	/usr/bin/time -f %M -o "$tmp/go_$1.rss" "$tmp/model.test" -test.run XXX -test.bench "^Benchmark$1\$" \
		-test.cpu "$threads" -test.benchtime "$2x" -test.count "$count" >"$tmp/go_$1.txt"
}
torch_median() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]['median_s'])" "$tmp/torch_$1.json" "$2"; }
go_median() { # median of the ns/op column, in seconds
	awk '/^Benchmark/ { for (i = 1; i < NF; i++) if ($(i+1) == "ns/op") print $i / 1e9 }' "$tmp/go_$1.txt" |
		sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "# $(date -u +%FT%TZ) preset=$preset threads=$threads loadavg=$(cut -d' ' -f1-3 /proc/loadavg)"
torch forward
gobench "Forward$name" "$fwd_n"
torch train
gobench "TrainStep$name" "$step_n"
echo "# loadavg after: $(cut -d' ' -f1-3 /proc/loadavg)"

tf=$(torch_median forward forward) gf=$(go_median "Forward$name")
ts=$(torch_median train train_step) gs=$(go_median "TrainStep$name")
tr=$(cat "$tmp/torch_train.rss") gr=$(cat "$tmp/go_TrainStep$name.rss")
printf '# forward: pytorch %.4g s, polyret %.4g s\n' "$tf" "$gf"
printf '# train step: pytorch %.4g s, polyret %.4g s\n' "$ts" "$gs"
printf '# peak RSS (training-step process): pytorch %d MB, polyret %d MB\n' $((tr / 1024)) $((gr / 1024))
echo "$preset $threads forward_ratio=$(ratio "$gf" "$tf") step_ratio=$(ratio "$gs" "$ts") rss_ratio=$(ratio "$gr" "$tr")"
