//! The few distribution functions the analyses need, as thin wrappers over `statrs`.
//!
//! Tail probabilities are computed directly (`sf`) rather than as `1 - cdf`, so small p-values
//! keep their relative precision.

use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};

fn std_normal() -> Normal {
    // Mean 0, sd 1 are valid parameters: construction cannot fail.
    Normal::standard()
}

/// Standard normal CDF Φ(z).
pub fn normal_cdf(z: f64) -> f64 {
    std_normal().cdf(z)
}

/// Standard normal upper tail 1 − Φ(z).
pub fn normal_sf(z: f64) -> f64 {
    std_normal().sf(z)
}

/// Standard normal quantile Φ⁻¹(p).
pub fn normal_quantile(p: f64) -> f64 {
    std_normal().inverse_cdf(p)
}

/// Two-sided critical value z_{1−(1−level)/2} for a confidence level such as 0.95.
pub fn z_two_sided(level: f64) -> f64 {
    normal_quantile(0.5 + level / 2.0)
}

/// Two-sided normal p-value for a z statistic: 2(1 − Φ(|z|)).
pub fn normal_p_two_sided(z: f64) -> f64 {
    2.0 * normal_sf(z.abs())
}

/// Upper tail of the chi-square distribution with `df` degrees of freedom.
/// Returns NaN when `df` is not positive.
pub fn chisq_sf(x: f64, df: f64) -> f64 {
    match ChiSquared::new(df) {
        Ok(d) if x > 0.0 => d.sf(x),
        Ok(_) => 1.0,
        Err(_) => f64::NAN,
    }
}

/// Upper tail of Student's t with `df` degrees of freedom. NaN when `df` is not positive.
pub fn t_sf(t: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => d.sf(t),
        Err(_) => f64::NAN,
    }
}

/// Quantile of Student's t with `df` degrees of freedom. NaN when `df` is not positive.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    match StudentsT::new(0.0, 1.0, df) {
        Ok(d) => d.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// Natural log of the gamma function.
pub fn ln_gamma(x: f64) -> f64 {
    statrs::function::gamma::ln_gamma(x)
}
