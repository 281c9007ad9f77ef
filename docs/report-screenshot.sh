#!/bin/sh
# SPDX-License-Identifier: MIT
# Renders the evidence report of a simulated cohort in headless Chromium to docs/images/report.png:
# simulate 30 subjects at 3 sites (2 mm), harmonise with ComBat --report, screenshot report.html.
# Needs a built project (mvn -o package -DskipTests) and chromium. Run from the project root:
#   sh docs/report-screenshot.sh
set -eu
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >/dev/null
cp="$root/target/classes:$(cat "$work/cp.txt")"
harmonij() { java -Djava.awt.headless=true -cp "$cp" io.github.harmonij.cli.Harmonij "$@"; }
harmonij simulate --out "$work/sim" --subjects 30 --sites 3 --seed 1 >/dev/null 2>&1
harmonij combat --manifest "$work/sim/cohort.csv" --batch site --covariates age,sex,group \
	--categorical sex,group --mask "$work/sim/mask.nii.gz" --interest age --report \
	--out "$work/out" 2>/dev/null
mkdir -p "$root/docs/images"
rm -f "$root/docs/images/report.png"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$work/chrome" --hide-scrollbars --window-size=1200,2600 \
	--screenshot="$root/docs/images/report.png" "file://$work/out/report.html" 2>/dev/null
test -s "$root/docs/images/report.png"
echo "Wrote docs/images/report.png"
