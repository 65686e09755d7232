#!/bin/bash
# Minimal reproductions of the disagreements of review 29 (each on a 5-row file from `lexquery synth 5 --seed 1`).
# Usage: bash inputs/repro_disagreements.sh   (from /work/review29; writes under /work/review29/repro/)
set -u
L=/work/main/.venv/bin/lexquery
R=/work/review29/repro
mkdir -p $R && cd $R
$L synth 5 --seed 1 --as-of 2026-12-01 -o base.csv
S() { $L screen "$@" --as-of 2026-12-01 --no-progress; }

echo "== D1 a cell of 131,073 characters: scalar rejects the row, columnar answers it"
python3 - <<'EOF'
l = open("base.csv").read().split("\n")[:-1]; c = l[2].split(";"); c[1] = "A" * 131073; l[2] = ";".join(c)
open("cell131073.csv", "w").write("\n".join(l) + "\n")
EOF
S cell131073.csv -q --engine scalar   -o d1_scalar.csv;   echo "scalar rc=$?"
S cell131073.csv -q --engine columnar -o d1_columnar.csv; echo "columnar rc=$?"
cmp d1_scalar.csv d1_columnar.csv; grep -a -o 'error;.*' d1_scalar.csv

echo "== D2 a stray quote opening the last cell of the last line, no final newline: read silently"
python3 - <<'EOF'
l = open("base.csv").read().split("\n")[:-1]
c = l[-1].split(";"); c[-1] = '"MA'; l[-1] = ";".join(c)
open("eof_stray_nonl.csv", "w").write("\n".join(l))            # no final newline
open("eof_stray_nl.csv", "w").write("\n".join(l) + "\n")       # the same with it
c = l[-1].split(";"); c[-1] = ""; c[1] = '"Okafor'; l[-1] = ";".join(c)
open("eof_stray_name_nonl.csv", "w").write("\n".join(l))
EOF
S eof_stray_nonl.csv -q -o d2_nonl.csv; echo "no final newline rc=$? (expected 3)"; grep -a '^6;' d2_nonl.csv | cut -d';' -f1,2,5-7
S eof_stray_nl.csv   -q -o d2_nl.csv;   echo "with final newline rc=$?";       grep -a '^6;' d2_nl.csv | grep -o 'error;.*'
S eof_stray_name_nonl.csv -q -o d2_name.csv; echo "stray quote in name, no final newline rc=$?"; grep -a '^6;' d2_name.csv | grep -o 'error;.*'

echo "== D3 one separator too many on a line whose last cell is empty: read shifted, silently"
python3 - <<'EOF'
l = open("base.csv").read().split("\n")[:-1]
assert l[4].endswith("ITF;MA;oui;oui;non;;;;")
l[4] = l[4][: -len("ITF;MA;oui;oui;non;;;;")] + "ITF;MA;oui;;oui;non;;;;"     # 31 cells, the 31st empty
open("extra_sep.csv", "w").write("\n".join(l) + "\n")
EOF
S base.csv -q -o d3_base.csv; S extra_sep.csv -q -o d3_shifted.csv; echo "rc=$? (expected 3: 31 cells for 30 columns)"
diff <(grep -a '^5;' d3_base.csv | cut -d';' -f1,2,5,6,7,11) <(grep -a '^5;' d3_shifted.csv | cut -d';' -f1,2,5,6,7,11)

echo "== D4 --lang en: messages of the CSV reader partly in French in the English report"
python3 - <<'EOF'
l = open("base.csv").read().split("\n")[:-1]; c = l[2].split(";"); c[1] = '"Johnson'; l[2] = ";".join(c)
open("stray.csv", "w").write("\n".join(l) + "\n")
EOF
S stray.csv -q --lang en -o d4.html; grep -o 'line 3: unreadable line: [^"]*' d4.html | head -1

echo "== D5 --lang en: errors printed in French"
: > empty.csv
$L screen empty.csv --lang en; echo "rc=$?"
$L screen base.csv -o x.txt --lang en; echo "rc=$?"
$L screen base.csv --chunk 0 --lang en; echo "rc=$?"

echo "== D6 the .json output differs between engines (and between fr and en, and between runs)"
S base.csv -q --engine scalar -o d6_s.json; S base.csv -q --engine columnar -o d6_c.json; cmp d6_s.json d6_c.json
diff <(tr ',' '\n' < d6_s.json | grep -E 'seconds') <(tr ',' '\n' < d6_c.json | grep -E 'seconds')

echo "== D7 an empty input: exit 3 without the file's name"
$L screen empty.csv; echo "rc=$?"

echo "== D8 (needs two worker processes killed on one chunk: see kill_all_workers.sh) message says (pipe), not (SIGKILL)"

echo "== D9 a rejected boolean / duplicate id: no case-format path in the message"
python3 - <<'EOF'
l = open("base.csv").read().split("\n")[:-1]; c = l[2].split(";"); c[12] = "peut-être"; l[2] = ";".join(c)
open("bad_bool.csv", "w").write("\n".join(l) + "\n")
EOF
S bad_bool.csv -q -o d9.csv; grep -a -o 'error;.*' d9.csv
