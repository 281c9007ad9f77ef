#!/bin/sh
# SPDX-License-Identifier: MIT
# Renders an evidence report in headless Chromium:
#   sh docs/report-screenshot.sh         simulate 30 subjects at 3 sites (2 mm), harmonise with
#                                        ComBat --report, screenshot to docs/images/report.png
#   sh docs/report-screenshot.sh table   combat-table --report of the table with planted site
#                                        effects in src/test/resources/reference/stats/, screenshot
#                                        to docs/images/report-table.png
# Needs a built project (mvn -o package -DskipTests) and chromium. Run from the project root.
set -eu
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >/dev/null
cp="$root/target/classes:$(cat "$work/cp.txt")"
harmonij() { java -Djava.awt.headless=true -cp "$cp" io.github.harmonij.cli.Harmonij "$@"; }
if [ "${1:-}" = table ]; then
	png="$root/docs/images/report-table.png"
	height=2140
	cp "$root/src/test/resources/reference/stats/dataset.csv" "$work/volumes.csv"
	harmonij combat-table --table "$work/volumes.csv" \
		--batch site --covariates age,sex,group --categorical sex,group --report \
		--out "$work/volumes_harmonised.csv" >/dev/null 2>&1
	html="$work/volumes_harmonised_report/report.html"
else
	png="$root/docs/images/report.png"
	height=2600
	harmonij simulate --out "$work/sim" --subjects 30 --sites 3 --seed 1 >/dev/null 2>&1
	harmonij combat --manifest "$work/sim/cohort.csv" --batch site --covariates age,sex,group \
		--categorical sex,group --mask "$work/sim/mask.nii.gz" --interest age --report \
		--out "$work/out" 2>/dev/null
	html="$work/out/report.html"
fi
mkdir -p "$root/docs/images"
rm -f "$png"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$work/chrome" --hide-scrollbars --window-size=1200,$height \
	--screenshot="$png" "file://$html" 2>/dev/null
test -s "$png"
echo "Wrote ${png#"$root"/}"
