#!/bin/sh
# `lexquery screen` vs `lexquery screen --reform` on the same synthetic registry (issue 16 item 4:
# --reform costs at most 2.2× a plain screening). CPU time (user+sys, the worker processes'
# included) and wall time of each run, both with the same -j JOBS (default 1), alternated; the
# machine's load average before and after.
# Usage: sh bench/reform_ratio.sh [N=10000] [REFORM=examples/reforms/lsc-plein-droit-trois-ans.yaml] [ROUNDS=2] [JOBS=1]
N=${1:-10000}; R=${2:-examples/reforms/lsc-plein-droit-trois-ans.yaml}; ROUNDS=${3:-2}; J=${4:-1}
LQ=${LQ:-.venv/bin/lexquery}; TMP=$(mktemp -d)
$LQ synth "$N" --seed 1 --as-of 2026-12-01 -o "$TMP/reg.csv"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
i=0
while [ $i -lt "$ROUNDS" ]; do
  /usr/bin/time -f "plain  cpu %U+%S s wall %e s" $LQ screen "$TMP/reg.csv" --as-of 2027-07-01 -j "$J" -q --no-progress -o "$TMP/plain.csv"
  /usr/bin/time -f "reform cpu %U+%S s wall %e s" $LQ screen "$TMP/reg.csv" --as-of 2027-07-01 --reform "$R" -j "$J" -q --no-progress -o "$TMP/impact.csv"
  i=$((i + 1))
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$TMP"
