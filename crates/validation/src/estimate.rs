//! Simulated effect estimates with their Monte-Carlo 95% intervals.
//!
//! - Unpaired (randomized arms, different patients): the two-arm estimators of
//!   [`stats::binary`] — risk ratio with the Katz log interval, odds ratio with Woolf's,
//!   risk difference with Wald's.
//! - Paired (counterfactual twins, every patient under both arms): the same point estimates
//!   from the marginal proportions, with delta-method variances that subtract the covariance
//!   of the two arms' outcomes in the same patients. With b patients who have the event only
//!   under the first arm, c only under the second and a under both (n in all):
//!   var(log RR) = (b + c) / ((a + b)(a + c)) (Agresti & Min, Stat Med 2005;24:729), and
//!   var(RD) = ((b + c) − (b − c)² / n) / n².
//! - Proportion: the share with its Wilson score interval.
//!
//! A zero count that makes a ratio undefined is an error ([`EstimateError::Undefined`]): raise
//! the number of patients.

use protocol::validation::EffectMeasure;
use serde::Serialize;
use stats::dist::z_two_sided;
use thiserror::Error;

/// Confidence level of the Monte-Carlo intervals.
pub const LEVEL: f64 = 0.95;

/// Why an estimate could not be computed.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum EstimateError {
    /// The measure is undefined for these counts (a zero in a ratio).
    #[error("{measure} is undefined for these counts ({detail}); simulate more patients")]
    Undefined {
        /// Measure name.
        measure: &'static str,
        /// The counts.
        detail: String,
    },
    /// No patients.
    #[error("no patients to estimate from")]
    Empty,
    /// A statistics routine refused its input.
    #[error(transparent)]
    Stats(#[from] stats::StatsError),
}

/// A point estimate with its Monte-Carlo interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Simulated {
    /// Point estimate.
    pub estimate: f64,
    /// Lower limit of the 95% interval.
    pub lower: f64,
    /// Upper limit of the 95% interval.
    pub upper: f64,
}

/// Each patient's outcome under the first and the second arm (counterfactual twins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PairedTable {
    /// Event under both arms.
    pub both: u64,
    /// Event only under the first arm.
    pub first_only: u64,
    /// Event only under the second arm.
    pub second_only: u64,
    /// Event under neither.
    pub neither: u64,
}

impl PairedTable {
    /// Tally pairs `(event under first arm, event under second arm)`.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (bool, bool)>) -> Self {
        let mut t = PairedTable::default();
        for pair in pairs {
            match pair {
                (true, true) => t.both += 1,
                (true, false) => t.first_only += 1,
                (false, true) => t.second_only += 1,
                (false, false) => t.neither += 1,
            }
        }
        t
    }

    /// Patients.
    pub fn n(&self) -> u64 {
        self.both + self.first_only + self.second_only + self.neither
    }

    /// Events under the first arm.
    pub fn first_events(&self) -> u64 {
        self.both + self.first_only
    }

    /// Events under the second arm.
    pub fn second_events(&self) -> u64 {
        self.both + self.second_only
    }
}

fn undefined(measure: EffectMeasure, detail: String) -> EstimateError {
    EstimateError::Undefined {
        measure: measure.name(),
        detail,
    }
}

fn on_log_scale(log_estimate: f64, se: f64, z: f64) -> Simulated {
    Simulated {
        estimate: log_estimate.exp(),
        lower: (log_estimate - z * se).exp(),
        upper: (log_estimate + z * se).exp(),
    }
}

/// The paired (twin) estimate of `measure`, first arm against second.
pub fn paired(measure: EffectMeasure, t: &PairedTable) -> Result<Simulated, EstimateError> {
    let n = t.n();
    if n == 0 {
        return Err(EstimateError::Empty);
    }
    let z = z_two_sided(LEVEL);
    let nf = n as f64;
    let (x1, x2) = (t.first_events() as f64, t.second_events() as f64);
    let (p1, p2) = (x1 / nf, x2 / nf);
    let (b, c) = (t.first_only as f64, t.second_only as f64);
    let detail = || format!("{x1}/{n} vs {x2}/{n}");
    match measure {
        EffectMeasure::Proportion => proportion(t.first_events(), n),
        EffectMeasure::RiskDifference => {
            let d = p1 - p2;
            let se = (((b + c) - (b - c).powi(2) / nf) / (nf * nf))
                .max(0.0)
                .sqrt();
            Ok(Simulated {
                estimate: d,
                lower: d - z * se,
                upper: d + z * se,
            })
        }
        EffectMeasure::RiskRatio => {
            if x1 == 0.0 || x2 == 0.0 {
                return Err(undefined(measure, detail()));
            }
            let se = ((b + c) / (x1 * x2)).sqrt();
            Ok(on_log_scale((p1 / p2).ln(), se, z))
        }
        EffectMeasure::OddsRatio => {
            if x1 == 0.0 || x2 == 0.0 || x1 == nf || x2 == nf {
                return Err(undefined(measure, detail()));
            }
            // log OR = logit p1 − logit p2; var = Σ var(p_i)/(p_i q_i)² − 2 cov/(p1 q1 p2 q2),
            // var(p_i) = p_i q_i / n, cov(p1, p2) = (p11 − p1 p2) / n.
            let (v1, v2) = (p1 * (1.0 - p1), p2 * (1.0 - p2));
            let p11 = t.both as f64 / nf;
            let var = (1.0 / v1 + 1.0 / v2 - 2.0 * (p11 - p1 * p2) / (v1 * v2)) / nf;
            let logit = |p: f64| (p / (1.0 - p)).ln();
            Ok(on_log_scale(logit(p1) - logit(p2), var.max(0.0).sqrt(), z))
        }
    }
}

/// The unpaired (randomized) estimate of `measure`: `first` and `second` are (events, n).
pub fn unpaired(
    measure: EffectMeasure,
    first: (u64, u64),
    second: (u64, u64),
) -> Result<Simulated, EstimateError> {
    if measure == EffectMeasure::Proportion {
        return proportion(first.0, first.1);
    }
    let cmp = stats::binary::compare_at(first.0, first.1, second.0, second.1, LEVEL)?;
    let e = match measure {
        EffectMeasure::RiskRatio => cmp.risk_ratio,
        EffectMeasure::OddsRatio => cmp.odds_ratio,
        _ => Some(cmp.risk_difference_wald),
    }
    .ok_or_else(|| {
        undefined(
            measure,
            format!("{}/{} vs {}/{}", first.0, first.1, second.0, second.1),
        )
    })?;
    Ok(Simulated {
        estimate: e.estimate,
        lower: e.lower,
        upper: e.upper,
    })
}

/// The share `events / n` with its Wilson score interval.
pub fn proportion(events: u64, n: u64) -> Result<Simulated, EstimateError> {
    if n == 0 {
        return Err(EstimateError::Empty);
    }
    let (lower, upper) = stats::binary::wilson_interval(events, n, LEVEL)?;
    Ok(Simulated {
        estimate: events as f64 / n as f64,
        lower,
        upper,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() < tol, "{a} vs {b}");
    }

    #[test]
    fn unpaired_risk_ratio_is_katz_on_the_lanzoni_table() {
        // Deaths 1/12 vs 7/12: RR = 1/7 = 0.142857; SE(log RR) = sqrt(1/1 − 1/12 + 1/7 − 1/12)
        // = sqrt(0.976190) = 0.988023; exp(ln(1/7) ± 1.959964 × 0.988023) = 0.020600, 0.990624.
        let e = unpaired(EffectMeasure::RiskRatio, (1, 12), (7, 12)).unwrap();
        close(e.estimate, 1.0 / 7.0, 1e-12);
        close(e.lower, 0.020600, 1e-5);
        close(e.upper, 0.990624, 1e-5);
    }

    #[test]
    fn unpaired_odds_ratio_and_difference_by_hand() {
        // 20/100 vs 40/100: OR = (20·60)/(80·40) = 0.375; SE = sqrt(1/20+1/80+1/40+1/60)
        // = sqrt(0.104167) = 0.322749; CI exp(ln 0.375 ± 1.959964 × 0.322749) = 0.199208, 0.705920.
        let or = unpaired(EffectMeasure::OddsRatio, (20, 100), (40, 100)).unwrap();
        close(or.estimate, 0.375, 1e-12);
        close(or.lower, 0.199208, 1e-5);
        close(or.upper, 0.705920, 1e-5);
        // RD = −0.2; SE = sqrt(0.2·0.8/100 + 0.4·0.6/100) = sqrt(0.004) = 0.063246;
        // CI −0.2 ± 0.123960.
        let rd = unpaired(EffectMeasure::RiskDifference, (20, 100), (40, 100)).unwrap();
        close(rd.estimate, -0.2, 1e-12);
        close(rd.lower, -0.323960, 1e-5);
        close(rd.upper, -0.076040, 1e-5);
    }

    #[test]
    fn paired_estimates_by_hand() {
        // 100 patients: 10 die under both arms, 5 only under the first, 15 only under the
        // second, 70 under neither. p1 = 0.15, p2 = 0.25.
        let t = PairedTable::from_pairs(
            std::iter::repeat_n((true, true), 10)
                .chain(std::iter::repeat_n((true, false), 5))
                .chain(std::iter::repeat_n((false, true), 15))
                .chain(std::iter::repeat_n((false, false), 70)),
        );
        assert_eq!((t.n(), t.first_events(), t.second_events()), (100, 15, 25));
        // RR = 0.6; var(log RR) = (5 + 15)/(15 · 25) = 0.053333, SE 0.230940;
        // CI exp(ln 0.6 ± 1.959964 × 0.230940) = 0.381570, 0.943469.
        let rr = paired(EffectMeasure::RiskRatio, &t).unwrap();
        close(rr.estimate, 0.6, 1e-12);
        close(rr.lower, 0.381570, 1e-5);
        close(rr.upper, 0.943469, 1e-5);
        // RD = −0.1; var = ((20) − (−10)²/100)/100² = 19/10000, SE 0.043589;
        // CI −0.1 ± 0.085433.
        let rd = paired(EffectMeasure::RiskDifference, &t).unwrap();
        close(rd.estimate, -0.1, 1e-12);
        close(rd.lower, -0.185433, 1e-5);
        close(rd.upper, -0.014567, 1e-5);
        // OR = (0.15/0.85)/(0.25/0.75) = 0.529412; var = (1/0.1275 + 1/0.1875
        // − 2(0.10 − 0.0375)/(0.1275·0.1875))/100 = (7.843137 + 5.333333 − 5.228758)/100
        // = 0.079477, SE 0.281917; CI exp(ln 0.529412 ± 1.959964 × 0.281917) = 0.304667, 0.919945.
        let or = paired(EffectMeasure::OddsRatio, &t).unwrap();
        close(or.estimate, 0.529412, 1e-6);
        close(or.lower, 0.304667, 1e-5);
        close(or.upper, 0.919945, 1e-5);
        // The pairing narrows the interval: the unpaired Katz interval of 15/100 vs 25/100 is
        // wider (SE sqrt(1/15 − 1/100 + 1/25 − 1/100) = 0.294392).
        let un = unpaired(EffectMeasure::RiskRatio, (15, 100), (25, 100)).unwrap();
        assert!(un.upper - un.lower > rr.upper - rr.lower);
    }

    #[test]
    fn proportion_is_wilson() {
        // 3/46 (Perotti): p = 0.065217, z²/n = 0.083510; Wilson centre
        // (p + z²/2n)/(1 + z²/n) = 0.106972/1.083510 = 0.098728; half-width
        // z·sqrt(p q/n + z²/4n²)/(1 + z²/n) = 0.076300 (python, math module).
        let e = proportion(3, 46).unwrap();
        close(e.estimate, 3.0 / 46.0, 1e-12);
        close(e.lower, 0.022428, 1e-5);
        close(e.upper, 0.175027, 1e-5);
    }

    #[test]
    fn a_zero_count_is_an_error_not_a_panic() {
        let t = PairedTable::from_pairs([(false, false), (false, true)]);
        assert!(matches!(
            paired(EffectMeasure::RiskRatio, &t),
            Err(EstimateError::Undefined { .. })
        ));
        assert!(matches!(
            paired(EffectMeasure::Proportion, &PairedTable::default()),
            Err(EstimateError::Empty)
        ));
    }
}
