#!/usr/bin/env bash
# Runs the GUI integration tests (*IT: private Xvfb + twm, real key presses, screenshots) N times
# while every core is busy, and prints how many runs passed. Needs stress-ng (Debian: stress-ng).
#   scripts/gui-tests-under-load.sh [N]      (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10}
command -v stress-ng >/dev/null || { echo "needs stress-ng (apt-get install stress-ng)" >&2; exit 2; }
mvn -B -q -DskipTests package
cores=$(nproc)
stress-ng --cpu "$cores" --timeout 0 --quiet &
stress=$!
trap 'kill $stress 2>/dev/null || true' EXIT
logs=target/gui-under-load
mkdir -p "$logs"
pass=0
for i in $(seq 1 "$n"); do
	start=$(date +%s)
	if CI=true mvn -B -o failsafe:integration-test failsafe:verify >"$logs/run-$i.log" 2>&1; then
		pass=$((pass + 1)); result=passed
	else
		result="FAILED (see $logs/run-$i.log)"
	fi
	echo "run $i of $n, $cores cores busy with stress-ng: $result in $(( $(date +%s) - start )) s"
done
echo "GUI integration tests under load: $pass of $n runs passed"
[ "$pass" -eq "$n" ]
