#!/usr/bin/env bash
# Compares the fitted parameters of two built checkouts bit for bit (a change to the core that must
# not change results): compiles scripts/fit-dump against each checkout's classes (it reads
# package-private fields of io.github.harmonij.core), writes every fit's arrays, and runs cmp.
#   scripts/compare-fits.sh BEFORE AFTER      (each built: mvn -DskipTests package)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
for side in 1 2; do
	dir=$(cd "${!side}" && pwd)
	cp="$dir/target/classes:$dir/target/app/plugins/jars/*"
	mkdir "$work/$side"
	javac -nowarn -d "$work/$side" -cp "$cp" "$here/fit-dump/io/github/harmonij/core/FitDump.java"
	java -cp "$work/$side:$cp" io.github.harmonij.core.FitDump "$work/$side.bin"
done
if cmp "$work/1.bin" "$work/2.bin"; then
	echo "fits identical: $(stat -c %s "$work/1.bin") bytes of parameters"
else exit 1; fi
