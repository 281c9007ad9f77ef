#!/usr/bin/env bash
# Runs every command of a HarmonIJ checkout on fixed inputs and keeps what they write, so that two
# checkouts (before and after a change that must not change results) can be compared file by file.
#   scripts/output-snapshot.sh CHECKOUT OUTDIR       run CHECKOUT's ./harmonij, results in OUTDIR
#   scripts/output-snapshot.sh --compare A B          compare two snapshots
# Compared: every NIfTI byte for byte (cmp); CSV and JSON with each snapshot's folder replaced by
# one name and without the lines (JSON: the keys) of timings, heap figures, dates and listed byte
# counts (NIfTI sizes are covered by cmp); JSON by value, not layout; the HTML reports are not
# compared (they embed the run's date and timings).
# Voxelwise non-parametric EB is left to the table (it takes minutes on a whole mask). Inputs: a simulated cohort (12 subjects, 3 sites, seed 7, 2 mm) and the shared
# statistics table src/test/resources/reference/stats/dataset.csv (30 subjects, 6 features).
set -euo pipefail

if [ "${1:-}" = "--compare" ]; then
	a=$(cd "$2" && pwd); b=$(cd "$3" && pwd); diff=0; same=0
	volatile='"(started|finished|date|timings_s|read|fit|adjust|site_tests|write|total|[a-z_]*heap[a-z_]*|apply|bytes|java|os|host|threads|seconds|ms)"'
	json_by_value='
import json, re, sys
volatile = re.compile(sys.argv[1].strip("\""))
def drop(v):
    if isinstance(v, dict):
        return {k: drop(x) for k, x in v.items() if not volatile.fullmatch(k)}
    if isinstance(v, list):
        return [drop(x) for x in v]
    return v
print(json.dumps(drop(json.load(sys.stdin)), indent=1, sort_keys=True))'

	while IFS= read -r f; do
		case "$f" in
			*.html|*.png|./log.txt) continue ;;
			*.json|*.csv)
				# paths name each snapshot's folder (and change the byte counts that run.json
				# lists for such files); timings, heap and dates vary from run to run. JSON is
				# compared by value (keys sorted, the volatile keys dropped), so that only its
				# layout (indentation, line breaks) may change.
				norm() {
					case "$2" in
						*.json) sed "s|$1|SNAPSHOT|g" "$1/$2" | python3 -c "$json_by_value" "$volatile" ;;
						*) sed "s|$1|SNAPSHOT|g" "$1/$2" | grep -vE "$volatile" || true ;;
					esac
				}
				if [ ! -f "$b/$f" ]; then echo "missing in $b: $f"; diff=$((diff + 1))
				elif ! cmp -s <(norm "$a" "$f") <(norm "$b" "$f"); then
					echo "differs: $f"
					diff <(norm "$a" "$f") <(norm "$b" "$f") | head -n 6 | sed 's/^/    /' || true
					diff=$((diff + 1))
				else same=$((same + 1)); fi ;;
			*)
				if [ ! -f "$b/$f" ]; then echo "missing in $b: $f"; diff=$((diff + 1))
				elif ! cmp -s "$a/$f" "$b/$f"; then echo "differs: $f"; diff=$((diff + 1))
				else same=$((same + 1)); fi ;;
		esac
	done < <(cd "$a" && find . -type f | sort)
	extra=$(comm -13 <(cd "$a" && find . -type f | sort) <(cd "$b" && find . -type f | sort) | wc -l)
	echo "snapshot comparison: $same files identical, $diff differ or are missing, $extra only in $b"
	[ "$diff" -eq 0 ]
	exit
fi

checkout=$(cd "$1" && pwd); mkdir -p "$2"; out=$(cd "$2" && pwd)
# the table is copied into the snapshot, so that run.json names it inside the snapshot's folder
table="$out/dataset.csv"; cp "$checkout/src/test/resources/reference/stats/dataset.csv" "$table"
h() { (cd "$out" && "$checkout/harmonij" --threads 2 "$@" >>"$out/log.txt" 2>&1) || { echo "failed: harmonij $*" >&2; exit 1; }; }
h simulate --out sim --subjects 12 --sites 3 --seed 7 --resolution 2
m=sim/cohort.csv; mask=sim/mask.nii.gz
h combat --manifest $m --batch site --covariates age,sex --categorical sex --mask $mask --out combat-param --site-effects
h combat --manifest $m --batch site --covariates age,sex,group --categorical sex,group --mask $mask --eb none --out combat-noeb
h combat --manifest $m --batch site --covariates age --mask $mask --mean-only --ref-batch SiteB --out combat-meanonly-ref
h combat --manifest $m --batch site --covariates sex --categorical sex --smooth age --mask $mask --out combat-smooth
h combat --manifest $m --batch site --covariates age,sex --categorical sex --mask $mask --chunked --out combat-chunked
h regress --manifest $m --batch site --covariates age,sex --categorical sex --mask $mask --out regress
h site-effects --manifest $m --batch site --covariates age,sex --categorical sex --mask $mask --interest age --out effects
# apply and add-site: the first two sites' model, then SiteC's images
head -n 1 "$out/$m" >"$out/sim/ab.csv"; grep -E ',Site[AB],' "$out/$m" >>"$out/sim/ab.csv"
head -n 1 "$out/$m" >"$out/sim/c.csv"; grep -E ',SiteC,' "$out/$m" >>"$out/sim/c.csv"
h combat --manifest sim/ab.csv --batch site --covariates age,sex --categorical sex --mask $mask --out combat-ab
h apply --model combat-ab/model --manifest sim/ab.csv --out apply-ab
h add-site --model combat-ab/model --manifest sim/c.csv --out add-c
h compare --scan-a sim/images/sub-001.nii.gz --scan-b sim/images/sub-002.nii.gz --mask $mask --out compare
h report --run combat-param --out combat-param-report.html
h combat-table --table "$table" --batch site --covariates age,sex --categorical sex --out t-combat.csv --model-out t-combat-model.json
h combat-table --table "$table" --batch site --covariates age,sex,group --categorical sex,group --eb nonparametric --out t-nonparam.csv
h combat-table --table "$table" --batch site --covariates age --mean-only --ref-batch B --out t-meanonly-ref.csv
h combat-table --table "$table" --batch site --covariates sex --categorical sex --smooth age --out t-smooth.csv
h regress-table --table "$table" --batch site --covariates age,sex --categorical sex --out t-regress.csv
h table-effects --table "$table" --harmonised t-combat.csv --batch site --covariates age,sex --categorical sex --out t-effects
h apply-table --model t-combat-model.json --table "$table" --out t-apply.csv
echo "snapshot of $checkout in $out: $(find "$out" -type f | wc -l) files"
