//! Continuous endpoints: Welch's two-sample mean difference and ANCOVA of change from baseline.

use serde::Serialize;

use crate::dist::{t_quantile, t_sf};
use crate::error::{StatsError, check_finite, check_level, same_len};
use crate::linalg::{SquareMatrix, cholesky, cholesky_inverse};

/// A mean difference with a t-based confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeanDifference {
    /// Estimated difference (A − B, or the arm coefficient for ANCOVA).
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
    /// Degrees of freedom of the t reference distribution.
    pub df: f64,
    /// Lower confidence limit.
    pub lower: f64,
    /// Upper confidence limit.
    pub upper: f64,
    /// t statistic.
    pub t: f64,
    /// Two-sided p-value.
    pub p: f64,
}

fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, v)
}

fn t_result(estimate: f64, se: f64, df: f64, level: f64) -> MeanDifference {
    let q = t_quantile(0.5 + level / 2.0, df);
    let t = estimate / se;
    MeanDifference {
        estimate,
        se,
        df,
        lower: estimate - q * se,
        upper: estimate + q * se,
        t,
        p: 2.0 * t_sf(t.abs(), df),
    }
}

/// Welch's unequal-variance comparison of mean(a) − mean(b) (R's `t.test(a, b)`).
pub fn welch(a: &[f64], b: &[f64], level: f64) -> Result<MeanDifference, StatsError> {
    check_level(level)?;
    check_finite("a", a)?;
    check_finite("b", b)?;
    if a.len() < 2 || b.len() < 2 {
        return Err(StatsError::Empty(
            "Welch's test needs at least two observations per group",
        ));
    }
    let ((ma, va), (mb, vb)) = (mean_var(a), mean_var(b));
    let (sa, sb) = (va / a.len() as f64, vb / b.len() as f64);
    let se = (sa + sb).sqrt();
    if se == 0.0 {
        return Err(StatsError::NotEstimable("both groups are constant".into()));
    }
    let df =
        (sa + sb).powi(2) / (sa * sa / (a.len() as f64 - 1.0) + sb * sb / (b.len() as f64 - 1.0));
    Ok(t_result(ma - mb, se, df, level))
}

/// ANCOVA of change from baseline: (post − baseline) ~ intercept + treated + baseline, by
/// ordinary least squares; returns the treated coefficient (R's `lm(change ~ arm + baseline)`).
pub fn ancova_change(
    baseline: &[f64],
    post: &[f64],
    treated: &[bool],
    level: f64,
) -> Result<MeanDifference, StatsError> {
    check_level(level)?;
    let n = baseline.len();
    same_len("post", n, post.len())?;
    same_len("treated", n, treated.len())?;
    check_finite("baseline", baseline)?;
    check_finite("post", post)?;
    if n < 4 {
        return Err(StatsError::Empty("ANCOVA needs at least four observations"));
    }
    let change: Vec<f64> = post.iter().zip(baseline).map(|(p, b)| p - b).collect();
    let arm: Vec<f64> = treated.iter().map(|&t| if t { 1.0 } else { 0.0 }).collect();
    // Centring the columns removes the intercept from the normal equations and keeps them
    // well conditioned.
    let centre = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / n as f64;
        v.iter().map(|x| x - m).collect::<Vec<f64>>()
    };
    let (yc, ac, bc) = (centre(&change), centre(&arm), centre(baseline));
    let dot = |u: &[f64], v: &[f64]| u.iter().zip(v).map(|(a, b)| a * b).sum::<f64>();
    let xtx = SquareMatrix {
        n: 2,
        data: vec![dot(&ac, &ac), dot(&ac, &bc), dot(&bc, &ac), dot(&bc, &bc)],
    };
    let l = cholesky(&xtx).ok_or_else(|| {
        StatsError::NotEstimable("arm and baseline are collinear (or one arm is empty)".into())
    })?;
    let inv = cholesky_inverse(&l);
    let xty = [dot(&ac, &yc), dot(&bc, &yc)];
    let coef = [
        inv.get(0, 0) * xty[0] + inv.get(0, 1) * xty[1],
        inv.get(1, 0) * xty[0] + inv.get(1, 1) * xty[1],
    ];
    let rss: f64 = (0..n)
        .map(|i| (yc[i] - coef[0] * ac[i] - coef[1] * bc[i]).powi(2))
        .sum();
    let df = n as f64 - 3.0;
    let sigma2 = rss / df;
    Ok(t_result(
        coef[0],
        (sigma2 * inv.get(0, 0)).sqrt(),
        df,
        level,
    ))
}
