//! Ordinal endpoints (e.g. the WHO clinical progression scale): the Wilcoxon–Mann–Whitney test
//! and proportional-odds (cumulative logit) regression.

use serde::Serialize;

use crate::dist::{normal_p_two_sided, normal_sf, z_two_sided};
use crate::error::{StatsError, check_finite, same_len};
use crate::linalg::{SquareMatrix, cholesky, cholesky_inverse, cholesky_solve};

/// Result of a two-sample Wilcoxon–Mann–Whitney test (normal approximation).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Wilcoxon {
    /// Mann–Whitney W: the rank sum of `x` minus n_x (n_x + 1) / 2 (as R's `wilcox.test`).
    pub w: f64,
    /// W / (n_x n_y) = P(X > Y) + ½ P(X = Y), the probabilistic index.
    pub probability_index: f64,
    /// Standardised statistic, tie-corrected variance, with continuity correction.
    pub z: f64,
    /// Two-sided p-value.
    pub p: f64,
}

/// Two-sided Wilcoxon–Mann–Whitney test of `x` against `y`, normal approximation with the tie
/// correction and a continuity correction of ½ (R's `wilcox.test(x, y, exact = FALSE)`).
pub fn wilcoxon_mann_whitney(x: &[f64], y: &[f64]) -> Result<Wilcoxon, StatsError> {
    check_finite("x", x)?;
    check_finite("y", y)?;
    if x.is_empty() || y.is_empty() {
        return Err(StatsError::Empty(
            "Wilcoxon–Mann–Whitney needs both samples non-empty",
        ));
    }
    let (nx, ny) = (x.len() as f64, y.len() as f64);
    let mut all: Vec<(f64, bool)> = x
        .iter()
        .map(|&v| (v, true))
        .chain(y.iter().map(|&v| (v, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = all.len();
    let (mut rank_sum_x, mut tie_term) = (0.0, 0.0);
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j < n && all[j].0 == all[i].0 {
            j += 1;
        }
        let mid_rank = (i + j + 1) as f64 / 2.0; // ranks i+1..=j averaged
        let t = (j - i) as f64;
        tie_term += t * t * t - t;
        rank_sum_x += mid_rank * all[i..j].iter().filter(|v| v.1).count() as f64;
        i = j;
    }
    let w = rank_sum_x - nx * (nx + 1.0) / 2.0;
    let nn = nx + ny;
    let mean = nx * ny / 2.0;
    let var = nx * ny / 12.0 * ((nn + 1.0) - tie_term / (nn * (nn - 1.0)));
    if var <= 0.0 {
        return Err(StatsError::NotEstimable("all values are tied".into()));
    }
    let diff = w - mean;
    let z = (diff - 0.5 * diff.signum()) / var.sqrt();
    Ok(Wilcoxon {
        w,
        probability_index: w / (nx * ny),
        z,
        p: (2.0 * normal_sf(z.abs())).min(1.0),
    })
}

/// One covariate of a proportional-odds fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PolrTerm {
    /// Log cumulative odds ratio β (> 0: higher categories more likely).
    pub coef: f64,
    /// Standard error of β.
    pub se: f64,
    /// Common odds ratio exp(β).
    pub odds_ratio: f64,
    /// Lower 95 % limit of the odds ratio.
    pub or_lower: f64,
    /// Upper 95 % limit of the odds ratio.
    pub or_upper: f64,
    /// Two-sided Wald p-value.
    pub p: f64,
}

/// A proportional-odds fit: logit P(Y ≤ k) = ζ_k − xᵀβ (the parameterisation of R's
/// `MASS::polr` and `ordinal::clm`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolrFit {
    /// Observed categories, increasing; the model has one cut-point fewer.
    pub categories: Vec<u32>,
    /// Cut-points ζ_k between consecutive observed categories.
    pub cutpoints: Vec<f64>,
    /// Standard errors of the cut-points.
    pub cutpoint_se: Vec<f64>,
    /// One entry per covariate.
    pub terms: Vec<PolrTerm>,
    /// Maximised log-likelihood.
    pub loglik: f64,
    /// Newton iterations used.
    pub iterations: usize,
}

/// Newton iterations stop when the largest step falls below this.
const POLR_STEP_TOL: f64 = 1e-10;
const POLR_MAX_ITER: usize = 100;

fn logistic(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Fit a proportional-odds model of ordered categories `y` on covariate columns `x`.
pub fn polr(y: &[u32], x: &[&[f64]]) -> Result<PolrFit, StatsError> {
    let n = y.len();
    if n == 0 {
        return Err(StatsError::Empty(
            "proportional-odds model needs observations",
        ));
    }
    if x.is_empty() {
        return Err(StatsError::InvalidArgument {
            name: "x",
            reason: "at least one covariate is needed".into(),
        });
    }
    for c in x {
        same_len("x", n, c.len())?;
        check_finite("x", c)?;
    }
    let mut categories = y.to_vec();
    categories.sort_unstable();
    categories.dedup();
    let k = categories.len();
    if k < 2 {
        return Err(StatsError::NotEstimable(
            "the outcome has a single category".into(),
        ));
    }
    let level: Vec<usize> = y
        .iter()
        .map(|v| categories.binary_search(v).unwrap_or(0))
        .collect();
    let p = x.len();
    let q = k - 1 + p;
    // Start: cut-points at the marginal cumulative logits, β = 0.
    let mut theta = vec![0.0; q];
    let mut cum = 0usize;
    for j in 0..k - 1 {
        cum += level.iter().filter(|&&l| l == j).count();
        let pr = cum as f64 / n as f64;
        theta[j] = (pr / (1.0 - pr)).ln();
    }
    let mut current = polr_eval(&theta, &level, x, k)
        .ok_or_else(|| StatsError::NotEstimable("bad start".into()))?;
    let mut iterations = 0;
    loop {
        iterations += 1;
        if iterations > POLR_MAX_ITER {
            return Err(StatsError::NoConvergence {
                method: "proportional-odds Newton",
                iterations: POLR_MAX_ITER,
            });
        }
        let l = cholesky(&current.information).ok_or_else(|| {
            StatsError::NotEstimable(
                "singular information (separation or a constant covariate?)".into(),
            )
        })?;
        let step = cholesky_solve(&l, &current.gradient);
        let mut scale = 1.0;
        let mut accepted = None;
        for _ in 0..40 {
            let cand: Vec<f64> = theta
                .iter()
                .zip(&step)
                .map(|(t, s)| t + scale * s)
                .collect();
            if let Some(ev) = polr_eval(&cand, &level, x, k)
                && ev.loglik >= current.loglik - 1e-12 * current.loglik.abs()
            {
                accepted = Some((cand, ev));
                break;
            }
            scale /= 2.0;
        }
        let Some((cand, ev)) = accepted else {
            return Err(StatsError::NoConvergence {
                method: "proportional-odds Newton",
                iterations,
            });
        };
        let max_step = step.iter().map(|s| (s * scale).abs()).fold(0.0, f64::max);
        theta = cand;
        current = ev;
        if max_step < POLR_STEP_TOL {
            break;
        }
    }
    let l = cholesky(&current.information)
        .ok_or_else(|| StatsError::NotEstimable("singular information at the optimum".into()))?;
    let cov = cholesky_inverse(&l);
    let z = z_two_sided(0.95);
    let terms = (0..p)
        .map(|j| {
            let idx = k - 1 + j;
            let (coef, se) = (theta[idx], cov.get(idx, idx).sqrt());
            PolrTerm {
                coef,
                se,
                odds_ratio: coef.exp(),
                or_lower: (coef - z * se).exp(),
                or_upper: (coef + z * se).exp(),
                p: normal_p_two_sided(coef / se),
            }
        })
        .collect();
    Ok(PolrFit {
        categories,
        cutpoints: theta[..k - 1].to_vec(),
        cutpoint_se: (0..k - 1).map(|j| cov.get(j, j).sqrt()).collect(),
        terms,
        loglik: current.loglik,
        iterations,
    })
}

struct PolrEval {
    loglik: f64,
    gradient: Vec<f64>,
    information: SquareMatrix,
}

/// Log-likelihood, gradient and observed information at θ = (ζ_0..ζ_{K−2}, β); `None` if the
/// cut-points are not increasing or a probability underflows.
fn polr_eval(theta: &[f64], level: &[usize], x: &[&[f64]], k: usize) -> Option<PolrEval> {
    let q = theta.len();
    let cuts = &theta[..k - 1];
    if cuts.windows(2).any(|w| w[1] <= w[0]) {
        return None;
    }
    let beta = &theta[k - 1..];
    let mut loglik = 0.0;
    let mut gradient = vec![0.0; q];
    let mut info = SquareMatrix::zeros(q);
    // ∂a/∂θ and ∂b/∂θ for the upper (a = ζ_l − η) and lower (b = ζ_{l−1} − η) limits.
    let mut da = vec![0.0; q];
    let mut db = vec![0.0; q];
    for (i, &l) in level.iter().enumerate() {
        let eta: f64 = x.iter().zip(beta).map(|(c, b)| c[i] * b).sum();
        let (f_up, dens_up, curv_up) = if l < k - 1 {
            let fa = logistic(cuts[l] - eta);
            (fa, fa * (1.0 - fa), fa * (1.0 - fa) * (1.0 - 2.0 * fa))
        } else {
            (1.0, 0.0, 0.0)
        };
        let (f_lo, dens_lo, curv_lo) = if l > 0 {
            let fb = logistic(cuts[l - 1] - eta);
            (fb, fb * (1.0 - fb), fb * (1.0 - fb) * (1.0 - 2.0 * fb))
        } else {
            (0.0, 0.0, 0.0)
        };
        let prob = f_up - f_lo;
        if prob <= 0.0 || !prob.is_finite() {
            return None;
        }
        loglik += prob.ln();
        da.iter_mut().for_each(|v| *v = 0.0);
        db.iter_mut().for_each(|v| *v = 0.0);
        if l < k - 1 {
            da[l] = 1.0;
        }
        if l > 0 {
            db[l - 1] = 1.0;
        }
        for (j, c) in x.iter().enumerate() {
            da[k - 1 + j] = -c[i];
            db[k - 1 + j] = -c[i];
        }
        let g: Vec<f64> = (0..q)
            .map(|r| (dens_up * da[r] - dens_lo * db[r]) / prob)
            .collect();
        for r in 0..q {
            gradient[r] += g[r];
            for s in 0..q {
                let second = (curv_up * da[r] * da[s] - curv_lo * db[r] * db[s]) / prob;
                *info.at(r, s) -= second - g[r] * g[s];
            }
        }
    }
    Some(PolrEval {
        loglik,
        gradient,
        information: info,
    })
}
