//! Kaplan–Meier estimate with Greenwood variance, pointwise confidence limits, quantiles
//! (median) with their confidence limits, numbers at risk and restricted mean survival time.
//!
//! The conventions follow R's `survival::survfit` so that numbers can be compared one to one:
//! a row for every distinct observed time (event or censoring), the standard error of
//! log S(t) from Greenwood's formula, and quantile limits read off the pointwise limit curves
//! (Brookmeyer–Crowley style), with R's rule that a curve lying exactly on the probability
//! over an interval gives the interval's midpoint.

use serde::Serialize;

use crate::dist::z_two_sided;
use crate::error::{StatsError, check_level, check_times, same_len};

/// The transform under which pointwise confidence limits for S(t) are symmetric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CiTransform {
    /// log(−log S(t)) (Kalbfleisch–Prentice); limits stay inside (0, 1). The default here.
    LogLog,
    /// log S(t), R's default; the upper limit is truncated at 1.
    Log,
    /// S(t) itself, truncated to [0, 1].
    Plain,
}

/// A Kaplan–Meier curve, one row per distinct observed time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KaplanMeier {
    /// Distinct observed times, increasing.
    pub time: Vec<f64>,
    /// Patients at risk just before each time.
    pub n_risk: Vec<u64>,
    /// Events at each time.
    pub n_event: Vec<u64>,
    /// Censorings at each time.
    pub n_censor: Vec<u64>,
    /// S(t) just after each time.
    pub survival: Vec<f64>,
    /// Greenwood standard error of log S(t) (infinite once S reaches 0).
    pub std_err_log: Vec<f64>,
    /// Lower pointwise confidence limit; `None` where the transform is undefined (S = 0 or 1
    /// for log-log, S = 0 for log).
    pub lower: Vec<Option<f64>>,
    /// Upper pointwise confidence limit; `None` where undefined.
    pub upper: Vec<Option<f64>>,
    /// Confidence level of the limits.
    pub level: f64,
    /// Transform of the limits.
    pub transform: CiTransform,
    /// Number of patients.
    pub n: u64,
    /// Number of events.
    pub events: u64,
}

/// A survival quantile (e.g. the median) with its confidence limits; `None` = not reached.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quantile {
    /// Time at which S(t) first falls to 1 − p or below.
    pub estimate: Option<f64>,
    /// Lower confidence limit.
    pub lower: Option<f64>,
    /// Upper confidence limit.
    pub upper: Option<f64>,
}

/// Restricted mean survival time up to `tau` with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rmst {
    /// Truncation time τ.
    pub tau: f64,
    /// ∫₀^τ S(t) dt.
    pub estimate: f64,
    /// Standard error (Greenwood-type, as R's `print.survfit(rmean = τ)`).
    pub std_err: f64,
}

/// Kaplan–Meier with log-log 95 % limits.
pub fn kaplan_meier(time: &[f64], event: &[bool]) -> Result<KaplanMeier, StatsError> {
    kaplan_meier_with(time, event, 0.95, CiTransform::LogLog)
}

/// Kaplan–Meier with a chosen confidence level and transform.
pub fn kaplan_meier_with(
    time: &[f64],
    event: &[bool],
    level: f64,
    transform: CiTransform,
) -> Result<KaplanMeier, StatsError> {
    same_len("event", time.len(), event.len())?;
    check_times("time", time)?;
    check_level(level)?;
    if time.is_empty() {
        return Err(StatsError::Empty("Kaplan–Meier needs at least one patient"));
    }
    let mut order: Vec<usize> = (0..time.len()).collect();
    order.sort_by(|&i, &j| time[i].total_cmp(&time[j]));

    let z = z_two_sided(level);
    let mut km = KaplanMeier {
        time: Vec::new(),
        n_risk: Vec::new(),
        n_event: Vec::new(),
        n_censor: Vec::new(),
        survival: Vec::new(),
        std_err_log: Vec::new(),
        lower: Vec::new(),
        upper: Vec::new(),
        level,
        transform,
        n: time.len() as u64,
        events: event.iter().filter(|&&e| e).count() as u64,
    };
    let mut at_risk = time.len() as u64;
    let mut surv = 1.0;
    let mut greenwood_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let t = time[order[i]];
        let (mut d, mut c) = (0u64, 0u64);
        while i < order.len() && time[order[i]] == t {
            if event[order[i]] {
                d += 1;
            } else {
                c += 1;
            }
            i += 1;
        }
        if d > 0 {
            surv *= 1.0 - d as f64 / at_risk as f64;
            greenwood_sum += if at_risk > d {
                d as f64 / (at_risk as f64 * (at_risk - d) as f64)
            } else {
                f64::INFINITY
            };
        }
        let se = greenwood_sum.sqrt();
        let (lo, hi) = confidence_limits(surv, se, z, transform);
        km.time.push(t);
        km.n_risk.push(at_risk);
        km.n_event.push(d);
        km.n_censor.push(c);
        km.survival.push(surv);
        km.std_err_log.push(se);
        km.lower.push(lo);
        km.upper.push(hi);
        at_risk -= d + c;
    }
    Ok(km)
}

/// Pointwise limits for S given the standard error of log S (as R's `survfit_confint`).
fn confidence_limits(
    s: f64,
    se: f64,
    z: f64,
    transform: CiTransform,
) -> (Option<f64>, Option<f64>) {
    if !se.is_finite() {
        return (None, None);
    }
    match transform {
        CiTransform::LogLog => {
            if s <= 0.0 || s >= 1.0 {
                return (None, None);
            }
            let log_s = s.ln();
            let ll = (-log_s).ln();
            let half = z * se / log_s; // negative
            (
                Some((-(ll - half).exp()).exp()),
                Some((-(ll + half).exp()).exp()),
            )
        }
        CiTransform::Log => {
            if s <= 0.0 {
                return (None, None);
            }
            (
                Some((s.ln() - z * se).exp()),
                Some((s.ln() + z * se).exp().min(1.0)),
            )
        }
        CiTransform::Plain => {
            let half = z * se * s;
            (Some((s - half).max(0.0)), Some((s + half).min(1.0)))
        }
    }
}

/// R's tolerance for "the curve equals the probability": sqrt(machine epsilon).
const QUANTILE_TOLERANCE: f64 = 1.490_116_119_384_765_6e-8;

impl KaplanMeier {
    /// The median survival time and its confidence limits.
    pub fn median(&self) -> Quantile {
        self.quantile(0.5)
    }

    /// The time by which a fraction `p` (0 ≤ p ≤ 1) has had the event, with confidence limits.
    /// The lower limit is where the lower pointwise curve reaches 1 − p, the upper limit where
    /// the upper curve does.
    pub fn quantile(&self, p: f64) -> Quantile {
        let xmax = self.time.last().copied().unwrap_or(0.0);
        let mut x = vec![0.0];
        x.extend_from_slice(&self.time);
        let incidence = |curve: &[Option<f64>]| -> Vec<Option<f64>> {
            std::iter::once(Some(0.0))
                .chain(curve.iter().map(|s| s.map(|s| 1.0 - s)))
                .collect()
        };
        let estimate: Vec<Option<f64>> =
            incidence(&self.survival.iter().map(|&s| Some(s)).collect::<Vec<_>>());
        Quantile {
            estimate: find_quantile(&x, &estimate, p, xmax),
            lower: find_quantile(&x, &incidence(&self.lower), p, xmax),
            upper: find_quantile(&x, &incidence(&self.upper), p, xmax),
        }
    }

    /// S(t): the curve's value at time t (right-continuous; 1 before the first time).
    pub fn survival_at(&self, t: f64) -> f64 {
        match self.time.partition_point(|&u| u <= t) {
            0 => 1.0,
            k => self.survival[k - 1],
        }
    }

    /// Number of patients still at risk at time t (observed time ≥ t).
    pub fn n_risk_at(&self, t: f64) -> u64 {
        let k = self.time.partition_point(|&u| u < t);
        self.n_risk.get(k).copied().unwrap_or(0)
    }

    /// Restricted mean survival time ∫₀^τ S(t) dt and its standard error
    /// sqrt(Σ_{t_i ≤ τ} A_i² d_i / (n_i (n_i − d_i))), where A_i is the area under the curve
    /// from t_i to τ.
    pub fn rmst(&self, tau: f64) -> Result<Rmst, StatsError> {
        if !(tau.is_finite() && tau > 0.0) {
            return Err(StatsError::InvalidArgument {
                name: "tau",
                reason: format!("must be positive, got {tau}"),
            });
        }
        // Knots: 0, each event/censor time ≤ τ, then τ; S is constant between knots.
        let mut area_after = Vec::with_capacity(self.time.len());
        let mut total = 0.0;
        let mut last_t = 0.0;
        let mut last_s = 1.0;
        for (k, &t) in self.time.iter().enumerate() {
            if t > tau {
                break;
            }
            total += last_s * (t - last_t);
            area_after.push(total);
            last_t = t;
            last_s = self.survival[k];
        }
        total += last_s * (tau - last_t);
        let mut var = 0.0;
        for (k, &before) in area_after.iter().enumerate() {
            let (n, d) = (self.n_risk[k] as f64, self.n_event[k] as f64);
            if d > 0.0 {
                let a = total - before;
                var += if n > d {
                    a * a * d / (n * (n - d))
                } else {
                    0.0
                };
            }
        }
        Ok(Rmst {
            tau,
            estimate: total,
            std_err: var.sqrt(),
        })
    }
}

/// R's `survival:::findq`: the first time the nondecreasing curve `y` (cumulative incidence,
/// possibly undefined in places) reaches `p`, or the midpoint of the interval over which it
/// equals `p` (within tolerance).
fn find_quantile(x: &[f64], y: &[Option<f64>], p: f64, xmax: f64) -> Option<f64> {
    let tol = QUANTILE_TOLERANCE;
    let max_y = y
        .iter()
        .flatten()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    if max_y < p {
        return None;
    }
    // Drop repeated y values (keeping the first), as R's `duplicated`.
    let mut xs: Vec<f64> = Vec::with_capacity(x.len());
    let mut ys: Vec<Option<f64>> = Vec::with_capacity(y.len());
    for (&xi, &yi) in x.iter().zip(y) {
        if !ys.contains(&yi) {
            xs.push(xi);
            ys.push(yi);
        }
    }
    if p == 0.0 {
        return xs.first().copied();
    }
    // approx(y ± tol, index, p, method = "constant", f = 1): first defined index whose value
    // reaches p, provided p lies within the range of defined values.
    let first_reaching = |shift: f64| -> Option<usize> {
        let defined: Vec<(usize, f64)> = ys
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i, v + shift)))
            .collect();
        let (first, last) = (defined.first()?.1, defined.last()?.1);
        if p < first || p > last {
            return None;
        }
        defined.iter().find(|(_, v)| *v >= p).map(|(i, _)| *i)
    };
    let i1 = first_reaching(tol);
    let i2 = first_reaching(-tol);
    let mut quant = match (i1, i2) {
        (Some(a), Some(b)) => Some((xs[a] + xs[b]) / 2.0),
        _ => None,
    };
    if let Some(Some(y_last)) = ys.last()
        && (p - y_last).abs() < tol
    {
        quant = i1.map(|a| (xs[a] + xmax) / 2.0);
    }
    quant
}

/// Difference in restricted mean survival time between two arms.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RmstDifference {
    /// Arm A (experimental).
    pub a: Rmst,
    /// Arm B (control).
    pub b: Rmst,
    /// RMST_A − RMST_B.
    pub difference: f64,
    /// Standard error sqrt(se_A² + se_B²) (independent arms).
    pub se: f64,
    /// Lower confidence limit.
    pub lower: f64,
    /// Upper confidence limit.
    pub upper: f64,
    /// Two-sided Wald p-value.
    pub p: f64,
}

/// RMST up to `tau` in arm A (`in_a` true) minus arm B, with a Wald interval.
pub fn rmst_difference(
    time: &[f64],
    event: &[bool],
    in_a: &[bool],
    tau: f64,
    level: f64,
) -> Result<RmstDifference, StatsError> {
    same_len("event", time.len(), event.len())?;
    same_len("in_a", time.len(), in_a.len())?;
    check_level(level)?;
    let split = |want: bool| -> (Vec<f64>, Vec<bool>) {
        (0..time.len())
            .filter(|&i| in_a[i] == want)
            .map(|i| (time[i], event[i]))
            .unzip()
    };
    let (ta, ea) = split(true);
    let (tb, eb) = split(false);
    if ta.is_empty() || tb.is_empty() {
        return Err(StatsError::Empty(
            "RMST difference needs patients in both arms",
        ));
    }
    let a = kaplan_meier_with(&ta, &ea, level, CiTransform::LogLog)?.rmst(tau)?;
    let b = kaplan_meier_with(&tb, &eb, level, CiTransform::LogLog)?.rmst(tau)?;
    let difference = a.estimate - b.estimate;
    let se = (a.std_err.powi(2) + b.std_err.powi(2)).sqrt();
    let z = z_two_sided(level);
    Ok(RmstDifference {
        a,
        b,
        difference,
        se,
        lower: difference - z * se,
        upper: difference + z * se,
        p: crate::dist::normal_p_two_sided(difference / se),
    })
}
