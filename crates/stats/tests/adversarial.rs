//! Edge cases every estimator must survive with a typed error or a known closed-form answer.

use stats::StatsError;
use stats::survival::{Ties, cox, kaplan_meier, logrank, rmst_difference};

#[test]
fn kaplan_meier_closed_forms() {
    // No censoring: S(t) is the empirical survival function; times 1, 2, 2, 4.
    let km = kaplan_meier(&[1.0, 2.0, 2.0, 4.0], &[true, true, true, true]).unwrap();
    assert_eq!(km.survival, vec![0.75, 0.25, 0.0]);
    assert_eq!(km.time, vec![1.0, 2.0, 4.0]);
    assert_eq!(km.median().estimate, Some(2.0));
    assert_eq!(km.survival_at(3.0), 0.25);
    assert_eq!(km.n_risk_at(2.0), 3);
    assert_eq!(km.n_risk_at(5.0), 0);
    // Curve reaching 0: limits undefined there, not NaN.
    assert_eq!(km.lower[2], None);
    // RMST up to 4 of that step function: 1 + 0.75 + 0.25·2 = 2.25.
    assert!((km.rmst(4.0).unwrap().estimate - 2.25).abs() < 1e-15);
    // Everyone censored: S = 1, median not reached, RMST = τ with zero variance.
    let km = kaplan_meier(&[3.0, 5.0], &[false, false]).unwrap();
    assert_eq!(km.median().estimate, None);
    let r = km.rmst(4.0).unwrap();
    assert_eq!((r.estimate, r.std_err), (4.0, 0.0));
}

#[test]
fn kaplan_meier_rejects_bad_input() {
    assert!(matches!(kaplan_meier(&[], &[]), Err(StatsError::Empty(_))));
    assert!(matches!(
        kaplan_meier(&[1.0, -1.0], &[true, true]),
        Err(StatsError::InvalidValue { row: 1, .. })
    ));
    assert!(matches!(
        kaplan_meier(&[1.0, f64::NAN], &[true, true]),
        Err(StatsError::InvalidValue { row: 1, .. })
    ));
    assert!(matches!(
        kaplan_meier(&[1.0], &[true, true]),
        Err(StatsError::LengthMismatch { .. })
    ));
    assert!(kaplan_meier(&[1.0], &[true]).unwrap().rmst(0.0).is_err());
}

#[test]
fn logrank_degenerate_designs() {
    let t = [1.0, 2.0, 3.0, 4.0];
    // One group only (the other arm empty).
    assert!(logrank(&t, &[true; 4], &[0, 0, 0, 0], None).is_err());
    // No events at all: zero variance.
    assert!(matches!(
        logrank(&t, &[false; 4], &[0, 1, 0, 1], None),
        Err(StatsError::NotEstimable(_))
    ));
    // Identical arms by construction: O = E and χ² = 0.
    let r = logrank(&[1.0, 1.0, 2.0, 2.0], &[true; 4], &[0, 1, 0, 1], None).unwrap();
    assert!(r.chisq.abs() < 1e-15 && (r.p - 1.0).abs() < 1e-12);
    assert!(
        logrank(&t, &[true; 4], &[0, 1], None).is_err(),
        "length mismatch"
    );
}

#[test]
fn cox_degenerate_designs() {
    let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let x = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0];
    assert!(
        matches!(
            cox::fit(&t, &[false; 6], &[&x], Ties::Efron),
            Err(StatsError::NotEstimable(_))
        ),
        "all censored"
    );
    assert!(
        cox::fit(&t, &[true; 6], &[&[2.0; 6]], Ties::Efron).is_err(),
        "constant covariate"
    );
    assert!(
        cox::fit(&t, &[true; 6], &[&x, &x], Ties::Breslow).is_err(),
        "collinear covariates"
    );
    assert!(
        cox::fit(&t, &[true; 6], &[], Ties::Efron).is_err(),
        "no covariates"
    );
    // Monotone likelihood: every event in the x = 1 group happens before any in x = 0.
    let sep_x = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0];
    assert!(
        cox::fit(&t, &[true; 6], &[&sep_x], Ties::Efron).is_err(),
        "β → ∞ must not be reported as a fit"
    );
}

#[test]
fn cox_single_binary_covariate_score_test_equals_logrank() {
    // A textbook identity: with one binary covariate and no ties, the Cox score test is the
    // log-rank statistic.
    let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
    let e = [
        true, false, true, true, true, false, true, true, false, true,
    ];
    let g = [0u32, 1, 0, 1, 1, 0, 0, 1, 1, 0];
    let x: Vec<f64> = g.iter().map(|&v| v as f64).collect();
    let fit = cox::fit(&t, &e, &[&x], Ties::Efron).unwrap();
    let lr = logrank(&t, &e, &g, None).unwrap();
    assert!(
        (fit.score.chisq - lr.chisq).abs() < 1e-12 * lr.chisq,
        "{} vs {}",
        fit.score.chisq,
        lr.chisq
    );
}

#[test]
fn rmst_difference_of_identical_arms_is_zero() {
    let t = [1.0, 2.0, 3.0, 1.0, 2.0, 3.0];
    let e = [true, false, true, true, false, true];
    let a = [true, true, true, false, false, false];
    let d = rmst_difference(&t, &e, &a, 3.0, 0.95).unwrap();
    assert_eq!(d.difference, 0.0);
    assert!(
        rmst_difference(&t, &e, &[true; 6], 3.0, 0.95).is_err(),
        "one arm empty"
    );
}
