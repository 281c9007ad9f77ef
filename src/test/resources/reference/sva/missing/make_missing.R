# make_missing.R -- sva::ComBat references with missing feature cells (about 1 %),
# for HarmonIJ's missing-value path (combat-table with empty / NA cells).
#
# Regenerate (reads ../dataset_*.csv, writes into the current directory):
#   cd src/test/resources/reference/sva/missing && Rscript make_missing.R
#
# Outputs:
#   dataset_<name>_na.csv  the dataset of ../ with about 1 % of the feature cells set to NA
#                          (written as the text NA); cells are drawn so that every site keeps
#                          at least 2 values of every feature (sva needs them for a variance)
#   cases.csv              case,dataset,eb,mean_only,ref_batch,covariates,categorical
#   <case>.csv             sva::ComBat output, subjects x features, NA exactly where the input
#                          has NA
# Numbers: sprintf("%.17g"), which round-trips IEEE doubles. Deterministic (fixed seed).

suppressPackageStartupMessages(library(sva))
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20240612L)
FRACTION <- 0.01

fmt <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
write_plain_csv <- function(df, file) {
  cols <- lapply(df, function(col) if (is.numeric(col)) fmt(col) else as.character(col))
  lines <- c(paste(names(df), collapse = ","), do.call(paste, c(cols, sep = ",")))
  con <- file(file, open = "wb")
  writeLines(lines, con, sep = "\n")
  close(con)
}
as_factor_sorted <- function(x) factor(x, levels = sort(unique(x)))

knock_out <- function(df) {
  fcols <- grep("^f[0-9]+$", names(df), value = TRUE)
  Y <- as.matrix(df[, fcols])
  n_na <- max(1L, round(FRACTION * length(Y)))
  done <- 0L
  while (done < n_na) {
    j <- sample.int(nrow(Y), 1); v <- sample.int(ncol(Y), 1)
    if (is.na(Y[j, v])) next
    site <- df$batch == df$batch[j]
    if (sum(!is.na(Y[site, v])) <= 2) next           # keep >= 2 values per site and feature
    Y[j, v] <- NA
    done <- done + 1L
  }
  df[, fcols] <- Y
  df
}

datasets <- list()
for (nm in c("unbalanced", "small")) {
  d <- read.csv(file.path("..", sprintf("dataset_%s.csv", nm)), stringsAsFactors = FALSE)
  datasets[[nm]] <- knock_out(d)
  write_plain_csv(datasets[[nm]], sprintf("dataset_%s_na.csv", nm))
  cat(sprintf("dataset_%s_na.csv: %d missing cells of %d\n", nm,
              sum(is.na(datasets[[nm]][, grep("^f[0-9]+$", names(d))])),
              nrow(d) * length(grep("^f[0-9]+$", names(d)))))
}

cases <- data.frame(
  case = c("unbalanced_na_par_full_noref_allcov", "unbalanced_na_par_full_ref_allcov",
           "unbalanced_na_par_meanonly_noref_age", "unbalanced_na_par_full_noref_nocov",
           "small_na_par_full_noref_agesex", "small_na_nonpar_full_noref_agesex",
           "small_na_nonpar_full_ref_agesex"),
  dataset = c("unbalanced", "unbalanced", "unbalanced", "unbalanced", "small", "small", "small"),
  eb = c("parametric", "parametric", "parametric", "parametric", "parametric",
         "nonparametric", "nonparametric"),
  mean_only = c("FALSE", "FALSE", "TRUE", "FALSE", "FALSE", "FALSE", "FALSE"),
  ref_batch = c("", "SiteB", "", "", "", "", "SiteA"),
  covariates = c("age;sex;group;icv", "age;sex;group;icv", "age", "", "age;sex", "age;sex",
                 "age;sex"),
  categorical = c("sex;group", "sex;group", "", "", "sex", "sex", "sex"),
  stringsAsFactors = FALSE)
write_plain_csv(cases, "cases.csv")

for (i in seq_len(nrow(cases))) {
  cs <- cases[i, ]
  df <- datasets[[cs$dataset]]
  fcols <- grep("^f[0-9]+$", names(df), value = TRUE)
  Y <- as.matrix(df[, fcols])
  covs <- if (cs$covariates == "") character(0) else strsplit(cs$covariates, ";")[[1]]
  cats <- if (cs$categorical == "") character(0) else strsplit(cs$categorical, ";")[[1]]
  mdf <- df
  for (cc in cats) mdf[[cc]] <- as_factor_sorted(mdf[[cc]])
  mod <- if (length(covs) == 0) NULL else
    model.matrix(as.formula(paste("~", paste(covs, collapse = " + "))), data = mdf)
  ref <- if (cs$ref_batch == "") NULL else cs$ref_batch
  out <- NULL
  invisible(capture.output(out <- suppressMessages(
    ComBat(dat = t(Y), batch = df$batch, mod = mod, par.prior = cs$eb == "parametric",
           mean.only = cs$mean_only == "TRUE", ref.batch = ref))))
  res <- t(out)
  stopifnot(identical(is.na(res), is.na(Y)), all(is.finite(res[!is.na(Y)])))
  colnames(res) <- fcols
  write_plain_csv(data.frame(subject = df$subject, res, check.names = FALSE,
                             stringsAsFactors = FALSE), sprintf("%s.csv", cs$case))
  cat(sprintf("%-40s done\n", cs$case))
}
cat(sprintf("sva %s, %s\n", packageVersion("sva"), R.version.string))
