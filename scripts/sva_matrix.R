# SPDX-License-Identifier: MIT
# sva::ComBat side of scripts/benchmark-vs-sva.sh (issue 6).
#
#   Rscript scripts/sva_matrix.R compute DIR OUT.f64   time the ComBat call alone; write float64
#   Rscript scripts/sva_matrix.R e2e     DIR OUT.f32   time read + ComBat + write (float32 out)
#
# DIR holds matrix.f32 (raw little-endian float32, subject-major, i.e. a features x subjects
# matrix in R's column-major order) and design.csv (subject, site, age, sex as 0/1), as written by
# io.github.harmonij.bench.MatrixBenchmark or CohortMatrix. Model: parametric ComBat,
# batch = site, mod = model.matrix(~ age + sex), sva's defaults otherwise.
#
# Prints one line "sva key=value ...":
#   read_s, combat_s, write_s       elapsed seconds of each phase (system.time)
#   combat_cpu_s                    user + sys of the ComBat call (all threads: OpenBLAS included)
#   combat_peak_rss_mb              compute: peak resident memory of the process during the ComBat
#                                   call (VmHWM, reset just before it via /proc/self/clear_refs; -1
#                                   if the kernel refused); includes the input matrix. e2e: VmHWM
#                                   of the process up to the end of the call (no reset)
#   combat_gc_max_mb                R heap high-water mark during the call (gc "max used")
#   peak_rss_mb                     VmHWM at exit (since the reset, in compute mode)
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3 || !(args[1] %in% c("compute", "e2e")))
	stop("usage: Rscript sva_matrix.R compute|e2e DIR OUT")
mode <- args[1]
dir <- args[2]
out <- args[3]
suppressPackageStartupMessages(library(sva))

vmhwm_mb <- function() {
	s <- grep("^VmHWM", readLines("/proc/self/status"), value = TRUE)
	as.numeric(gsub("[^0-9]", "", s)) / 1024
}
reset_hwm <- function() {
	ok <- tryCatch({ writeLines("5", "/proc/self/clear_refs"); TRUE }, error = function(e) FALSE,
		warning = function(w) FALSE)
	ok
}

design <- read.csv(file.path(dir, "design.csv"), stringsAsFactors = FALSE)
n <- nrow(design)
file <- file.path(dir, "matrix.f32")
nf <- file.info(file)$size / 4 / n
stopifnot(nf == round(nf))

# Read column blocks, so that no single readBin/writeBin exceeds 2^31 bytes.
read_matrix <- function() {
	x <- matrix(0, nrow = nf, ncol = n)
	con <- file(file, "rb")
	on.exit(close(con))
	step <- max(1, floor(2e8 / nf))
	for (j in seq(1, n, by = step)) {
		k <- min(n, j + step - 1)
		x[, j:k] <- readBin(con, "numeric", n = nf * (k - j + 1), size = 4, endian = "little")
	}
	x
}
write_matrix <- function(x, path, size) {
	con <- file(path, "wb")
	on.exit(close(con))
	step <- max(1, floor(2e8 / nf))
	for (j in seq(1, n, by = step)) {
		k <- min(n, j + step - 1)
		writeBin(as.vector(x[, j:k]), con, size = size, endian = "little")
	}
}

t_read <- system.time(x <- read_matrix())
mod <- model.matrix(~ age + sex, data = design)
batch <- design$site

invisible(gc(reset = TRUE))
hwm_ok <- mode == "e2e" || reset_hwm()
t_combat <- system.time(invisible(capture.output(res <- suppressMessages(
	ComBat(dat = x, batch = batch, mod = mod, par.prior = TRUE)))))
combat_hwm <- if (hwm_ok) vmhwm_mb() else -1
g <- gc()
gc_max <- sum(g[, ncol(g)])
rm(x)

t_write <- system.time(write_matrix(res, out, if (mode == "compute") 8 else 4))

cat(sprintf(paste("sva mode=%s subjects=%d features=%d read_s=%.3f combat_s=%.3f",
	"combat_cpu_s=%.3f write_s=%.3f combat_peak_rss_mb=%.1f combat_gc_max_mb=%.1f",
	"peak_rss_mb=%.1f r=%s sva=%s\n"), mode, n, as.integer(nf), t_read[["elapsed"]],
	t_combat[["elapsed"]], t_combat[["user.self"]] + t_combat[["sys.self"]], t_write[["elapsed"]],
	combat_hwm, gc_max, vmhwm_mb(), paste(R.version$major, R.version$minor, sep = "."),
	as.character(packageVersion("sva"))))
