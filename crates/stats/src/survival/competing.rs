//! Competing risks: the Aalen–Johansen cumulative incidence of one cause (with the variance of
//! R's `cmprsk::cuminc`) and the Fine–Gray subdistribution hazard model (point estimates and
//! log pseudo-likelihood as `cmprsk::crr`).
//!
//! Status coding: 0 = censored, any other value = the cause of the event (e.g. 1 = discharge,
//! 2 = death).

use serde::Serialize;

use crate::error::{StatsError, check_finite, check_times, same_len};
use crate::linalg::{SquareMatrix, cholesky, cholesky_inverse, cholesky_solve};

/// Cumulative incidence of one cause, one row per distinct time with any event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CumulativeIncidence {
    /// The cause whose incidence this is.
    pub cause: u32,
    /// Distinct event times (any cause), increasing.
    pub time: Vec<f64>,
    /// Cumulative incidence just after each time.
    pub estimate: Vec<f64>,
    /// Variance of the estimate (Gray's delta-method estimator, as `cmprsk::cuminc`).
    pub variance: Vec<f64>,
}

impl CumulativeIncidence {
    /// The incidence at time t (right-continuous step function; 0 before the first event).
    pub fn at(&self, t: f64) -> f64 {
        match self.time.partition_point(|&u| u <= t) {
            0 => 0.0,
            k => self.estimate[k - 1],
        }
    }
    /// The variance at time t.
    pub fn variance_at(&self, t: f64) -> f64 {
        match self.time.partition_point(|&u| u <= t) {
            0 => 0.0,
            k => self.variance[k - 1],
        }
    }
}

fn validate(time: &[f64], status: &[u32]) -> Result<Vec<usize>, StatsError> {
    same_len("status", time.len(), status.len())?;
    check_times("time", time)?;
    if time.is_empty() {
        return Err(StatsError::Empty("competing-risks analysis needs patients"));
    }
    let mut order: Vec<usize> = (0..time.len()).collect();
    order.sort_by(|&i, &j| time[i].total_cmp(&time[j]));
    Ok(order)
}

/// Aalen–Johansen cumulative incidence of `cause` among all causes in `status`.
pub fn aalen_johansen(
    time: &[f64],
    status: &[u32],
    cause: u32,
) -> Result<CumulativeIncidence, StatsError> {
    if cause == 0 {
        return Err(StatsError::InvalidArgument {
            name: "cause",
            reason: "0 means censored".into(),
        });
    }
    let order = validate(time, status)?;
    let mut out = CumulativeIncidence {
        cause,
        time: Vec::new(),
        estimate: Vec::new(),
        variance: Vec::new(),
    };
    let mut at_risk = time.len() as f64;
    let mut surv = 1.0; // all-cause Kaplan–Meier just before the current time
    let mut cif = 0.0;
    let (mut v1, mut v2, mut v3) = (0.0, 0.0, 0.0);
    let mut i = 0;
    while i < order.len() {
        let t = time[order[i]];
        let (mut d_cause, mut d_other, mut leaving) = (0.0, 0.0, 0.0);
        while i < order.len() && time[order[i]] == t {
            match status[order[i]] {
                0 => {}
                s if s == cause => d_cause += 1.0,
                _ => d_other += 1.0,
            }
            leaving += 1.0;
            i += 1;
        }
        let d = d_cause + d_other;
        if d > 0.0 {
            let surv_after = surv * (at_risk - d) / at_risk;
            cif += surv * d_cause / at_risk;
            // Gray's variance terms, accumulated as in cmprsk's `cinc`.
            let tie = |k: f64| {
                if k > 1.0 {
                    1.0 - (k - 1.0) / (at_risk - 1.0)
                } else {
                    1.0
                }
            };
            if d_other > 0.0 && surv_after > 0.0 {
                let t6 = surv * surv * tie(d_other) * d_other / (at_risk * at_risk);
                let t3 = 1.0 / surv_after;
                let t4 = cif / surv_after;
                v1 += t4 * t4 * t6;
                v2 += t3 * t4 * t6;
                v3 += t3 * t3 * t6;
            }
            if d_cause > 0.0 {
                let t6 = surv * surv * tie(d_cause) * d_cause / (at_risk * at_risk);
                let t3 = if surv_after > 0.0 {
                    1.0 / surv_after
                } else {
                    0.0
                };
                let t4 = 1.0 + t3 * cif;
                v1 += t4 * t4 * t6;
                v2 += t3 * t4 * t6;
                v3 += t3 * t3 * t6;
            }
            out.time.push(t);
            out.estimate.push(cif);
            out.variance.push(v1 + cif * cif * v3 - 2.0 * cif * v2);
            surv = surv_after;
        }
        at_risk -= leaving;
    }
    Ok(out)
}

/// One covariate of a Fine–Gray fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FineGrayTerm {
    /// Log subdistribution hazard ratio.
    pub coef: f64,
    /// Subdistribution hazard ratio exp(coef).
    pub shr: f64,
    /// Model-based standard error (inverse information of the weighted pseudo-likelihood;
    /// not the robust sandwich that `cmprsk::crr` reports).
    pub se_model: f64,
}

/// A Fine–Gray subdistribution hazard fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FineGrayFit {
    /// The cause modelled.
    pub cause: u32,
    /// One entry per covariate.
    pub terms: Vec<FineGrayTerm>,
    /// Log pseudo-likelihood at the estimate (as `crr`'s `loglik`).
    pub loglik: f64,
    /// Newton iterations used.
    pub iterations: usize,
}

/// Fine–Gray model for `cause`: patients failing from another cause stay in the risk set with
/// inverse-probability-of-censoring weights G(t−)/G(T_j−), G the Kaplan–Meier of censoring.
/// Tied events use Breslow's approximation, as `crr`.
pub fn fine_gray(
    time: &[f64],
    status: &[u32],
    cause: u32,
    covariates: &[&[f64]],
) -> Result<FineGrayFit, StatsError> {
    if cause == 0 {
        return Err(StatsError::InvalidArgument {
            name: "cause",
            reason: "0 means censored".into(),
        });
    }
    let order = validate(time, status)?;
    let n = time.len();
    let p = covariates.len();
    if p == 0 {
        return Err(StatsError::InvalidArgument {
            name: "covariates",
            reason: "at least one covariate is needed".into(),
        });
    }
    for c in covariates {
        same_len("covariate", n, c.len())?;
        check_finite("covariate", c)?;
    }
    if !status.contains(&cause) {
        return Err(StatsError::NotEstimable(format!(
            "no events of cause {cause}"
        )));
    }
    // Censoring survival G just before each patient's time, G(T−).
    let g_left = censoring_left_limits(time, status, &order);
    // Sorted, centred design.
    let means: Vec<f64> = covariates
        .iter()
        .map(|c| c.iter().sum::<f64>() / n as f64)
        .collect();
    let x: Vec<f64> = order
        .iter()
        .flat_map(|&i| covariates.iter().zip(&means).map(move |(c, m)| c[i] - m))
        .collect();
    let t_sorted: Vec<f64> = order.iter().map(|&i| time[i]).collect();
    let s_sorted: Vec<u32> = order.iter().map(|&i| status[i]).collect();
    let g_sorted: Vec<f64> = order.iter().map(|&i| g_left[i]).collect();
    let data = FgData {
        p,
        x,
        time: t_sorted,
        status: s_sorted,
        g_left: g_sorted,
        cause,
    };

    let mut beta = vec![0.0; p];
    let mut cur = data.evaluate(&beta);
    let mut iterations = 0;
    loop {
        iterations += 1;
        if iterations > 50 {
            return Err(StatsError::NoConvergence {
                method: "Fine–Gray Newton–Raphson",
                iterations: 50,
            });
        }
        let l = cholesky(&cur.information).ok_or_else(|| {
            StatsError::NotEstimable("singular information in the Fine–Gray fit".into())
        })?;
        let step = cholesky_solve(&l, &cur.score);
        let mut scale = 1.0;
        let (cand, next) = loop {
            let cand: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b + scale * s).collect();
            let next = data.evaluate(&cand);
            if (next.loglik.is_finite() && next.loglik >= cur.loglik - 1e-12 * cur.loglik.abs())
                || scale < 1e-9
            {
                break (cand, next);
            }
            scale /= 2.0;
        };
        let change = (next.loglik - cur.loglik).abs();
        beta = cand;
        cur = next;
        if change < 1e-13 * cur.loglik.abs().max(1.0)
            || step.iter().all(|s| (s * scale).abs() < 1e-12)
        {
            break;
        }
    }
    let l = cholesky(&cur.information).ok_or_else(|| {
        StatsError::NotEstimable("singular information in the Fine–Gray fit".into())
    })?;
    let var = cholesky_inverse(&l);
    let terms = (0..p)
        .map(|j| FineGrayTerm {
            coef: beta[j],
            shr: beta[j].exp(),
            se_model: var.get(j, j).sqrt(),
        })
        .collect();
    Ok(FineGrayFit {
        cause,
        terms,
        loglik: cur.loglik,
        iterations,
    })
}

/// Kaplan–Meier of the censoring distribution evaluated just before each patient's time.
fn censoring_left_limits(time: &[f64], status: &[u32], order: &[usize]) -> Vec<f64> {
    let mut g_left = vec![1.0; time.len()];
    let mut at_risk = time.len() as f64;
    let mut g = 1.0;
    let mut i = 0;
    while i < order.len() {
        let t = time[order[i]];
        let start = i;
        let mut censored = 0.0;
        while i < order.len() && time[order[i]] == t {
            if status[order[i]] == 0 {
                censored += 1.0;
            }
            i += 1;
        }
        for &j in &order[start..i] {
            g_left[j] = g;
        }
        g *= 1.0 - censored / at_risk;
        at_risk -= (i - start) as f64;
    }
    g_left
}

struct FgData {
    p: usize,
    x: Vec<f64>,
    time: Vec<f64>,
    status: Vec<u32>,
    g_left: Vec<f64>,
    cause: u32,
}

struct FgEval {
    loglik: f64,
    score: Vec<f64>,
    information: SquareMatrix,
}

impl FgData {
    fn evaluate(&self, beta: &[f64]) -> FgEval {
        let (n, p) = (self.time.len(), self.p);
        let row = |i: usize| &self.x[i * p..(i + 1) * p];
        let risk: Vec<f64> = (0..n)
            .map(|i| {
                row(i)
                    .iter()
                    .zip(beta)
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
                    .exp()
            })
            .collect();
        // Sums over patients still in the ordinary risk set (T_j ≥ t): built from the end.
        let mut tail0 = vec![0.0; n + 1];
        let mut tail1 = vec![0.0; (n + 1) * p];
        let mut tail2 = vec![0.0; (n + 1) * p * p];
        for i in (0..n).rev() {
            let xi = row(i);
            tail0[i] = tail0[i + 1] + risk[i];
            for a in 0..p {
                tail1[i * p + a] = tail1[(i + 1) * p + a] + risk[i] * xi[a];
                for b in 0..p {
                    tail2[(i * p + a) * p + b] =
                        tail2[((i + 1) * p + a) * p + b] + risk[i] * xi[a] * xi[b];
                }
            }
        }
        let mut loglik = 0.0;
        let mut score = vec![0.0; p];
        let mut info = SquareMatrix::zeros(p);
        // Running sums over earlier competing-cause failures, weighted by 1 / G(T_j−).
        let mut c0 = 0.0;
        let mut c1 = vec![0.0; p];
        let mut c2 = vec![0.0; p * p];
        let mut i = 0;
        while i < n {
            let t = self.time[i];
            let start = i;
            while i < n && self.time[i] == t {
                i += 1;
            }
            let g = self.g_left[start];
            let s0 = tail0[start] + g * c0;
            for k in start..i {
                if self.status[k] != self.cause {
                    continue;
                }
                let xk = row(k);
                loglik += xk.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>() - s0.ln();
                for a in 0..p {
                    let mean_a = (tail1[start * p + a] + g * c1[a]) / s0;
                    score[a] += xk[a] - mean_a;
                    for b in 0..p {
                        let mean_b = (tail1[start * p + b] + g * c1[b]) / s0;
                        *info.at(a, b) += (tail2[(start * p + a) * p + b] + g * c2[a * p + b]) / s0
                            - mean_a * mean_b;
                    }
                }
            }
            for k in start..i {
                if self.status[k] != 0 && self.status[k] != self.cause {
                    let w = risk[k] / self.g_left[k];
                    let xk = row(k);
                    c0 += w;
                    for a in 0..p {
                        c1[a] += w * xk[a];
                        for b in 0..p {
                            c2[a * p + b] += w * xk[a] * xk[b];
                        }
                    }
                }
            }
        }
        FgEval {
            loglik,
            score,
            information: info,
        }
    }
}
