# SPDX-License-Identifier: MIT
# Reference values for io.github.harmonij.core.stats (SiteTestsReferenceTest).
# Run from this folder: Rscript make_reference.R   (R 4.2, car; writes the CSVs beside it)
suppressPackageStartupMessages(library(car))
set.seed(20240505)
n <- c(A = 8, B = 10, C = 12)
site <- factor(rep(names(n), n))
N <- sum(n)
age <- round(runif(N, 20, 80), 1)
sex <- factor(sample(c("F", "M"), N, replace = TRUE))
group <- factor(sample(c("g1", "g2", "g3"), N, replace = TRUE))
shift <- c(A = 0, B = 1, C = -0.5)[as.character(site)]
scale <- c(A = 1, B = 2, C = 0.5)[as.character(site)]
e <- function() rnorm(N)
d <- data.frame(subject = sprintf("s%02d", 1:N), site = site, age = age, sex = sex, group = group)
d$f1 <- 10 + 0.05 * age + e()                                   # no site effect
d$f2 <- 10 + 0.05 * age + shift + e()                           # site shift
d$f3 <- 10 + 0.05 * age + e() * scale                           # site scale only
d$f4 <- 100 + 0.5 * age + 40 * shift + e()                      # huge shift: tiny p
d$f5 <- 3000 + 10 * age + 100 * (sex == "M") + 200 * shift + 50 * e() * scale  # volume-like
d$f6 <- 1 + 0.3 * (group == "g2") - 0.2 * (group == "g3") + 0.2 * shift + 0.3 * e()
features <- paste0("f", 1:6)
fmt <- function(x) sprintf("%.17g", x)
for (f in features) d[[f]] <- fmt(d[[f]])
write.csv(d, "dataset.csv", row.names = FALSE, quote = FALSE)
# Everything below uses the file as written, so Java reads exactly the same numbers
d <- read.csv("dataset.csv", stringsAsFactors = TRUE)

rows <- list()
for (f in features) {
  y <- d[[f]]
  m0 <- lm(y ~ age + sex + group, data = d)
  m1 <- lm(y ~ age + sex + group + site, data = d)
  a2 <- car::Anova(m1, type = 2)
  nested <- anova(m0, m1)
  lr <- as.numeric(2 * (logLik(m1) - logLik(m0)))
  r <- resid(m0)
  lev <- car::leveneTest(r ~ site, center = median)
  tage <- summary(m1)$coefficients["age", ]
  gtest <- anova(lm(y ~ age + sex + site, data = d), m1)
  rows[[f]] <- data.frame(feature = f,
    site_F = fmt(a2["site", "F value"]), site_p = fmt(a2["site", "Pr(>F)"]),
    nested_F = fmt(nested$F[2]), nested_p = fmt(nested$`Pr(>F)`[2]),
    site_df1 = a2["site", "Df"], site_df2 = a2["Residuals", "Df"],
    lrt = fmt(lr), lrt_p = fmt(pchisq(lr, df = 2, lower.tail = FALSE)),
    levene_F = fmt(lev[1, "F value"]), levene_p = fmt(lev[1, "Pr(>F)"]),
    age_t = fmt(tage["t value"]), age_p = fmt(tage["Pr(>|t|)"]),
    group_F = fmt(gtest$F[2]), group_p = fmt(gtest$`Pr(>F)`[2]),
    group_F_type2 = fmt(a2["group", "F value"]),
    mean_residual_s01 = fmt(r[1]))
}
out <- do.call(rbind, rows)
out$site_p_bh <- fmt(p.adjust(as.numeric(out$site_p), method = "BH"))
write.csv(out, "expected.csv", row.names = FALSE, quote = FALSE)

# BH on its own: ties, NA, values above 1 after scaling
p <- c(0.01, 0.04, 0.04, NA, 0.03, 0.9, 0.0001, 0.5, 0.04, 1e-300, 0.2, 0.049999)
write.csv(data.frame(p = ifelse(is.na(p), "NaN", fmt(p)),
  bh = ifelse(is.na(p), "NaN", fmt(p.adjust(p, method = "BH")))), "bh.csv",
  row.names = FALSE, quote = FALSE)
cat("R", R.version$major, R.version$minor, "car", as.character(packageVersion("car")), "\n")
