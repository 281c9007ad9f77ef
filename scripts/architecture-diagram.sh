#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Rewrites the generated package diagram in docs/architecture.md from the compiled classes
# (PackageDiagramTest with -Dharmonij.regenerate=true; the test alone fails when the block differs).
#   scripts/architecture-diagram.sh [maven options, e.g. -o]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -B -q "$@" test -Dtest=PackageDiagramTest -Dsurefire.failIfNoSpecifiedTests=false \
	-Dharmonij.regenerate=true
