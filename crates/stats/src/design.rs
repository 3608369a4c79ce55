//! Trial design: sample size and power for two proportions and for the log-rank test
//! (Schoenfeld), and group-sequential efficacy boundaries by Lan–DeMets alpha spending.

use serde::Serialize;

use crate::dist::{normal_cdf, normal_quantile, normal_sf};
use crate::error::StatsError;

fn check_prob(name: &'static str, p: f64) -> Result<(), StatsError> {
    if p > 0.0 && p < 1.0 {
        Ok(())
    } else {
        Err(StatsError::InvalidArgument {
            name,
            reason: format!("must be in (0, 1), got {p}"),
        })
    }
}

/// Patients per arm to compare proportions `p1` and `p2` with a two-sided level-`alpha` test of
/// the given `power` (pooled-variance normal approximation, as R's `power.prop.test`; not
/// rounded up).
pub fn two_proportions_n(p1: f64, p2: f64, alpha: f64, power: f64) -> Result<f64, StatsError> {
    for (name, v) in [("p1", p1), ("p2", p2), ("alpha", alpha), ("power", power)] {
        check_prob(name, v)?;
    }
    if p1 == p2 {
        return Err(StatsError::InvalidArgument {
            name: "p2",
            reason: "p1 and p2 must differ".into(),
        });
    }
    let za = normal_quantile(1.0 - alpha / 2.0);
    let zb = normal_quantile(power);
    let pooled = ((p1 + p2) * (2.0 - p1 - p2) / 2.0).sqrt();
    let separate = (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt();
    Ok(((za * pooled + zb * separate) / (p1 - p2)).powi(2))
}

/// Power of the two-sided level-`alpha` comparison of `p1` and `p2` with `n` patients per arm
/// (R's `power.prop.test(n, p1, p2)$power`, one tail).
pub fn two_proportions_power(p1: f64, p2: f64, n: f64, alpha: f64) -> Result<f64, StatsError> {
    for (name, v) in [("p1", p1), ("p2", p2), ("alpha", alpha)] {
        check_prob(name, v)?;
    }
    if n.is_nan() || n <= 0.0 {
        return Err(StatsError::InvalidArgument {
            name: "n",
            reason: format!("must be positive, got {n}"),
        });
    }
    let za = normal_quantile(1.0 - alpha / 2.0);
    let pooled = ((p1 + p2) * (2.0 - p1 - p2) / 2.0).sqrt();
    let separate = (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt();
    Ok(normal_cdf(
        (n.sqrt() * (p1 - p2).abs() - za * pooled) / separate,
    ))
}

/// Events needed for a two-sided level-`alpha` log-rank test to detect `hazard_ratio` with the
/// given `power`, a fraction `allocation` of patients on the experimental arm (Schoenfeld 1981):
/// d = (z_{1−α/2} + z_{power})² / (π (1 − π) log² HR).
pub fn schoenfeld_events(
    hazard_ratio: f64,
    alpha: f64,
    power: f64,
    allocation: f64,
) -> Result<f64, StatsError> {
    check_prob("alpha", alpha)?;
    check_prob("power", power)?;
    check_prob("allocation", allocation)?;
    if !hazard_ratio.is_finite() || hazard_ratio <= 0.0 || hazard_ratio == 1.0 {
        return Err(StatsError::InvalidArgument {
            name: "hazard_ratio",
            reason: format!("must be positive and not 1, got {hazard_ratio}"),
        });
    }
    let z = normal_quantile(1.0 - alpha / 2.0) + normal_quantile(power);
    Ok(z * z / (allocation * (1.0 - allocation) * hazard_ratio.ln().powi(2)))
}

/// Power of the two-sided level-`alpha` log-rank test with `events` events (Schoenfeld).
pub fn schoenfeld_power(
    hazard_ratio: f64,
    events: f64,
    alpha: f64,
    allocation: f64,
) -> Result<f64, StatsError> {
    check_prob("alpha", alpha)?;
    check_prob("allocation", allocation)?;
    if !hazard_ratio.is_finite() || hazard_ratio <= 0.0 || events.is_nan() || events <= 0.0 {
        return Err(StatsError::InvalidArgument {
            name: "hazard_ratio/events",
            reason: "must be positive".into(),
        });
    }
    let drift = (events * allocation * (1.0 - allocation)).sqrt() * hazard_ratio.ln().abs();
    Ok(normal_cdf(drift - normal_quantile(1.0 - alpha / 2.0)))
}

/// Lan–DeMets alpha-spending function families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Spending {
    /// O'Brien–Fleming type: α(t) = 2 (1 − Φ(z_{1−α/2} / √t)). Spends almost nothing early.
    OBrienFleming,
    /// Pocock type: α(t) = α ln(1 + (e − 1) t). Spends evenly.
    Pocock,
}

impl Spending {
    /// Cumulative one-sided alpha spent by information fraction t ∈ [0, 1].
    pub fn spent(self, alpha: f64, t: f64) -> f64 {
        if t <= 0.0 {
            return 0.0;
        }
        let t = t.min(1.0);
        match self {
            Spending::OBrienFleming => {
                2.0 * normal_sf(normal_quantile(1.0 - alpha / 2.0) / t.sqrt())
            }
            Spending::Pocock => alpha * (1.0 + (std::f64::consts::E - 1.0) * t).ln(),
        }
    }
}

/// One-sided group-sequential efficacy boundaries on the Z scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSequential {
    /// Information fractions of the looks, increasing, the last equal to 1.
    pub information: Vec<f64>,
    /// One-sided overall alpha.
    pub alpha: f64,
    /// Spending family.
    pub spending: Spending,
    /// Critical Z value at each look: stop for efficacy when Z ≥ it.
    pub efficacy_z: Vec<f64>,
    /// Cumulative alpha spent by each look.
    pub cumulative_alpha: Vec<f64>,
}

/// What an interim look decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// Z crossed the efficacy boundary: stop and claim benefit.
    StopEfficacy,
    /// Z fell below the (non-binding) futility threshold: stop for futility.
    StopFutility,
    /// Go on to the next look.
    Continue,
    /// The final look did not cross: no benefit shown.
    FinalNotSignificant,
}

/// Grid points per look for the recursive integration (odd, for Simpson's rule).
const GRID_POINTS: usize = 1601;
/// The continuation region is truncated this many standard deviations below zero.
const LOWER_SD: f64 = 12.0;

impl GroupSequential {
    /// Efficacy boundaries for looks at `information` fractions spending one-sided `alpha`,
    /// computed by recursive numerical integration of the canonical joint distribution
    /// (Armitage, McPherson & Rowe 1969; Jennison & Turnbull 2000, ch. 19).
    pub fn lan_demets(
        information: &[f64],
        alpha: f64,
        spending: Spending,
    ) -> Result<Self, StatsError> {
        check_prob("alpha", alpha)?;
        if information.is_empty() {
            return Err(StatsError::Empty("no looks"));
        }
        let mut last = 0.0;
        for (row, &t) in information.iter().enumerate() {
            if !(t > last && t <= 1.0) {
                return Err(StatsError::InvalidValue {
                    column: "information",
                    row,
                    value: t,
                    reason: "information fractions must increase within (0, 1]",
                });
            }
            last = t;
        }
        let cumulative: Vec<f64> = information
            .iter()
            .map(|&t| spending.spent(alpha, t))
            .collect();
        // Sub-density of the score S_k = Z_k √t_k over paths that have not stopped, on a grid.
        let mut grid: Vec<f64> = Vec::new();
        let mut density: Vec<f64> = Vec::new();
        let mut efficacy_z = Vec::with_capacity(information.len());
        let mut prev_t = 0.0;
        let mut prev_spent = 0.0;
        for (k, &t) in information.iter().enumerate() {
            let dt = t - prev_t;
            let sd = dt.sqrt();
            let target = cumulative[k] - prev_spent;
            // Probability of first crossing at this look for boundary c (Z scale).
            let crossing = |c: f64| -> f64 {
                let b = c * t.sqrt();
                if k == 0 {
                    normal_sf(b / sd)
                } else {
                    let w = simpson_weights(&grid);
                    grid.iter()
                        .zip(&density)
                        .zip(&w)
                        .map(|((s, f), w)| w * f * normal_sf((b - s) / sd))
                        .sum()
                }
            };
            let c = solve_decreasing(crossing, target);
            efficacy_z.push(c);
            // Propagate the density of continuing paths to this look.
            let upper = c * t.sqrt();
            let lower = -LOWER_SD * t.sqrt();
            let new_grid: Vec<f64> = (0..GRID_POINTS)
                .map(|i| lower + (upper - lower) * i as f64 / (GRID_POINTS - 1) as f64)
                .collect();
            let new_density: Vec<f64> = if k == 0 {
                new_grid.iter().map(|&s| normal_pdf(s / sd) / sd).collect()
            } else {
                let w = simpson_weights(&grid);
                new_grid
                    .iter()
                    .map(|&s_new| {
                        grid.iter()
                            .zip(&density)
                            .zip(&w)
                            .map(|((s, f), w)| w * f * normal_pdf((s_new - s) / sd) / sd)
                            .sum()
                    })
                    .collect()
            };
            grid = new_grid;
            density = new_density;
            prev_t = t;
            prev_spent = cumulative[k];
        }
        Ok(Self {
            information: information.to_vec(),
            alpha,
            spending,
            efficacy_z,
            cumulative_alpha: cumulative,
        })
    }

    /// The decision at look `look` (0-based) given the observed Z (positive = benefit) and an
    /// optional non-binding futility threshold (stop if Z < it at an interim look).
    pub fn decide(
        &self,
        look: usize,
        z: f64,
        futility_z: Option<f64>,
    ) -> Result<Decision, StatsError> {
        let Some(&bound) = self.efficacy_z.get(look) else {
            return Err(StatsError::InvalidArgument {
                name: "look",
                reason: format!("design has {} looks", self.efficacy_z.len()),
            });
        };
        let last = look + 1 == self.efficacy_z.len();
        Ok(if z >= bound {
            Decision::StopEfficacy
        } else if last {
            Decision::FinalNotSignificant
        } else if futility_z.is_some_and(|f| z < f) {
            Decision::StopFutility
        } else {
            Decision::Continue
        })
    }
}

fn normal_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Composite Simpson weights for an equally spaced grid with an odd number of points.
fn simpson_weights(grid: &[f64]) -> Vec<f64> {
    let n = grid.len();
    let h = (grid[n - 1] - grid[0]) / (n - 1) as f64;
    (0..n)
        .map(|i| {
            let m = if i == 0 || i == n - 1 {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            };
            m * h / 3.0
        })
        .collect()
}

/// Root of a decreasing function f(c) = target by bisection on [−10, 40] (Z scale); a target
/// of zero spending gives the top of the bracket (no realistic crossing).
fn solve_decreasing(f: impl Fn(f64) -> f64, target: f64) -> f64 {
    let (mut lo, mut hi) = (-10.0_f64, 40.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-13 {
            break;
        }
    }
    0.5 * (lo + hi)
}
