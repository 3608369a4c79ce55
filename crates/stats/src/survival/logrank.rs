//! The log-rank test for k groups, optionally stratified (as R's `survival::survdiff`, rho = 0).

use serde::Serialize;

use crate::dist::chisq_sf;
use crate::error::{StatsError, check_times, same_len};
use crate::linalg::{SquareMatrix, cholesky, inverse_quadratic_form};

/// Result of a (stratified) log-rank test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogRank {
    /// Group labels, increasing; the vectors below follow this order.
    pub groups: Vec<u32>,
    /// Patients per group.
    pub n: Vec<u64>,
    /// Observed events per group.
    pub observed: Vec<f64>,
    /// Expected events per group under the null (summed over strata).
    pub expected: Vec<f64>,
    /// Hypergeometric variance matrix of O − E (k × k, summed over strata).
    pub variance: SquareMatrix,
    /// Chi-square statistic (O − E)ᵀ V⁻ (O − E) on the first k − 1 groups.
    pub chisq: f64,
    /// Degrees of freedom, k − 1.
    pub df: usize,
    /// Upper-tail p-value.
    pub p: f64,
}

/// Log-rank test of equal survival across `group`s, within `strata` if given.
pub fn logrank(
    time: &[f64],
    event: &[bool],
    group: &[u32],
    strata: Option<&[u32]>,
) -> Result<LogRank, StatsError> {
    let n = time.len();
    same_len("event", n, event.len())?;
    same_len("group", n, group.len())?;
    if let Some(s) = strata {
        same_len("strata", n, s.len())?;
    }
    check_times("time", time)?;
    let mut groups: Vec<u32> = group.to_vec();
    groups.sort_unstable();
    groups.dedup();
    let k = groups.len();
    if k < 2 {
        return Err(StatsError::NotEstimable(format!(
            "the log-rank test needs at least two groups, found {k}"
        )));
    }
    let gidx: Vec<usize> = group
        .iter()
        .map(|g| groups.binary_search(g).unwrap_or(0))
        .collect();

    // Sort by (stratum, time) so each stratum is one contiguous run.
    let stratum_of = |i: usize| strata.map_or(0, |s| s[i]);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| {
        stratum_of(i)
            .cmp(&stratum_of(j))
            .then(time[i].total_cmp(&time[j]))
    });

    let mut count = vec![0u64; k];
    let mut observed = vec![0.0; k];
    let mut expected = vec![0.0; k];
    let mut variance = SquareMatrix::zeros(k);
    for &i in &order {
        count[gidx[i]] += 1;
    }
    let mut start = 0;
    while start < n {
        let s = stratum_of(order[start]);
        let mut end = start;
        while end < n && stratum_of(order[end]) == s {
            end += 1;
        }
        let mut at_risk = vec![0.0; k];
        for &i in &order[start..end] {
            at_risk[gidx[i]] += 1.0;
        }
        let mut i = start;
        while i < end {
            let t = time[order[i]];
            let mut deaths = vec![0.0; k];
            let mut leaving = vec![0.0; k];
            while i < end && time[order[i]] == t {
                let g = gidx[order[i]];
                if event[order[i]] {
                    deaths[g] += 1.0;
                }
                leaving[g] += 1.0;
                i += 1;
            }
            let d: f64 = deaths.iter().sum();
            let r: f64 = at_risk.iter().sum();
            if d > 0.0 {
                let tie_factor = if r > 1.0 {
                    d * (r - d) / (r * r * (r - 1.0))
                } else {
                    0.0
                };
                for a in 0..k {
                    observed[a] += deaths[a];
                    expected[a] += d * at_risk[a] / r;
                    for b in 0..k {
                        let kron = if a == b { at_risk[a] * r } else { 0.0 };
                        *variance.at(a, b) += tie_factor * (kron - at_risk[a] * at_risk[b]);
                    }
                }
            }
            for g in 0..k {
                at_risk[g] -= leaving[g];
            }
        }
        start = end;
    }
    let m = k - 1;
    let mut v = SquareMatrix::zeros(m);
    for a in 0..m {
        for b in 0..m {
            *v.at(a, b) = variance.get(a, b);
        }
    }
    let diff: Vec<f64> = (0..m).map(|a| observed[a] - expected[a]).collect();
    let l = cholesky(&v).ok_or_else(|| StatsError::NotEstimable("the log-rank variance is singular (no events, or a group never at risk at an event time)".into()))?;
    let chisq = inverse_quadratic_form(&l, &diff);
    Ok(LogRank {
        groups,
        n: count,
        observed,
        expected,
        variance,
        chisq,
        df: m,
        p: chisq_sf(chisq, m as f64),
    })
}
