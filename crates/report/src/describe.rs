//! Descriptive statistics for tables and trajectories.

/// The p-quantile of sorted finite values by linear interpolation between order statistics
/// (Hyndman & Fan 1996 type 7, R's default `quantile`). `None` when empty.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Median and quartiles (type 7) of finite values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quartiles {
    /// 25th percentile.
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// 75th percentile.
    pub q3: f64,
}

/// Quartiles of the finite values; `None` when there are none.
pub fn quartiles(values: &[f64]) -> Option<Quartiles> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    Some(Quartiles {
        q1: quantile_sorted(&v, 0.25)?,
        median: quantile_sorted(&v, 0.5)?,
        q3: quantile_sorted(&v, 0.75)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_match_r_type_7() {
        // R: quantile(c(1, 2, 4, 7, 11), c(.25, .5, .75)) → 2 4 7
        let q = quartiles(&[11.0, 2.0, 7.0, 1.0, 4.0]).unwrap();
        assert_eq!((q.q1, q.median, q.q3), (2.0, 4.0, 7.0));
        // R: quantile(c(1, 2, 3, 10), c(.25, .5, .75)) → 1.75 2.50 4.75
        let q = quartiles(&[1.0, 2.0, 3.0, 10.0]).unwrap();
        assert_eq!((q.q1, q.median, q.q3), (1.75, 2.5, 4.75));
        assert!(quartiles(&[f64::NAN]).is_none());
    }
}
