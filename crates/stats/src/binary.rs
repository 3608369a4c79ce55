//! Binary endpoints: two arms, events out of n in each.
//!
//! Convention: arm A is the experimental arm, arm B the control; every contrast is A versus B
//! (risk difference p_A − p_B, risk ratio p_A / p_B, odds ratio odds_A / odds_B).

use serde::Serialize;

use crate::dist::{chisq_sf, ln_gamma, normal_p_two_sided, z_two_sided};
use crate::error::{StatsError, check_level};

/// Events out of a number of patients in one arm, validated (events ≤ n, n ≥ 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Count {
    /// Patients with the event.
    pub events: u64,
    /// Patients in the arm.
    pub n: u64,
}

impl Count {
    /// Validate events ≤ n and n ≥ 1.
    pub fn new(events: u64, n: u64) -> Result<Self, StatsError> {
        if n == 0 {
            return Err(StatsError::Empty("an arm has no patients"));
        }
        if events > n {
            return Err(StatsError::InvalidArgument {
                name: "events",
                reason: format!("{events} events out of {n} patients"),
            });
        }
        Ok(Self { events, n })
    }
    /// The observed proportion events / n.
    pub fn proportion(&self) -> f64 {
        self.events as f64 / self.n as f64
    }
    fn non_events(&self) -> u64 {
        self.n - self.events
    }
}

/// A point estimate with a two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// Point estimate.
    pub estimate: f64,
    /// Lower confidence limit.
    pub lower: f64,
    /// Upper confidence limit.
    pub upper: f64,
}

/// Every standard two-arm comparison of a binary endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BinaryComparison {
    /// Arm A (experimental).
    pub a: Count,
    /// Arm B (control).
    pub b: Count,
    /// Confidence level used for every interval.
    pub level: f64,
    /// Risk difference p_A − p_B with the Wald interval.
    pub risk_difference_wald: Estimate,
    /// Risk difference with Newcombe's hybrid score interval (method 10, Wilson limits without
    /// continuity correction); better coverage than Wald for small counts or extreme risks.
    pub risk_difference_newcombe: Estimate,
    /// Risk ratio with a log-scale Wald interval; `None` when a zero count makes it undefined.
    pub risk_ratio: Option<Estimate>,
    /// Odds ratio with a log-scale (Woolf) interval; `None` when any cell is zero.
    pub odds_ratio: Option<Estimate>,
    /// Pearson chi-square statistic (1 df, no continuity correction); `None` when a margin is 0.
    pub chisq: Option<f64>,
    /// p-value of the Pearson chi-square test.
    pub chisq_p: Option<f64>,
    /// Two-sided p-value of Fisher's exact test (tables no more probable than the observed one,
    /// with R's relative tolerance 1e-7).
    pub fisher_p: f64,
}

/// Compare events_a/n_a (experimental) with events_b/n_b (control) at 95 % confidence.
pub fn compare(
    events_a: u64,
    n_a: u64,
    events_b: u64,
    n_b: u64,
) -> Result<BinaryComparison, StatsError> {
    compare_at(events_a, n_a, events_b, n_b, 0.95)
}

/// Compare two arms at a given confidence level (e.g. 0.95).
pub fn compare_at(
    events_a: u64,
    n_a: u64,
    events_b: u64,
    n_b: u64,
    level: f64,
) -> Result<BinaryComparison, StatsError> {
    check_level(level)?;
    let a = Count::new(events_a, n_a)?;
    let b = Count::new(events_b, n_b)?;
    let z = z_two_sided(level);
    let (pa, pb) = (a.proportion(), b.proportion());
    let rd = pa - pb;
    let se_rd = (pa * (1.0 - pa) / n_a as f64 + pb * (1.0 - pb) / n_b as f64).sqrt();
    let risk_difference_wald = Estimate {
        estimate: rd,
        lower: rd - z * se_rd,
        upper: rd + z * se_rd,
    };

    let (la, ua) = wilson(a, z);
    let (lb, ub) = wilson(b, z);
    let risk_difference_newcombe = Estimate {
        estimate: rd,
        lower: rd - ((pa - la).powi(2) + (ub - pb).powi(2)).sqrt(),
        upper: rd + ((ua - pa).powi(2) + (pb - lb).powi(2)).sqrt(),
    };

    let risk_ratio = (a.events > 0 && b.events > 0).then(|| {
        let log_rr = pa.ln() - pb.ln();
        let se = (1.0 / a.events as f64 - 1.0 / n_a as f64 + 1.0 / b.events as f64
            - 1.0 / n_b as f64)
            .sqrt();
        log_estimate(log_rr, se, z)
    });
    let cells = [a.events, a.non_events(), b.events, b.non_events()];
    let odds_ratio = cells.iter().all(|&c| c > 0).then(|| {
        let [x, y, u, v] = cells.map(|c| c as f64);
        let log_or = x.ln() - y.ln() - u.ln() + v.ln();
        let se = (1.0 / x + 1.0 / y + 1.0 / u + 1.0 / v).sqrt();
        log_estimate(log_or, se, z)
    });
    let chisq = pearson_chisq(a, b);
    Ok(BinaryComparison {
        a,
        b,
        level,
        risk_difference_wald,
        risk_difference_newcombe,
        risk_ratio,
        odds_ratio,
        chisq,
        chisq_p: chisq.map(|x| chisq_sf(x, 1.0)),
        fisher_p: fisher_exact_p(a, b),
    })
}

fn log_estimate(log_est: f64, se: f64, z: f64) -> Estimate {
    Estimate {
        estimate: log_est.exp(),
        lower: (log_est - z * se).exp(),
        upper: (log_est + z * se).exp(),
    }
}

/// Wilson score interval for one proportion (no continuity correction), as R's
/// `prop.test(x, n, correct = FALSE)$conf.int`.
pub fn wilson_interval(events: u64, n: u64, level: f64) -> Result<(f64, f64), StatsError> {
    check_level(level)?;
    Ok(wilson(Count::new(events, n)?, z_two_sided(level)))
}

fn wilson(c: Count, z: f64) -> (f64, f64) {
    let n = c.n as f64;
    let p = c.proportion();
    let z2 = z * z;
    let centre = p + z2 / (2.0 * n);
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let denom = 1.0 + z2 / n;
    // At p = 0 (p = 1) the lower (upper) limit is exactly 0 (1), as in R's prop.test;
    // the formula would leave a rounding residue.
    let lower = if c.events == 0 {
        0.0
    } else {
        (centre - half) / denom
    };
    let upper = if c.events == c.n {
        1.0
    } else {
        (centre + half) / denom
    };
    (lower, upper)
}

fn pearson_chisq(a: Count, b: Count) -> Option<f64> {
    let n = (a.n + b.n) as f64;
    let events = (a.events + b.events) as f64;
    let non_events = n - events;
    if events == 0.0 || non_events == 0.0 {
        return None;
    }
    let mut x2 = 0.0;
    for arm in [a, b] {
        let expected_event = arm.n as f64 * events / n;
        let expected_non = arm.n as f64 * non_events / n;
        x2 += (arm.events as f64 - expected_event).powi(2) / expected_event;
        x2 += (arm.non_events() as f64 - expected_non).powi(2) / expected_non;
    }
    Some(x2)
}

/// Relative tolerance R's `fisher.test` uses when deciding which tables are "as or less likely".
const FISHER_RELATIVE_TOLERANCE: f64 = 1e-7;

/// Two-sided Fisher exact p-value: the sum of the hypergeometric probabilities (margins fixed) of
/// every table no more probable than the observed one.
fn fisher_exact_p(a: Count, b: Count) -> f64 {
    let m = a.n; // arm A size
    let n = b.n; // arm B size
    let k = a.events + b.events; // total events
    let lo = k.saturating_sub(n);
    let hi = k.min(m);
    let ln_choose = |top: u64, bottom: u64| {
        ln_gamma(top as f64 + 1.0)
            - ln_gamma(bottom as f64 + 1.0)
            - ln_gamma((top - bottom) as f64 + 1.0)
    };
    let ln_p = |x: u64| ln_choose(m, x) + ln_choose(n, k - x) - ln_choose(m + n, k);
    let log_probs: Vec<f64> = (lo..=hi).map(ln_p).collect();
    let max = log_probs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let rel: Vec<f64> = log_probs.iter().map(|l| (l - max).exp()).collect();
    let observed = rel[(a.events - lo) as usize];
    let total: f64 = rel.iter().sum();
    let tail: f64 = rel
        .iter()
        .filter(|&&r| r <= observed * (1.0 + FISHER_RELATIVE_TOLERANCE))
        .sum();
    (tail / total).min(1.0)
}

/// One stratum of a stratified binary comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stratum {
    /// Arm A (experimental) in this stratum.
    pub a: Count,
    /// Arm B (control) in this stratum.
    pub b: Count,
}

/// Mantel–Haenszel common risk ratio with the Greenland–Robins (1985) variance of its log.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MantelHaenszel {
    /// Common risk ratio with its confidence interval.
    pub risk_ratio: Estimate,
    /// Standard error of log RR_MH.
    pub se_log: f64,
    /// Two-sided p-value of the Wald test of log RR_MH = 0.
    pub p: f64,
}

/// Mantel–Haenszel risk ratio across strata (A versus B).
pub fn mantel_haenszel_rr(strata: &[Stratum], level: f64) -> Result<MantelHaenszel, StatsError> {
    check_level(level)?;
    if strata.is_empty() {
        return Err(StatsError::Empty("no strata"));
    }
    let (mut num, mut den, mut var_num) = (0.0, 0.0, 0.0);
    for s in strata {
        let (a, n1) = (s.a.events as f64, s.a.n as f64);
        let (c, n0) = (s.b.events as f64, s.b.n as f64);
        let total = n1 + n0;
        num += a * n0 / total;
        den += c * n1 / total;
        var_num += (n1 * n0 * (a + c) - a * c * total) / (total * total);
    }
    if num <= 0.0 || den <= 0.0 {
        return Err(StatsError::NotEstimable(
            "no events in one arm across all strata".into(),
        ));
    }
    let log_rr = (num / den).ln();
    let se_log = (var_num / (num * den)).sqrt();
    let z = z_two_sided(level);
    Ok(MantelHaenszel {
        risk_ratio: log_estimate(log_rr, se_log, z),
        se_log,
        p: normal_p_two_sided(log_rr / se_log),
    })
}
