# Reference numbers for RandomInterceptMean (issue 14, item 1): per feature of long_input.csv,
#   lmer(f ~ age + sex + site + (1|subject), REML = TRUE)
# with R's default treatment contrasts (intercept = site S1, sexM), the same column space as the
# Java design with reference site S1 (column S1 all ones, S2..S4 indicators, age, sex[M]).
# The optimizer's tolerances are tightened so that the optimum is resolved to ~1e-10.
# Run from this folder: Rscript long_lmer.R   (writes long_lmer_fit.csv and long_lmer_fitted.csv)
suppressPackageStartupMessages(library(lme4))
d <- read.csv("long_input.csv", stringsAsFactors = FALSE)
d$site <- factor(d$site)
d$sex <- factor(d$sex)
d$subject <- factor(d$subject)
features <- grep("^f[0-9]+$", names(d), value = TRUE)
ctl <- lmerControl(optimizer = "nloptwrap",
                   optCtrl = list(xtol_abs = 1e-14, ftol_abs = 1e-15, xtol_rel = 1e-14,
                                  ftol_rel = 1e-15, maxeval = 100000),
                   check.conv.singular = "ignore")
stats <- data.frame()
fitted_values <- data.frame(row.names = seq_len(nrow(d)))
for (f in features) {
  fit <- lmer(as.formula(paste(f, "~ age + sex + site + (1|subject)")), data = d, REML = TRUE,
              control = ctl)
  s2 <- sigma(fit)^2
  th <- getME(fit, "theta")[[1]]           # relative SD sigma_u / sigma
  stats <- rbind(stats, data.frame(feature = f, sigma2 = s2, intercept_var = s2 * th^2,
                                   theta = th^2, reml = REMLcrit(fit)))
  fitted_values[[f]] <- fitted(fit)         # fixed effects + the subject's BLUP
}
fmt <- function(df) { for (n in names(df)) if (is.numeric(df[[n]]))
  df[[n]] <- formatC(df[[n]], digits = 17, format = "g"); df }
write.csv(fmt(stats), "long_lmer_fit.csv", row.names = FALSE, quote = FALSE)
write.csv(fmt(fitted_values), "long_lmer_fitted.csv", row.names = FALSE, quote = FALSE)
cat("R", R.version$major, ".", R.version$minor, ", lme4 ", format(packageVersion("lme4")), "\n", sep = "")
