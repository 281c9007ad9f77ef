#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# benchmark-vs-sva.sh: HarmonIJ and R sva::ComBat side by side, on the same data in one run
# (GitHub issue 6). Not part of CI. Writes docs/benchmarks.md (or --out FILE).
#
#   scripts/benchmark-vs-sva.sh [--quick] [--work DIR] [--out FILE] [--threads N]
#
#   --quick     small sizes only (about two minutes); writes DIR/benchmarks-quick.md unless --out
#   --work DIR  scratch folder (default ${TMPDIR:-/tmp}/harmonij-bench); simulated cohorts and
#               synthetic matrices are kept there and reused by the next run
#   --threads N threads for HarmonIJ (default: nproc). sva runs as it comes (one R thread;
#               OpenBLAS may add threads for its matrix products, which CPU time includes)
#
# On a fresh Debian machine it installs r-base-core, r-bioc-sva and time with apt-get (sudo if
# not root); a JDK (11+) and Maven are assumed. Two parts:
#  1. Matrix compute only: a deterministic synthetic float32 matrix (MatrixBenchmark synth) is
#     harmonised in memory by HarmonIJ (fit + apply, timed in the JVM) and by sva::ComBat (the
#     ComBat call alone, system.time in R); the outputs, both float64, are compared.
#  2. End to end: a simulated 2 mm NIfTI cohort (harmonij simulate) through `harmonij combat`
#     (whole process: JVM start, NIfTI reading, fit, writing harmonised + difference images and
#     model maps), against an R process that reads the same masked voxels from a float32 matrix
#     file, runs ComBat and writes the result as float32. Debian has no R NIfTI reader
#     (r-cran-rnifti and r-cran-oro.nifti are not packaged), so the NIfTI -> matrix step is done
#     beforehand by a Java main (CohortMatrix) and not counted for sva.
# sva is skipped (and the row says so) when its estimated peak memory, 10 x the float64 matrix
# + 0.4 GB (conservative: measured 6-10 x, R and sva included), exceeds 85 % of MemAvailable.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
quick=0
work="${TMPDIR:-/tmp}/harmonij-bench"
out=""
threads="$(nproc)"
while [ $# -gt 0 ]; do
	case "$1" in
		--quick) quick=1 ;;
		--work) work="$2"; shift ;;
		--out) out="$2"; shift ;;
		--threads) threads="$2"; shift ;;
		-h|--help) sed -n 3,27p "$0"; exit 0 ;;
		*) echo "benchmark-vs-sva.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done
if [ "$quick" = 1 ]; then
	compute_sizes="200:20000 100:100000"
	e2e_sizes="100"
	out="${out:-$work/benchmarks-quick.md}"
else
	# The issue's anchors (200 subjects x 20k/100k/300k), then subjects at 100k features: about a
	# 2 mm grey-matter mask, and at 2 000 subjects sva's ~10 x 1.6 GB still fits in 24 GB.
	compute_sizes="200:20000 200:100000 200:300000 100:100000 600:100000 2000:100000"
	e2e_sizes="100 600 2000"
	out="${out:-$here/docs/benchmarks.md}"
fi
mkdir -p "$work"
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# -- Install what is missing (Debian) --
need=()
command -v Rscript >/dev/null 2>&1 || need+=(r-base-core)
if ! Rscript -e 'quit(status = if (requireNamespace("sva", quietly = TRUE)) 0 else 1)' \
	>/dev/null 2>&1; then need+=(r-bioc-sva); fi
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
	sudo=""
	[ "$(id -u)" -ne 0 ] && sudo=sudo
	log "installing ${need[*]}"
	$sudo apt-get update -q
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${need[@]}"
fi
for tool in java mvn; do
	command -v $tool >/dev/null || { echo "benchmark-vs-sva.sh: $tool not found; install a JDK" \
		"(11 or newer) and Maven." >&2; exit 1; }
done

# -- Build: the plug-in and its launcher, and the benchmark mains (test classes) --
log "building (mvn -DskipTests package: compiles main and test classes)"
(cd "$here" && mvn -B -q -DskipTests package)
cp_bench="$here/target/test-classes:$here/target/classes:$here/target/app/plugins/jars/*"
cp_bench="$cp_bench:$here/target/app/ij.jar"
bench() { java -Xmx8g -cp "$cp_bench" "$@"; }

# -- Measuring helpers --
hz="$(getconf CLK_TCK)"
busy() { awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
# measure LOG cmd...: runs cmd under /usr/bin/time; sets P_WALL, P_CPU (user + sys, s),
# P_RSS_MB (max RSS) and OTHER (mean CPU cores used by other processes meanwhile).
measure() {
	local logf="$1"; shift
	local b0 b1
	b0="$(busy)"
	if ! /usr/bin/time -f "%e %U %S %M" -o "$logf.time" "$@" >"$logf" 2>&1; then
		echo "benchmark-vs-sva.sh: failed: $*; see $logf" >&2
		tail -5 "$logf" >&2
		return 1
	fi
	b1="$(busy)"
	read -r P_WALL u s rss < <(tail -n 1 "$logf.time")
	P_CPU="$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')"
	P_RSS_MB=$((rss / 1024))
	OTHER="$(awk -v b0="$b0" -v b1="$b1" -v hz="$hz" -v c="$P_CPU" -v w="$P_WALL" \
		'BEGIN { o = w > 0 ? ((b1 - b0) / hz - c) / w : 0; printf "%.2f", o < 0 ? 0 : o }')"
}
# val FILE KEY: the value of KEY=value in FILE (last occurrence)
val() { grep -o "\(^\| \)$2=[^ ]*" "$1" | tail -n 1 | sed 's/.*=//'; }
# json FILE KEY: a number from run.json
json() { grep -o "\"$2\": *[-0-9.eE]*" "$1" | head -n 1 | sed 's/.*: *//'; }
avail_mb() { awk '/^MemAvailable/ { print int($2 / 1024) }' /proc/meminfo; }
sva_fits() { # N V: estimated sva peak (MB) against available memory
	local est=$(( $1 * $2 * 8 * 10 / 1048576 + 400 ))
	SVA_EST_MB=$est
	[ "$est" -lt $(( $(avail_mb) * 85 / 100 )) ]
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "–";
	else printf "%.1f", a / b }'; }

compute_tsv="$work/compute.tsv"
e2e_tsv="$work/e2e.tsv"
: >"$compute_tsv"
: >"$e2e_tsv"

# -- The report --
machine() {
	local cpu mem java_v r_v sva_v blas
	cpu="$(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //')"
	mem="$(awk '/^MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)"
	java_v="$(java -version 2>&1)"; java_v="${java_v%%$'\n'*}"
	r_v="$(Rscript -e 'cat(R.version.string)' 2>/dev/null)"
	sva_v="$(Rscript -e 'cat(as.character(packageVersion("sva")))' 2>/dev/null)"
	blas="$(Rscript -e 'cat(extSoftVersion()[["BLAS"]], La_library())' 2>/dev/null || true)"
	echo "- CPU: $cpu, $(nproc) cores (\`nproc\`); RAM $mem"
	echo "- OS: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
	echo "- Java: $java_v; HarmonIJ $(cd "$here" && git rev-parse --short HEAD 2>/dev/null \
		|| echo '?') with $threads threads"
	echo "- R: $r_v, sva $sva_v (Debian r-bioc-sva); BLAS/LAPACK: $blas"
	echo "- Run: $(date -u '+%Y-%m-%d %H:%M UTC')$([ "$quick" = 1 ] && echo ', --quick')"
}
write_report() {
	{
		echo "# Benchmarks: HarmonIJ vs R sva::ComBat"
		echo
		echo "Generated by \`scripts/benchmark-vs-sva.sh$([ "$quick" = 1 ] && echo ' --quick')\`"
		echo "(GitHub issue 6); do not edit by hand. Parametric ComBat, batch = site, covariates age"
		echo "(continuous) and sex (categorical), sva's defaults otherwise; both tools see the same"
		echo "numbers. One run per row, cold (no warm-up), so JIT compilation is included for HarmonIJ."
		echo
		echo "## Machine"
		echo
		machine
		echo
		echo "**Shared CPU.** The last column is the mean number of CPU cores that *other* processes"
		echo "used while the row was measured (system busy time from /proc/stat minus the benchmark"
		echo "process's own CPU time, over its wall time). Rows marked ⚠ had more than 0.25 cores in"
		echo "use by others: their wall times are inflated; CPU times are less affected."
		echo
		echo "## 1. Matrix compute only"
		echo
		echo "Synthetic float32 matrix (\`MatrixBenchmark synth\`, seed 6): 4 sites of 15/35/20/30 %"
		echo "of the subjects, integer ages 20-80, sex 0/1, per-feature age and sex effects,"
		echo "per-site per-feature additive and multiplicative site effects. HarmonIJ: \`ComBat.fit\`"
		echo "+ \`apply\` in place on float32 rows, timed in the JVM (wall: System.nanoTime; CPU:"
		echo "process CPU time incl. GC and JIT threads; memory: peak Java heap, the matrix"
		echo "included). sva: the \`ComBat(...)\` call alone (\`system.time\`: elapsed; user + sys;"
		echo "memory: peak RSS of the R process during the call, the float64 matrix included)."
		echo "Max diff: max over all cells of |HarmonIJ − sva| / mean per-feature SD of the input,"
		echo "both outputs in float64 (HarmonIJ refitted into float64 rows for this check, untimed)."
		echo
		echo "| subjects × features | HarmonIJ wall | HarmonIJ CPU | HarmonIJ peak heap | sva wall | sva CPU | sva peak RSS | speed-up (wall) | speed-up (CPU) | max diff / SD | others' CPU (HarmonIJ / sva) |"
		echo "|---|---|---|---|---|---|---|---|---|---|---|"
		awk -F'\t' '{
			flag = ($11 + 0 > 0.25 || $12 + 0 > 0.25) ? " ⚠" : "";
			sva = ($6 == "") ? "| " $13 " | | " : "| " $6 " s | " $7 " s | " $8 " MB ";
			printf "| %s × %s%s | %s s | %s s | %s MB %s| %s | %s | %s | %s / %s |\n",
				$1, $2, flag, $3, $4, $5, sva, $9, $10, $14, $11, $12 }' "$compute_tsv"
		echo
		echo "Speed-up = sva / HarmonIJ. The issue's anchors (sva 3.1 s / 12.8 s / 30.0 s at"
		echo "20k / 100k / 300k features, 200 subjects, measured on an idle machine of this kind)"
		echo "are quoted in issue 6; HarmonIJ's target there is ≥ 20 × faster, with a peak heap under"
		echo "0.5 GB at 300k."
		echo
		echo "## 2. End to end from NIfTI"
		echo
		echo "Cohorts from \`harmonij simulate --sites 4 --seed 6 --resolution 2\` (MNI 2 mm, brain"
		echo "mask from the simulation). HarmonIJ: the whole \`harmonij --threads $threads combat"
		echo "--batch site --covariates age,sex --categorical sex --mask mask.nii.gz\` process under"
		echo "\`/usr/bin/time -v\` (JVM and SciJava start, reading the .nii.gz images, fit, writing"
		echo "harmonised and difference .nii.gz images, model maps, run.json); the read / fit / adjust /"
		echo "write split and peak heap are from its run.json (\"fit\": estimating the model; \"adjust\":"
		echo "forming the per-site coefficients and harmonising each subject's row while its images are"
		echo "written, the threads' summed time over the thread count; fit +"
		echo "adjust is what sva's ComBat call computes, so the last speed-up compares like with like)."
		echo "sva: the whole \`Rscript scripts/sva_matrix.R e2e\` process (R start, loading sva,"
		echo "reading the same masked voxels from a float32 matrix file, ComBat, writing the result as"
		echo "float32), with its own read / ComBat / write split. The NIfTI → matrix conversion for"
		echo "sva (Java \`CohortMatrix\`; Debian packages no R NIfTI reader) is not counted, so sva's"
		echo "end-to-end time is a lower bound. Max diff: HarmonIJ's harmonised images vs sva's"
		echo "float32 output at the masked voxels, / mean per-voxel SD (float32 rounding on both"
		echo "sides). Memory: max RSS of each process."
		echo
		echo "| subjects (voxels) | HarmonIJ wall | HarmonIJ CPU | HarmonIJ max RSS | run.json read / fit / adjust / write | peak heap | sva wall | sva CPU | sva max RSS | R read / ComBat / write | speed-up (wall) | sva ComBat / run.json fit | sva ComBat / run.json (fit + adjust) | max diff / SD | others' CPU (HarmonIJ / sva) |"
		echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
		awk -F'\t' '{
			flag = ($17 + 0 > 0.25 || $18 + 0 > 0.25) ? " ⚠" : "";
			sva = ($9 == "") ? "| " $19 " | | | " : "| " $9 " s | " $10 " s | " $11 " MB | " \
				$12 " / " $13 " / " $14 " s ";
			printf "| %s (%s)%s | %s s | %s s | %s MB | %s / %s / %s / %s s | %s MB %s| %s | %s | %s | %s | %s / %s |\n",
				$1, $2, flag, $3, $4, $5, $6, $7, $22, $8, $20, sva, $15, $16, $23, $21, $17, $18 }' "$e2e_tsv"
		echo
		echo "## Regenerate"
		echo
		echo '```'
		echo "scripts/benchmark-vs-sva.sh            # full run, writes docs/benchmarks.md"
		echo "scripts/benchmark-vs-sva.sh --quick    # small sizes, writes \$TMPDIR/harmonij-bench/benchmarks-quick.md"
		echo '```'
		echo
		echo "Logs, per-row raw numbers (compute.tsv, e2e.tsv) and the reusable cohorts stay in"
		echo "\`${TMPDIR:-/tmp}/harmonij-bench\` (\`--work DIR\`). Needs about 10 GB of disk for the"
		echo "2 000-subject cohort and its outputs, and 24 GB of RAM for sva at 2 000 × 100k."
	} >"$out.tmp"
	mv "$out.tmp" "$out"
}

# -- 1. Matrix compute only --
for size in $compute_sizes; do
	n="${size%%:*}"
	v="${size##*:}"
	d="$work/matrix-${n}x${v}"
	if [ ! -f "$d/matrix.f32" ] || [ ! -f "$d/design.csv" ]; then
		log "synthesising $n x $v"
		bench io.github.harmonij.bench.MatrixBenchmark synth "$d" "$n" "$v" 6 >/dev/null
	fi
	log "compute $n x $v: HarmonIJ"
	measure "$d/harmonij.log" java -Xmx8g -cp "$cp_bench" \
		io.github.harmonij.bench.MatrixBenchmark harmonij "$d" "$threads" "$d/harmonij.f64"
	hj_wall="$(val "$d/harmonij.log" wall_s)"
	hj_cpu="$(val "$d/harmonij.log" cpu_s)"
	hj_heap="$(val "$d/harmonij.log" peak_heap_mb)"
	hj_other="$OTHER"
	sva_wall="" sva_cpu="" sva_rss="" sva_other="" note="" diff="–"
	if sva_fits "$n" "$v"; then
		log "compute $n x $v: sva (about $((SVA_EST_MB / 1024 + 1)) GB)"
		if ! measure "$d/sva.log" Rscript "$here/scripts/sva_matrix.R" compute "$d" "$d/sva.f64"
		then
			note="failed: see $d/sva.log"
		else
			sva_wall="$(val "$d/sva.log" combat_s)"
			sva_cpu="$(val "$d/sva.log" combat_cpu_s)"
			sva_rss="$(val "$d/sva.log" combat_peak_rss_mb)"
			sva_other="$OTHER"
			bench io.github.harmonij.bench.MatrixBenchmark compare "$d/matrix.f32" \
				"$d/harmonij.f64" "$d/sva.f64" >"$d/compare.log"
			diff="$(val "$d/compare.log" max_diff_over_sd)"
			[ "$(val "$d/compare.log" nan_mismatches)" = 0 ] || diff="$diff (NaN mismatches)"
		fi
	else
		note="not run: needs ~$((SVA_EST_MB / 1024 + 1)) GB, $(($(avail_mb) / 1024)) GB available"
	fi
	rm -f "$d/harmonij.f64" "$d/sva.f64"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$v" "$hj_wall" \
		"$hj_cpu" "$hj_heap" "$sva_wall" "$sva_cpu" "$sva_rss" "$(ratio "$sva_wall" "$hj_wall")" \
		"$(ratio "$sva_cpu" "$hj_cpu")" "$hj_other" "${sva_other:-–}" "$note" "$diff" \
		>>"$compute_tsv"
	write_report
done

# -- 2. End to end from NIfTI --
for n in $e2e_sizes; do
	c="$work/cohort-$n"
	if [ ! -f "$c/cohort.csv" ]; then
		log "simulating a $n-subject cohort (2 mm)"
		rm -rf "$c"
		"$here/harmonij" simulate --out "$c" --subjects "$n" --sites 4 --seed 6 --resolution 2 \
			>/dev/null 2>&1
	fi
	r="$work/e2e-$n-harmonij"
	m="$work/e2e-$n-matrix"
	rm -rf "$r" "$m"
	log "end to end $n: HarmonIJ"
	measure "$work/e2e-$n-harmonij.log" "$here/harmonij" --threads "$threads" combat \
		--manifest "$c/cohort.csv" --batch site --covariates age,sex --categorical sex \
		--mask "$c/mask.nii.gz" --out "$r"
	hj=("$P_WALL" "$P_CPU" "$P_RSS_MB" "$(json "$r/run.json" read)" "$(json "$r/run.json" fit)" \
		"$(json "$r/run.json" write)" "$(json "$r/run.json" peak_heap_mb)" \
		"$(json "$r/run.json" adjust)")
	hj_fa="$(awk -v a="${hj[4]}" -v b="${hj[7]}" 'BEGIN { printf "%.3f", a + b }')"
	hj_other="$OTHER"
	voxels="$(json "$r/run.json" mask_voxels)"
	log "end to end $n: NIfTI -> matrix for sva (not timed)"
	bench io.github.harmonij.bench.CohortMatrix "$c/cohort.csv" "$c/mask.nii.gz" "$m" >/dev/null
	sva=("" "" "" "" "" "") sva_other="–" note="" diff="–"
	if sva_fits "$n" "$voxels"; then
		log "end to end $n: sva (about $((SVA_EST_MB / 1024 + 1)) GB)"
		if ! measure "$work/e2e-$n-sva.log" Rscript "$here/scripts/sva_matrix.R" e2e "$m" \
			"$m/sva.f32"
		then
			note="failed: see $work/e2e-$n-sva.log"
		else
			sva=("$P_WALL" "$P_CPU" "$P_RSS_MB" "$(val "$work/e2e-$n-sva.log" read_s)" \
				"$(val "$work/e2e-$n-sva.log" combat_s)" "$(val "$work/e2e-$n-sva.log" write_s)")
			sva_other="$OTHER"
			bench io.github.harmonij.bench.CohortMatrix "$c/cohort.csv" "$c/mask.nii.gz" "$m/hj" \
				"$r/harmonised" >/dev/null
			cp "$m/design.csv" "$m/hj/design.csv"
			bench io.github.harmonij.bench.MatrixBenchmark compare "$m/matrix.f32" \
				"$m/hj/matrix.f32" "$m/sva.f32" >"$work/e2e-$n-compare.log"
			diff="$(val "$work/e2e-$n-compare.log" max_diff_over_sd)"
		fi
	else
		note="not run: needs ~$((SVA_EST_MB / 1024 + 1)) GB, $(($(avail_mb) / 1024)) GB available"
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
		"$n" "$voxels" "${hj[0]}" "${hj[1]}" "${hj[2]}" "${hj[3]}" "${hj[4]}" "${hj[5]}" \
		"${sva[0]}" "${sva[1]}" "${sva[2]}" "${sva[3]}" "${sva[4]}" "${sva[5]}" \
		"$(ratio "${sva[0]}" "${hj[0]}")" "$(ratio "${sva[4]}" "${hj[4]}")" "$hj_other" \
		"$sva_other" "$note" "${hj[6]}" "$diff" "${hj[7]}" "$(ratio "${sva[4]}" "$hj_fa")" \
		>>"$e2e_tsv"
	rm -rf "$r" "$m"
	write_report
done
log "wrote $out"
