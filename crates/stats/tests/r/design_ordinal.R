# Reference values for the stats crate: ordinal, continuous, design, competing risks.
# Run from the repository root:  Rscript crates/stats/tests/r/design_ordinal.R
# Needs R with MASS, ordinal, rpact, cmprsk, survival, jsonlite (Debian: r-cran-mass r-cran-ordinal
# r-cran-rpact r-cran-cmprsk r-cran-survival r-cran-jsonlite).
# Writes crates/stats/tests/fixtures/{ordinal,continuous,design,competing}.json.

suppressMessages({ library(MASS); library(ordinal); library(rpact); library(cmprsk); library(survival); library(jsonlite) })
out <- "crates/stats/tests/fixtures"
put <- function(x, name) {
  writeLines(toJSON(x, auto_unbox = TRUE, digits = NA, na = "null", null = "null"), file.path(out, name))
}

# ---------------------------------------------------------------- ordinal
# MASS::housing expanded to one row per household; satisfaction Low < Medium < High.
h <- housing[rep(seq_len(nrow(housing)), housing$Freq), ]
h$y <- as.integer(h$Sat)
X <- model.matrix(~ Infl + Type + Cont, h)[, -1]
fit_clm <- clm(Sat ~ Infl + Type + Cont, data = h, control = clm.control(gradTol = 1e-12, maxIter = 200))
fit_polr <- polr(Sat ~ Infl + Type + Cont, data = h, Hess = TRUE)
se_clm <- sqrt(diag(vcov(fit_clm)))
ncut <- 2
housing_case <- list(
  name = "housing", y = h$y, x = lapply(colnames(X), function(v) unname(X[, v])), names = colnames(X),
  cutpoints = unname(fit_clm$alpha), cutpoint_se = unname(se_clm[1:ncut]),
  coef = unname(fit_clm$beta), se = unname(se_clm[-(1:ncut)]), loglik = fit_clm$logLik,
  polr_coef = unname(coef(fit_polr)), polr_zeta = unname(fit_polr$zeta))
# Two-arm WHO-scale-like outcome with ties and an unobserved middle category in one arm.
who <- data.frame(y = c(2, 3, 3, 4, 5, 5, 6, 7, 8, 4, 4, 3, 2, 2, 5, 6, 6, 7, 8, 8,
                        3, 4, 5, 5, 6, 6, 7, 8, 8, 8, 4, 5, 6, 7, 7, 8, 8, 3, 5, 6),
                  arm = rep(c(0, 1), each = 20))
fit_who <- clm(factor(y) ~ arm, data = who, control = clm.control(gradTol = 1e-12, maxIter = 200))
who_case <- list(name = "who-two-arm", y = who$y, x = list(who$arm), names = "arm",
  cutpoints = unname(fit_who$alpha), cutpoint_se = unname(sqrt(diag(vcov(fit_who)))[seq_along(fit_who$alpha)]),
  coef = unname(fit_who$beta), se = unname(sqrt(diag(vcov(fit_who)))[length(fit_who$alpha) + 1]),
  loglik = fit_who$logLik)
wmw <- function(name, x, y) {
  w <- wilcox.test(x, y, exact = FALSE, correct = TRUE)
  list(name = name, x = x, y = y, w = unname(w$statistic), p = w$p.value)
}
put(list(polr = list(housing_case, who_case),
         wilcoxon = list(
           wmw("who", who$y[who$arm == 1], who$y[who$arm == 0]),
           wmw("insects", InsectSprays$count[InsectSprays$spray == "A"], InsectSprays$count[InsectSprays$spray == "C"]),
           wmw("housing-cont", h$y[h$Cont == "High"], h$y[h$Cont == "Low"]))),
    "ordinal.json")

# ---------------------------------------------------------------- continuous
tt <- t.test(sleep$extra[sleep$group == 2], sleep$extra[sleep$group == 1])
an <- subset(anorexia, Treat %in% c("FT", "Cont"))
an$treated <- as.numeric(an$Treat == "FT")
lm_fit <- lm(I(Postwt - Prewt) ~ treated + Prewt, data = an)
cf <- summary(lm_fit)$coefficients
put(list(
  welch = list(a = sleep$extra[sleep$group == 2], b = sleep$extra[sleep$group == 1],
               estimate = unname(tt$estimate[1] - tt$estimate[2]), lower = tt$conf.int[1], upper = tt$conf.int[2],
               df = unname(tt$parameter), t = unname(tt$statistic), p = tt$p.value),
  ancova = list(baseline = an$Prewt, post = an$Postwt, treated = an$treated,
                estimate = cf["treated", 1], se = cf["treated", 2], p = cf["treated", 4],
                lower = confint(lm_fit)["treated", 1], upper = confint(lm_fit)["treated", 2])),
  "continuous.json")

# ---------------------------------------------------------------- design
prop_case <- function(p1, p2, power) {
  n <- power.prop.test(p1 = p1, p2 = p2, power = power, tol = 1e-14)$n
  list(p1 = p1, p2 = p2, power = power, n = n,
       power_at_100 = power.prop.test(n = 100, p1 = p1, p2 = p2)$power)
}
schoen_case <- function(hr, alloc_ratio) {
  d <- getSampleSizeSurvival(hazardRatio = hr, alpha = 0.025, beta = 0.2, sided = 1,
                             typeOfComputation = "Schoenfeld", allocationRatioPlanned = alloc_ratio)
  list(hazard_ratio = hr, allocation = alloc_ratio / (1 + alloc_ratio), alpha_two_sided = 0.05, power = 0.8,
       events = d$maxNumberOfEvents)
}
gs_case <- function(rates, type, alpha = 0.025) {
  d <- getDesignGroupSequential(kMax = length(rates), alpha = alpha, sided = 1, typeOfDesign = type,
                                informationRates = rates)
  list(information = rates, spending = type, alpha = alpha, critical = d$criticalValues,
       cumulative_alpha = d$alphaSpent)
}
put(list(
  proportions = list(prop_case(0.3, 0.45, 0.8), prop_case(0.1, 0.05, 0.9), prop_case(0.6, 0.5, 0.85)),
  schoenfeld = list(schoen_case(0.7, 1), schoen_case(0.6, 2), schoen_case(1.3, 1)),
  group_sequential = list(gs_case(c(1/3, 2/3, 1), "asOF"), gs_case(c(1/3, 2/3, 1), "asP"),
                          gs_case(c(0.25, 0.6, 1), "asOF"), gs_case(c(0.2, 0.4, 0.6, 0.8, 1), "asP"),
                          gs_case(c(0.5, 1), "asOF", alpha = 0.05), gs_case(1, "asOF"))),
  "design.json")

# ---------------------------------------------------------------- competing risks
# mgus2: time to plasma-cell malignancy (1) with death (2) competing, censored (0).
m <- survival::mgus2
m$etime <- ifelse(m$pstat == 0, m$futime, m$ptime)
m$event <- ifelse(m$pstat == 0, 2 * m$death, 1)
ci <- cuminc(m$etime, m$event)
times <- c(12, 60, 120, 240, 360, 420)
tp <- timepoints(ci, times)
cov <- cbind(age = m$age, male = as.numeric(m$sex == "M"))
fg <- crr(m$etime, m$event, cov, failcode = 1, cencode = 0)
fg2 <- crr(m$etime, m$event, cov, failcode = 2, cencode = 0)
put(list(time = m$etime, status = m$event, age = m$age, male = unname(cov[, "male"]),
         cif_times = times, cif_1 = unname(tp$est[1, ]), cif_2 = unname(tp$est[2, ]),
         cif_var_1 = unname(tp$var[1, ]),
         fine_gray_1 = list(coef = unname(fg$coef), se = unname(sqrt(diag(fg$var))), loglik = fg$loglik),
         fine_gray_2 = list(coef = unname(fg2$coef), se = unname(sqrt(diag(fg2$var))), loglik = fg2$loglik)),
    "competing.json")
