# make_reference.R -- reference outputs of R sva::ComBat for HarmonIJ conformance tests.
#
# Regenerate (writes every file into the current directory):
#   cd src/test/resources/reference/sva && Rscript make_reference.R
#
# Outputs (see PROVENANCE.md for the full description):
#   dataset_<name>.csv  synthetic data, rows = subjects:
#                       subject,batch,<covariates...>,f1..fV
#   cases.csv           case,dataset,eb,mean_only,ref_batch,covariates,categorical
#   <case>.csv          sva::ComBat output, rows = subjects: subject,f1..fV
# Numbers are written with sprintf("%.17g") (17 significant digits), which
# round-trips IEEE doubles exactly; text is written unquoted (no value
# contains a comma, quote or newline).
#
# Everything is deterministic: fixed RNG kind, one fixed seed per dataset.

suppressPackageStartupMessages(library(sva))

RNGkind("Mersenne-Twister", "Inversion", "Rejection")
BASE_SEED <- 20240611L

# Number of features per dataset. The unbalanced dataset is used by 25 cases,
# so its width dominates the total size of this folder (see PROVENANCE.md).
V_UNBALANCED <- 12L
V_SMALL      <- 40L
V_MEANONLY1  <- 30L

# ---------------------------------------------------------------------------
# CSV helpers
# ---------------------------------------------------------------------------

fmt_num <- function(x) {
  stopifnot(is.numeric(x), all(is.finite(x)))
  sprintf("%.17g", x)
}

# Write a data.frame: numeric columns with 17 significant digits, everything
# else as plain text, no quoting, no row names, "\n" line endings.
write_plain_csv <- function(df, file) {
  cols <- lapply(df, function(col) {
    if (is.numeric(col)) fmt_num(col) else as.character(col)
  })
  for (col in cols) stopifnot(!any(grepl("[,\"\n]", col)))
  lines <- c(paste(names(df), collapse = ","),
             do.call(paste, c(cols, sep = ",")))
  con <- file(file, open = "wb")          # binary: no CRLF on any platform
  writeLines(lines, con, sep = "\n")
  close(con)
}

# Read a file back and check that every number parses to the identical double
# (i.e. what a correctly-rounding parser such as Java's Double.parseDouble
# reads is exactly what was fed to ComBat).
check_roundtrip <- function(df, file) {
  back <- read.csv(file, stringsAsFactors = FALSE, colClasses = sapply(df, function(c)
    if (is.numeric(c)) "numeric" else "character"))
  stopifnot(identical(dim(back), dim(df)), identical(names(back), names(df)))
  for (j in seq_along(df)) {
    if (!identical(unname(back[[j]]), unname(as.vector(df[[j]])))) {
      stop("round-trip mismatch in ", file, " column ", names(df)[j])
    }
  }
}

# ---------------------------------------------------------------------------
# Synthetic data
# ---------------------------------------------------------------------------

# Feature scales: alternate "grey-matter probability"-like features
# (mean ~0.5, SD ~0.1) and "regional volume"-like features (mean ~3000,
# SD ~400), with some spread in both.
feature_scales <- function(V) {
  gm <- (seq_len(V) %% 2) == 1
  mu <- ifelse(gm, runif(V, 0.40, 0.60), runif(V, 2500, 3500))
  sd <- ifelse(gm, runif(V, 0.07, 0.13), runif(V, 300, 500))
  list(mu = mu, sd = sd)
}

# Features = intercept + covariate effects + additive site shift
#            + multiplicative site scale on the noise.
# All effects are in units of the feature's SD so every feature has a
# similar signal-to-noise ratio whatever its scale.
simulate_features <- function(df, V) {
  n <- nrow(df)
  sc <- feature_scales(V)
  sites <- sort(unique(df$batch))
  # site effects: per-site mean shift plus per-feature jitter; per-site
  # scale (log-normal around a site-specific level)
  site_shift_mean <- rnorm(length(sites), 0, 0.6)
  site_scale_mean <- exp(rnorm(length(sites), 0, 0.35))
  gamma <- sapply(seq_along(sites), function(k) rnorm(V, site_shift_mean[k], 0.3))  # V x K
  delta <- sapply(seq_along(sites), function(k) site_scale_mean[k] * exp(rnorm(V, 0, 0.15)))
  colnames(gamma) <- colnames(delta) <- sites
  eff <- matrix(0, n, V)
  if (!is.null(df$age)) {
    b_age <- rnorm(V, -0.25, 0.10)                 # per 10 years
    eff <- eff + outer((df$age - 50) / 10, b_age)
  }
  if (!is.null(df$icv)) {
    b_icv <- rnorm(V, 0.40, 0.10)                  # per 150 ml
    eff <- eff + outer((df$icv - 1500) / 150, b_icv)
  }
  if (!is.null(df$sex)) {
    b_sex <- rnorm(V, 0.30, 0.15)                  # M vs F
    eff <- eff + outer(as.numeric(df$sex == "M"), b_sex)
  }
  if (!is.null(df$group)) {
    b_ad  <- rnorm(V, -0.60, 0.20)                 # AD vs CN
    b_mci <- rnorm(V, -0.25, 0.15)                 # MCI vs CN
    eff <- eff + outer(as.numeric(df$group == "AD"), b_ad) +
                 outer(as.numeric(df$group == "MCI"), b_mci)
  }
  noise <- matrix(rnorm(n * V, 0, 0.5), n, V)
  Z <- eff + t(gamma[, df$batch, drop = FALSE]) + noise * t(delta[, df$batch, drop = FALSE])
  Y <- sweep(sweep(Z, 2, sc$sd, `*`), 2, sc$mu, `+`)
  colnames(Y) <- paste0("f", seq_len(V))
  Y
}

# Batch factor with shuffled (interleaved) subject order.
make_sites <- function(sizes) {
  b <- rep(names(sizes), times = sizes)
  b[sample.int(length(b))]
}

as_factor_sorted <- function(x) factor(x, levels = sort(unique(x)))

# A categorical covariate is usable if every level has >= 2 subjects and
# appears in >= 2 sites (so it cannot be confounded with a site).
levels_ok <- function(x, batch) {
  all(table(x) >= 2) &&
    all(tapply(batch, x, function(b) length(unique(b))) >= 2)
}

full_rank <- function(df, rhs) {
  X <- cbind(model.matrix(~ -1 + batch, data = df),
             model.matrix(as.formula(paste("~", rhs)), data = df)[, -1, drop = FALSE])
  qr(X)$rank == ncol(X)
}

make_unbalanced <- function() {
  set.seed(BASE_SEED + 1L)
  sizes <- c(SiteA = 2, SiteB = 13, SiteC = 40, SiteD = 200)
  batch <- make_sites(sizes)
  n <- length(batch)
  age <- runif(n, 20, 80)                          # fractional, not rounded
  icv <- rnorm(n, 1500, 150)
  repeat {                                         # deterministic given the seed
    sex   <- sample(c("F", "M"), n, replace = TRUE)
    group <- sample(c("AD", "CN", "MCI"), n, replace = TRUE, prob = c(0.3, 0.4, 0.3))
    df <- data.frame(subject = sprintf("U%03d", seq_len(n)), batch = batch,
                     age = age, icv = icv, sex = sex, group = group,
                     stringsAsFactors = FALSE)
    f <- transform(df, sex = as_factor_sorted(sex), group = as_factor_sorted(group))
    if (levels_ok(sex, batch) && levels_ok(group, batch) &&
        full_rank(f, "age + sex + group + icv")) break
  }
  cbind(df, simulate_features(df, V_UNBALANCED))
}

make_small <- function() {
  set.seed(BASE_SEED + 2L)
  sizes <- c(SiteA = 5, SiteB = 7, SiteC = 9)
  batch <- make_sites(sizes)
  n <- length(batch)
  age <- runif(n, 20, 80)
  repeat {
    sex <- sample(c("F", "M"), n, replace = TRUE)
    df <- data.frame(subject = sprintf("S%03d", seq_len(n)), batch = batch,
                     age = age, sex = sex, stringsAsFactors = FALSE)
    f <- transform(df, sex = as_factor_sorted(sex))
    if (levels_ok(sex, batch) && full_rank(f, "age + sex")) break
  }
  cbind(df, simulate_features(df, V_SMALL))
}

make_meanonly1 <- function() {
  set.seed(BASE_SEED + 3L)
  sizes <- c(SiteA = 1, SiteB = 10, SiteC = 12)
  batch <- make_sites(sizes)
  n <- length(batch)
  df <- data.frame(subject = sprintf("M%03d", seq_len(n)), batch = batch,
                   age = runif(n, 20, 80), stringsAsFactors = FALSE)
  cbind(df, simulate_features(df, V_MEANONLY1))
}

# Variant of `unbalanced`: f3 constant for all subjects, f7 constant within
# SiteC only (other sites unchanged). The constants are exactly representable.
make_unbalanced_constant <- function(unb) {
  d <- unb
  d$f3 <- round(mean(unb$f3), 2)
  inC <- d$batch == "SiteC"
  d$f7[inC] <- round(mean(unb$f7[inC]), 2)
  d
}

datasets <- list()
datasets$unbalanced          <- make_unbalanced()
datasets$small               <- make_small()
datasets$meanonly1           <- make_meanonly1()
datasets$unbalanced_constant <- make_unbalanced_constant(datasets$unbalanced)

for (nm in names(datasets)) {
  file <- sprintf("dataset_%s.csv", nm)
  write_plain_csv(datasets[[nm]], file)
  check_roundtrip(datasets[[nm]], file)
  cat(sprintf("wrote %-32s %4d subjects x %3d features; batch sizes: %s\n",
              file, nrow(datasets[[nm]]), sum(grepl("^f[0-9]+$", names(datasets[[nm]]))),
              paste(names(table(datasets[[nm]]$batch)), table(datasets[[nm]]$batch),
                    sep = "=", collapse = " ")))
}

# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

CATEGORICAL <- c("sex", "group")   # all other covariates are continuous

case_row <- function(dataset, eb, mean_only, ref, covs, covtag) {
  name <- paste(dataset,
                if (eb == "parametric") "par" else "nonpar",
                if (mean_only) "meanonly" else "full",
                if (ref == "") "noref" else "ref",
                covtag, sep = "_")
  data.frame(case = name, dataset = dataset, eb = eb,
             mean_only = if (mean_only) "TRUE" else "FALSE",
             ref_batch = ref,
             covariates = paste(covs, collapse = ";"),
             categorical = paste(intersect(covs, CATEGORICAL), collapse = ";"),
             stringsAsFactors = FALSE)
}

cases <- list()
cov_sets <- list(nocov = character(0), age = "age",
                 allcov = c("age", "sex", "group", "icv"))
for (eb in c("parametric", "nonparametric"))
  for (mo in c(FALSE, TRUE))
    for (ref in c("", "SiteB"))
      for (ct in names(cov_sets))
        cases[[length(cases) + 1]] <- case_row("unbalanced", eb, mo, ref, cov_sets[[ct]], ct)
for (eb in c("parametric", "nonparametric"))
  for (ref in c("", "SiteA"))
    cases[[length(cases) + 1]] <- case_row("small", eb, FALSE, ref, c("age", "sex"), "agesex")
for (eb in c("parametric", "nonparametric"))
  cases[[length(cases) + 1]] <- case_row("meanonly1", eb, TRUE, "", "age", "age")
cases[[length(cases) + 1]] <- case_row("unbalanced_constant", "parametric", FALSE, "",
                                       cov_sets$allcov, "allcov")
cases <- do.call(rbind, cases)
stopifnot(!anyDuplicated(cases$case))
write_plain_csv(cases, "cases.csv")

# ---------------------------------------------------------------------------
# Run sva::ComBat on every case
# ---------------------------------------------------------------------------

run_case <- function(cs) {
  df <- datasets[[cs$dataset]]
  fcols <- grep("^f[0-9]+$", names(df), value = TRUE)
  Y <- as.matrix(df[, fcols])                      # subjects x features
  covs <- if (cs$covariates == "") character(0) else strsplit(cs$covariates, ";")[[1]]
  cats <- if (cs$categorical == "") character(0) else strsplit(cs$categorical, ";")[[1]]
  mdf <- df
  for (cc in cats) mdf[[cc]] <- as_factor_sorted(mdf[[cc]])   # treatment contrasts
  mod <- if (length(covs) == 0) NULL else
    model.matrix(as.formula(paste("~", paste(covs, collapse = " + "))), data = mdf)
  ref <- if (cs$ref_batch == "") NULL else cs$ref_batch

  msgs <- character(0)
  t0 <- proc.time()[["elapsed"]]
  out <- NULL
  stdout_txt <- capture.output(
    out <- withCallingHandlers(
      ComBat(dat = t(Y), batch = df$batch, mod = mod,
             par.prior = cs$eb == "parametric",
             mean.only = cs$mean_only == "TRUE",
             ref.batch = ref),
      message = function(m) {
        msgs <<- c(msgs, trimws(conditionMessage(m)))
        invokeRestart("muffleMessage")
      }),
    type = "output")
  wall <- proc.time()[["elapsed"]] - t0

  res <- t(out)                                    # back to subjects x features
  stopifnot(identical(dim(res), dim(Y)), all(is.finite(res)))
  colnames(res) <- fcols
  write_plain_csv(data.frame(subject = df$subject, res, check.names = FALSE,
                             stringsAsFactors = FALSE),
                  sprintf("%s.csv", cs$case))
  # notable sva messages (the routine progress messages are dropped)
  notes <- c(grep("^(Note|Using|Found [0-9]+ genes)", c(trimws(stdout_txt), msgs), value = TRUE))
  notes <- setdiff(notes, "Using the 'mean only' version of ComBat")
  # sanity: the reference batch is returned unchanged, bit for bit
  if (!is.null(ref)) stopifnot(identical(res[df$batch == ref, ], Y[df$batch == ref, ]))
  list(wall = wall, notes = unique(notes), out = res,
       unchanged = fcols[colSums(res != Y) == 0])
}

cat(sprintf("\nsva %s, %s\n\n", packageVersion("sva"), R.version.string))
total0 <- proc.time()[["elapsed"]]
outputs <- list()
for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]
  r <- run_case(cs)
  outputs[[cs$case]] <- r$out
  cat(sprintf("%-44s %7.3f s", cs$case, r$wall))
  if (length(r$unchanged) > 0 && length(r$unchanged) < 10)
    cat(sprintf("  [features left unchanged: %s]", paste(r$unchanged, collapse = " ")))
  if (length(r$notes) > 0) cat(sprintf("\n    sva: %s", r$notes), sep = "")
  cat("\n")
}
cat(sprintf("\n%d cases, total ComBat+write time %.2f s\n", nrow(cases),
            proc.time()[["elapsed"]] - total0))

# ---------------------------------------------------------------------------
# Check of sva's handling of constant features (documented in PROVENANCE.md):
# features with zero variance within any batch of >= 2 subjects are removed
# before anything is estimated and returned unchanged. So the remaining
# features of the constant case must equal ComBat run on the data without
# f3 and f7 (f3/f7 do not enter the fit, the pooled variance or the priors).
# ---------------------------------------------------------------------------
{
  d <- datasets$unbalanced_constant
  cs <- cases[cases$dataset == "unbalanced_constant", ]
  stopifnot(nrow(cs) == 1)
  full <- outputs[[cs$case]]
  keep <- setdiff(grep("^f[0-9]+$", names(d), value = TRUE), c("f3", "f7"))
  mdf <- transform(d, sex = as_factor_sorted(sex), group = as_factor_sorted(group))
  mod <- model.matrix(~ age + sex + group + icv, data = mdf)
  sub <- t(suppressMessages(ComBat(dat = t(as.matrix(d[, keep])), batch = d$batch,
                                   mod = mod, par.prior = TRUE)))
  stopifnot(all(full[, c("f3", "f7")] == as.matrix(d[, c("f3", "f7")])))
  cat(sprintf("constant case: f3,f7 returned unchanged; other features vs ComBat without f3,f7: max |diff| = %.3g\n",
              max(abs(full[, keep] - sub))))
}
