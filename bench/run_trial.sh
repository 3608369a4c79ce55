#!/usr/bin/env bash
# Throughput and peak memory of a whole trial: the seed protocol (two arms, counterfactual
# twins) with 10,000 patients, on 2 worker threads, in a release build.
#
#   bench/run_trial.sh [PATIENTS] [THREADS]
#
# Reports patient-courses per second (enrolled patients x arms simulated, i.e. with twins every
# patient is simulated under both arms; the untreated screening courses are not counted though
# they are simulated too), the CPU time (user + system; on a busy machine the per-CPU-second
# figure is the steadier one) and the peak resident memory from /usr/bin/time -v.
# BIN=path/to/immunotrial skips the build and times that binary instead (to compare versions).
# Bars (issue 5): >= 5,000 patient-courses/s on 2 cores; peak memory < 1 GiB.
set -euo pipefail
patients="${1:-10000}"
threads="${2:-2}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
bin="${BIN:-$root/target/release/immunotrial}"
if [ -z "${BIN:-}" ]; then
  cargo build --release -p immunotrial --manifest-path "$root/Cargo.toml" >&2
fi
sed "s/^patients = 400/patients = $patients/" \
  "$root/protocols/nct04385043-hyperimmune-plasma.toml" >"$work/bench.toml"
grep -q "^patients = $patients" "$work/bench.toml"
start=$(date +%s.%N)
/usr/bin/time -v "$bin" run "$work/bench.toml" \
  --threads "$threads" --quiet --out "$work/out" >"$work/stdout" 2>"$work/time"
end=$(date +%s.%N)
wall=$(echo "$end - $start" | bc -l)
arms=2
courses=$((patients * arms))
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
user_s=$(awk -F': ' '/User time \(seconds\)/ {print $2}' "$work/time")
sys_s=$(awk -F': ' '/System time \(seconds\)/ {print $2}' "$work/time")
cpu=$(echo "$user_s + $sys_s" | bc -l)
screened=$(grep -o '"screened": [0-9]*' "$work/out/summary.json" | head -1 | grep -o '[0-9]*$')
printf 'patients %d, arms %d (twins), threads %d, screened %d\n' "$patients" "$arms" "$threads" "$screened"
printf 'wall %.2f s, %.0f patient-courses/s (+ %d screening courses)\n' "$wall" "$(echo "$courses / $wall" | bc -l)" "$screened"
printf 'CPU %.2f s (user + system), %.0f patient-courses per CPU-second\n' "$cpu" "$(echo "$courses / $cpu" | bc -l)"
printf 'peak RSS %.1f MiB\n' "$(echo "$rss_kb / 1024" | bc -l)"
