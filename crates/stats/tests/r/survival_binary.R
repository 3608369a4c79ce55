# Reference values for the stats crate: binary comparisons, Kaplan-Meier, log-rank, Cox, RMST.
# Run from the repository root:  Rscript crates/stats/tests/r/survival_binary.R
# Needs R with survival and jsonlite (Debian: r-base-core r-cran-survival r-cran-jsonlite).
# Writes crates/stats/tests/fixtures/{binary,km,logrank,cox}.json and lung.csv.

suppressMessages({ library(survival); library(jsonlite) })
out <- "crates/stats/tests/fixtures"
put <- function(x, name) {
  writeLines(toJSON(x, auto_unbox = TRUE, digits = NA, na = "null", null = "null"),
             file.path(out, name))
}
na2null <- function(x) if (length(x) == 1 && is.na(x)) NA else x

# ---------------------------------------------------------------- datasets
lung01 <- survival::lung
lung01$status <- lung01$status - 1             # R codes 1 = censored, 2 = dead
write.csv(lung01, file.path(out, "lung.csv"), row.names = FALSE, na = "")

ties <- data.frame(                           # heavy ties, tied censoring, two groups
  time   = c(1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 6, 6, 7, 8, 8),
  status = c(1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1),
  group  = c(0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1),
  x      = c(0.5, 1.2, -0.3, 2.0, 1.1, 0.0, 0.7, 1.5, -1.0, 0.2, 0.9, 1.3, -0.4, 0.8, 0.1, -0.2, 1.7, 0.3, 0.6, 1.0))
allcens <- data.frame(time = c(3, 5, 5, 8, 10), status = c(0, 0, 0, 0, 0))
median_exact <- data.frame(time = c(1, 2, 3, 4, 5, 6), status = c(1, 1, 1, 0, 1, 0)) # S = 0.5 on an interval

# ---------------------------------------------------------------- binary
binary_case <- function(ea, na, eb, nb) {
  z <- qnorm(0.975)
  pa <- ea / na; pb <- eb / nb
  rd <- pa - pb
  se <- sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
  wa <- suppressWarnings(prop.test(ea, na, correct = FALSE)$conf.int)
  wb <- suppressWarnings(prop.test(eb, nb, correct = FALSE)$conf.int)
  m <- matrix(c(ea, na - ea, eb, nb - eb), 2, byrow = TRUE)
  cs <- suppressWarnings(chisq.test(m, correct = FALSE))
  rr <- if (ea > 0 && eb > 0) {
    s <- sqrt(1 / ea - 1 / na + 1 / eb - 1 / nb)
    list(estimate = pa / pb, lower = exp(log(pa / pb) - z * s), upper = exp(log(pa / pb) + z * s))
  } else NA
  or <- if (all(m > 0)) {
    o <- (m[1, 1] * m[2, 2]) / (m[1, 2] * m[2, 1]); s <- sqrt(sum(1 / m))
    list(estimate = o, lower = exp(log(o) - z * s), upper = exp(log(o) + z * s))
  } else NA
  list(events_a = ea, n_a = na, events_b = eb, n_b = nb,
       rd = rd, wald = c(rd - z * se, rd + z * se),
       newcombe = c(rd - sqrt((pa - wa[1])^2 + (wb[2] - pb)^2),
                    rd + sqrt((wa[2] - pa)^2 + (pb - wb[1])^2)),
       wilson_a = as.numeric(wa),
       rr = rr, or = or,
       chisq = na2null(unname(cs$statistic)), chisq_p = na2null(cs$p.value),
       fisher_p = fisher.test(m)$p.value)
}
binary <- list(
  binary_case(15, 50, 25, 50), binary_case(0, 20, 5, 20), binary_case(3, 10, 0, 12),
  binary_case(1, 1000, 10, 1000), binary_case(7, 7, 3, 9), binary_case(0, 10, 0, 10),
  binary_case(120, 400, 150, 410))
# Mantel-Haenszel RR (Greenland & Robins 1985) on UCBAdmissions: "admitted", female vs male.
ucb <- UCBAdmissions
mh_strata <- lapply(1:6, function(k) {
  t <- ucb[, , k]
  list(events_a = t["Admitted", "Female"], n_a = sum(t[, "Female"]),
       events_b = t["Admitted", "Male"], n_b = sum(t[, "Male"]))
})
mh <- with(do.call(rbind.data.frame, mh_strata), {
  N <- n_a + n_b
  R <- sum(events_a * n_b / N); S <- sum(events_b * n_a / N)
  P <- sum((n_a * n_b * (events_a + events_b) - events_a * events_b * N) / N^2)
  se <- sqrt(P / (R * S)); z <- qnorm(0.975)
  list(rr = R / S, lower = exp(log(R / S) - z * se), upper = exp(log(R / S) + z * se), se_log = se,
       p = 2 * pnorm(-abs(log(R / S) / se)))
})
put(list(cases = binary, mantel_haenszel = list(strata = mh_strata, result = mh)), "binary.json")

# ---------------------------------------------------------------- Kaplan-Meier
km_case <- function(name, time, status, conf_type = "log-log", tau = NULL) {
  f <- survfit(Surv(time, status) ~ 1, conf.type = conf_type)
  q <- quantile(f, probs = c(0.25, 0.5), conf.int = TRUE)
  res <- list(name = name, time_in = time, status_in = status, conf_type = conf_type,
       time = f$time, n_risk = f$n.risk, n_event = f$n.event, n_censor = f$n.censor,
       surv = f$surv, std_err = f$std.err, lower = f$lower, upper = f$upper,
       q25 = unname(c(q$quantile[1], q$lower[1], q$upper[1])),
       median = unname(c(q$quantile[2], q$lower[2], q$upper[2])))
  if (!is.null(tau)) {
    tab <- summary(f, rmean = tau)$table
    res$rmst <- list(tau = tau, estimate = unname(tab["rmean"]), se = unname(tab["se(rmean)"]))
  }
  res
}
lung_f <- subset(lung01, sex == 2); lung_m <- subset(lung01, sex == 1)
km <- list(
  km_case("lung", lung01$time, lung01$status, tau = 365),
  km_case("lung-log", lung01$time, lung01$status, conf_type = "log", tau = 700),
  km_case("lung-plain", lung01$time, lung01$status, conf_type = "plain"),
  km_case("lung-male", lung_m$time, lung_m$status, tau = 500),
  km_case("lung-female", lung_f$time, lung_f$status, tau = 500),
  km_case("veteran", veteran$time, veteran$status, tau = 200),
  km_case("ovarian", ovarian$futime, ovarian$fustat, tau = 1000),
  km_case("ties", ties$time, ties$status, tau = 7),
  km_case("all-censored", allcens$time, allcens$status, tau = 9),
  km_case("median-on-interval", median_exact$time, median_exact$status),
  km_case("median-on-interval-log", median_exact$time, median_exact$status, conf_type = "log"))
put(km, "km.json")

# ---------------------------------------------------------------- log-rank
lr_case <- function(name, time, status, group, strata = NULL) {
  f <- if (is.null(strata)) survdiff(Surv(time, status) ~ group)
       else survdiff(Surv(time, status) ~ group + strata(strata))
  list(name = name, time = time, status = status, group = as.integer(group),
       strata = if (is.null(strata)) NA else as.integer(strata),
       observed = if (is.matrix(f$obs)) rowSums(f$obs) else f$obs,
       expected = if (is.matrix(f$exp)) rowSums(f$exp) else f$exp,
       chisq = f$chisq, df = length(f$n) - 1,
       p = pchisq(f$chisq, length(f$n) - 1, lower.tail = FALSE))
}
logrank <- list(
  lr_case("lung-sex", lung01$time, lung01$status, lung01$sex),
  lr_case("veteran-trt", veteran$time, veteran$status, veteran$trt),
  lr_case("veteran-celltype", veteran$time, veteran$status, as.integer(veteran$celltype)),
  lr_case("veteran-trt-by-celltype", veteran$time, veteran$status, veteran$trt, as.integer(veteran$celltype)),
  lr_case("ovarian-rx", ovarian$futime, ovarian$fustat, ovarian$rx),
  lr_case("ties", ties$time, ties$status, ties$group))
put(logrank, "logrank.json")

# ---------------------------------------------------------------- Cox
ctl <- coxph.control(eps = 1e-12, iter.max = 100, toler.chol = 1e-14)
cox_case <- function(name, formula, data, covs, ties, strata = NULL) {
  d <- data[complete.cases(data[, c("time", "status", covs, strata)]), ]
  f <- coxph(formula, data = d, ties = ties, control = ctl)
  s <- summary(f)
  list(name = name, ties = ties, time = d$time, status = d$status,
       covariates = lapply(covs, function(v) as.numeric(d[[v]])), names = covs,
       strata = if (is.null(strata)) NA else as.integer(factor(d[[strata]])),
       coef = unname(coef(f)), se = unname(sqrt(diag(vcov(f)))),
       hr_lower = unname(s$conf.int[, "lower .95"]), hr_upper = unname(s$conf.int[, "upper .95"]),
       p = unname(s$coefficients[, "Pr(>|z|)"]),
       loglik = f$loglik, wald = unname(f$wald.test), lr = 2 * diff(f$loglik),
       score = unname(f$score))
}
vet <- veteran; vet$status <- vet$status
ovr <- data.frame(time = ovarian$futime, status = ovarian$fustat, rx = ovarian$rx, age = ovarian$age)
cox <- list(
  cox_case("lung-sex-efron", Surv(time, status) ~ sex, lung01, "sex", "efron"),
  cox_case("lung-sex-breslow", Surv(time, status) ~ sex, lung01, "sex", "breslow"),
  cox_case("lung-3cov-efron", Surv(time, status) ~ age + sex + ph.ecog, lung01, c("age", "sex", "ph.ecog"), "efron"),
  cox_case("lung-3cov-breslow", Surv(time, status) ~ age + sex + ph.ecog, lung01, c("age", "sex", "ph.ecog"), "breslow"),
  cox_case("veteran-strata", Surv(time, status) ~ trt + karno + age + strata(celltype), vet, c("trt", "karno", "age"), "efron", "celltype"),
  cox_case("ovarian", Surv(time, status) ~ rx + age, ovr, c("rx", "age"), "efron"),
  cox_case("ties-efron", Surv(time, status) ~ group + x, ties, c("group", "x"), "efron"),
  cox_case("ties-breslow", Surv(time, status) ~ group + x, ties, c("group", "x"), "breslow"))
put(cox, "cox.json")

# Printed numbers for the CLI test: lung by sex, log-log limits, Cox on sex (Efron).
fit <- survfit(Surv(time, status) ~ sex, data = lung01, conf.type = "log-log")
print(fit)
print(survdiff(Surv(time, status) ~ sex, data = lung01))
print(summary(coxph(Surv(time, status) ~ sex + age, data = lung01)))
