# Run from this folder. Rewrites one sva case with int.eprior evaluated in log space (see PROVENANCE-logspace.md).
suppressMessages(library(sva))
df <- read.csv("../dataset_unbalanced.csv", stringsAsFactors = FALSE)
Y <- as.matrix(df[, grep("^f[0-9]+$", names(df))])
df$sex <- factor(df$sex, levels = sort(unique(df$sex)))
df$group <- factor(df$group, levels = sort(unique(df$group)))
mod <- model.matrix(~ age + sex + group + icv, data = df)
logeprior <- function(sdat, g.hat, d.hat) {
  g.star <- d.star <- NULL
  for (i in 1:nrow(sdat)) {
    g <- g.hat[-i]; d <- d.hat[-i]; x <- sdat[i, ]; n <- length(x)
    sum2 <- sapply(g, function(gg) sum((x - gg)^2))
    l <- -n / 2 * log(2 * pi * d) - sum2 / (2 * d)
    w <- exp(l - max(l))
    g.star <- c(g.star, sum(g * w) / sum(w)); d.star <- c(d.star, sum(d * w) / sum(w))
  }
  rbind(g.star = g.star, d.star = d.star)
}
assignInNamespace("int.eprior", logeprior, "sva")
out <- t(suppressMessages(ComBat(t(Y), df$batch, mod, par.prior = FALSE, mean.only = TRUE,
                                 ref.batch = "SiteB")))
lines <- c(paste(c("subject", colnames(Y)), collapse = ","),
           sapply(seq_len(nrow(out)), function(j)
             paste(c(df$subject[j], sprintf("%.17g", out[j, ])), collapse = ",")))
writeLines(lines, "unbalanced_nonpar_meanonly_ref_allcov.csv")
