//! Cox proportional hazards regression by Newton–Raphson on the partial likelihood, with
//! Efron or Breslow handling of tied event times, optional strata, and the three global tests
//! (Wald, likelihood ratio, score), as R's `survival::coxph`.

use serde::Serialize;

use crate::dist::{chisq_sf, normal_p_two_sided, z_two_sided};
use crate::error::{StatsError, check_finite, check_level, check_times, same_len};
use crate::linalg::{
    SquareMatrix, cholesky, cholesky_inverse, cholesky_solve, inverse_quadratic_form,
};

/// How tied event times enter the partial likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ties {
    /// Efron's approximation (R's default); close to the exact partial likelihood.
    Efron,
    /// Breslow's approximation (every tied death sees the full risk set).
    Breslow,
}

/// Options beyond the data.
#[derive(Debug, Clone, Copy)]
pub struct CoxOptions<'a> {
    /// Tie handling.
    pub ties: Ties,
    /// Stratum label per patient: a separate baseline hazard per stratum.
    pub strata: Option<&'a [u32]>,
    /// Confidence level for the hazard-ratio intervals.
    pub level: f64,
}

impl Default for CoxOptions<'_> {
    fn default() -> Self {
        Self {
            ties: Ties::Efron,
            strata: None,
            level: 0.95,
        }
    }
}

/// One covariate's estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CoxTerm {
    /// Log hazard ratio β.
    pub coef: f64,
    /// Standard error of β (from the inverse observed information).
    pub se: f64,
    /// Hazard ratio exp(β).
    pub hr: f64,
    /// Lower confidence limit of the hazard ratio.
    pub hr_lower: f64,
    /// Upper confidence limit of the hazard ratio.
    pub hr_upper: f64,
    /// Wald z = β / se.
    pub z: f64,
    /// Two-sided p-value of the Wald z test.
    pub p: f64,
}

/// A global test of β = 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GlobalTest {
    /// Chi-square statistic.
    pub chisq: f64,
    /// Degrees of freedom (number of covariates).
    pub df: usize,
    /// Upper-tail p-value.
    pub p: f64,
}

/// A fitted Cox model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoxFit {
    /// One entry per covariate, in input order.
    pub terms: Vec<CoxTerm>,
    /// Variance matrix of β̂ (inverse observed information).
    pub variance: SquareMatrix,
    /// Log partial likelihood at β = 0.
    pub loglik_null: f64,
    /// Log partial likelihood at β̂.
    pub loglik: f64,
    /// Wald test β̂ᵀ I(β̂) β̂.
    pub wald: GlobalTest,
    /// Likelihood-ratio test 2 (ℓ(β̂) − ℓ(0)).
    pub likelihood_ratio: GlobalTest,
    /// Score (log-rank-type) test U(0)ᵀ I(0)⁻¹ U(0).
    pub score: GlobalTest,
    /// Newton–Raphson iterations used.
    pub iterations: usize,
    /// Patients used.
    pub n: usize,
    /// Events.
    pub events: usize,
    /// Tie handling used.
    pub ties: Ties,
}

/// Newton–Raphson stops when the relative change in log partial likelihood falls below this
/// (tighter than R's default 1e-9 so that β̂ is the maximiser to ~1e-10 relative).
const CONVERGENCE_EPS: f64 = 1e-12;
/// Iteration cap (R's default is 20; an extra margin for the tighter tolerance).
const MAX_ITERATIONS: usize = 50;
/// A remaining Newton step larger than this (relative to max(1, |β|)) after convergence of the
/// log-likelihood flags a coefficient that is diverging.
const INFINITE_COEF_STEP: f64 = 1e-4;
/// Step halvings allowed when a Newton step lowers the likelihood.
const MAX_HALVINGS: usize = 30;

/// Fit a Cox model with 95 % intervals and no strata. `covariates` holds one column per term.
pub fn fit(
    time: &[f64],
    event: &[bool],
    covariates: &[&[f64]],
    ties: Ties,
) -> Result<CoxFit, StatsError> {
    fit_with(
        time,
        event,
        covariates,
        &CoxOptions {
            ties,
            ..CoxOptions::default()
        },
    )
}

/// Fit a Cox model with options (ties, strata, confidence level).
pub fn fit_with(
    time: &[f64],
    event: &[bool],
    covariates: &[&[f64]],
    options: &CoxOptions<'_>,
) -> Result<CoxFit, StatsError> {
    let n = time.len();
    same_len("event", n, event.len())?;
    check_times("time", time)?;
    check_level(options.level)?;
    if covariates.is_empty() {
        return Err(StatsError::InvalidArgument {
            name: "covariates",
            reason: "at least one covariate is needed".into(),
        });
    }
    for c in covariates {
        same_len("covariate", n, c.len())?;
        check_finite("covariate", c)?;
    }
    if let Some(s) = options.strata {
        same_len("strata", n, s.len())?;
    }
    let events = event.iter().filter(|&&e| e).count();
    if events == 0 {
        return Err(StatsError::NotEstimable(
            "no events: the Cox model has no information".into(),
        ));
    }
    let data = Prepared::new(time, event, covariates, options.strata);
    let p = data.p;

    let zero = vec![0.0; p];
    let at_zero = data.evaluate(&zero, options.ties);
    let loglik_null = at_zero.loglik;
    let info0 = cholesky(&at_zero.information).ok_or_else(|| {
        StatsError::NotEstimable(
            "the information matrix is singular (a constant or collinear covariate?)".into(),
        )
    })?;
    let score_chisq = inverse_quadratic_form(&info0, &at_zero.score);

    let mut beta = zero;
    let mut current = at_zero;
    let mut chol = info0;
    let mut iterations = 0;
    let mut converged = false;
    while iterations < MAX_ITERATIONS {
        iterations += 1;
        let step = cholesky_solve(&chol, &current.score);
        let mut candidate: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b + s).collect();
        let mut next = data.evaluate(&candidate, options.ties);
        let mut halvings = 0;
        while !(next.loglik.is_finite()
            && next.loglik >= current.loglik - 1e-12 * current.loglik.abs())
            && halvings < MAX_HALVINGS
        {
            candidate = beta
                .iter()
                .zip(&candidate)
                .map(|(b, c)| 0.5 * (b + c))
                .collect();
            next = data.evaluate(&candidate, options.ties);
            halvings += 1;
        }
        let change = (next.loglik - current.loglik).abs();
        let step_size = step.iter().map(|s| s.abs()).fold(0.0, f64::max);
        beta = candidate;
        current = next;
        chol = cholesky(&current.information)
            .ok_or_else(|| StatsError::NotEstimable("the information matrix became singular (monotone likelihood: a covariate separates events?)".into()))?;
        if change <= CONVERGENCE_EPS * current.loglik.abs().max(1.0) || step_size < 1e-13 {
            converged = true;
            break;
        }
    }
    if !converged || beta.iter().any(|b| !b.is_finite()) {
        return Err(StatsError::NoConvergence {
            method: "Cox Newton–Raphson",
            iterations,
        });
    }
    // Monotone likelihood (a covariate separates early from late events): the log-likelihood
    // flattens while β walks off to infinity, so the loglik test passes with a Newton step that
    // is still of order one. R only warns here; a trial engine needs to know, so it is an error.
    let next_step = cholesky_solve(&chol, &current.score);
    if let Some(j) =
        (0..p).find(|&j| next_step[j].abs() > INFINITE_COEF_STEP * beta[j].abs().max(1.0))
    {
        return Err(StatsError::NotEstimable(format!(
            "coefficient {} appears infinite (monotone likelihood: the covariate separates the event times)",
            j + 1
        )));
    }
    let variance = cholesky_inverse(&chol);
    let z = z_two_sided(options.level);
    let terms = (0..p)
        .map(|j| {
            let coef = beta[j];
            let se = variance.get(j, j).sqrt();
            CoxTerm {
                coef,
                se,
                hr: coef.exp(),
                hr_lower: (coef - z * se).exp(),
                hr_upper: (coef + z * se).exp(),
                z: coef / se,
                p: normal_p_two_sided(coef / se),
            }
        })
        .collect();
    let wald_chisq = {
        let mut q = 0.0;
        for a in 0..p {
            for b in 0..p {
                q += beta[a] * current.information.get(a, b) * beta[b];
            }
        }
        q
    };
    let lr = 2.0 * (current.loglik - loglik_null);
    let test = |chisq: f64| GlobalTest {
        chisq,
        df: p,
        p: chisq_sf(chisq, p as f64),
    };
    Ok(CoxFit {
        terms,
        variance,
        loglik_null,
        loglik: current.loglik,
        wald: test(wald_chisq),
        likelihood_ratio: test(lr),
        score: test(score_chisq),
        iterations,
        n,
        events,
        ties: options.ties,
    })
}

/// Rows sorted by (stratum, time descending), covariates centred, stored row-major.
struct Prepared {
    p: usize,
    /// Centred covariates, row-major in sorted order.
    x: Vec<f64>,
    time: Vec<f64>,
    event: Vec<bool>,
    stratum: Vec<u32>,
}

/// Log partial likelihood, its gradient and the observed information at one β.
struct Evaluation {
    loglik: f64,
    score: Vec<f64>,
    information: SquareMatrix,
}

impl Prepared {
    fn new(time: &[f64], event: &[bool], covariates: &[&[f64]], strata: Option<&[u32]>) -> Self {
        let n = time.len();
        let p = covariates.len();
        let stratum_of = |i: usize| strata.map_or(0, |s| s[i]);
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&i, &j| {
            stratum_of(i)
                .cmp(&stratum_of(j))
                .then(time[j].total_cmp(&time[i]))
        });
        let means: Vec<f64> = covariates
            .iter()
            .map(|c| c.iter().sum::<f64>() / n as f64)
            .collect();
        let mut x = Vec::with_capacity(n * p);
        for &i in &order {
            for (c, m) in covariates.iter().zip(&means) {
                x.push(c[i] - m);
            }
        }
        Self {
            p,
            x,
            time: order.iter().map(|&i| time[i]).collect(),
            event: order.iter().map(|&i| event[i]).collect(),
            stratum: order.iter().map(|&i| stratum_of(i)).collect(),
        }
    }

    fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.p..(i + 1) * self.p]
    }

    fn evaluate(&self, beta: &[f64], ties: Ties) -> Evaluation {
        let p = self.p;
        let n = self.time.len();
        let mut loglik = 0.0;
        let mut score = vec![0.0; p];
        let mut info = SquareMatrix::zeros(p);
        // Risk-set sums S0 = Σ r, S1 = Σ r x, S2 = Σ r x xᵀ over patients with time ≥ t.
        let mut s0 = 0.0;
        let mut s1 = vec![0.0; p];
        let mut s2 = vec![0.0; p * p];
        // The same sums over the deaths tied at t (for Efron), and Σ x over those deaths.
        let mut d0;
        let mut d1 = vec![0.0; p];
        let mut d2 = vec![0.0; p * p];
        let mut xsum = vec![0.0; p];
        let mut mean = vec![0.0; p];
        let mut i = 0;
        while i < n {
            if i > 0 && self.stratum[i] != self.stratum[i - 1] {
                s0 = 0.0;
                s1.iter_mut().for_each(|v| *v = 0.0);
                s2.iter_mut().for_each(|v| *v = 0.0);
            }
            let t = self.time[i];
            let s = self.stratum[i];
            d0 = 0.0;
            d1.iter_mut().for_each(|v| *v = 0.0);
            d2.iter_mut().for_each(|v| *v = 0.0);
            xsum.iter_mut().for_each(|v| *v = 0.0);
            let mut deaths = 0usize;
            while i < n && self.time[i] == t && self.stratum[i] == s {
                let xi = self.row(i);
                let eta: f64 = xi.iter().zip(beta).map(|(a, b)| a * b).sum();
                let r = eta.exp();
                s0 += r;
                for a in 0..p {
                    s1[a] += r * xi[a];
                    for b in 0..=a {
                        s2[a * p + b] += r * xi[a] * xi[b];
                    }
                }
                if self.event[i] {
                    deaths += 1;
                    loglik += eta;
                    d0 += r;
                    for a in 0..p {
                        xsum[a] += xi[a];
                        d1[a] += r * xi[a];
                        for b in 0..=a {
                            d2[a * p + b] += r * xi[a] * xi[b];
                        }
                    }
                }
                i += 1;
            }
            if deaths == 0 {
                continue;
            }
            for a in 0..p {
                score[a] += xsum[a];
            }
            let nd = deaths as f64;
            for k in 0..deaths {
                // Breslow: every tied death sees the full risk set; Efron removes the average
                // share k/d of the tied deaths.
                let frac = match ties {
                    Ties::Breslow => 0.0,
                    Ties::Efron => k as f64 / nd,
                };
                let denom = s0 - frac * d0;
                loglik -= denom.ln();
                for a in 0..p {
                    mean[a] = (s1[a] - frac * d1[a]) / denom;
                    score[a] -= mean[a];
                }
                for a in 0..p {
                    for b in 0..=a {
                        let second = (s2[a * p + b] - frac * d2[a * p + b]) / denom;
                        *info.at(a, b) += second - mean[a] * mean[b];
                    }
                }
            }
        }
        for a in 0..p {
            for b in 0..a {
                *info.at(b, a) = info.get(a, b);
            }
        }
        Evaluation {
            loglik,
            score,
            information: info,
        }
    }
}
