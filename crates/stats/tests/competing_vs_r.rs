//! Competing risks against R's `cmprsk` (`cuminc`, `timepoints`, `crr`) on `survival::mgus2`:
//! progression to plasma-cell malignancy (1) with death (2) competing. Fixture made by
//! tests/r/design_ordinal.R.

mod common;
use common::*;
use stats::survival::{aalen_johansen, fine_gray};

#[test]
fn cumulative_incidence_matches_cuminc() {
    let fx = fixture("competing.json");
    let time = vec_f(&fx["time"]);
    let status = vec_u32(&fx["status"]);
    let times = vec_f(&fx["cif_times"]);
    for (cause, key) in [(1, "cif_1"), (2, "cif_2")] {
        let ci = aalen_johansen(&time, &status, cause).unwrap();
        for (t, want) in times.iter().zip(vec_f(&fx[key])) {
            close(&format!("cause {cause} CIF({t})"), ci.at(*t), want, REL_TOL);
        }
    }
    let ci = aalen_johansen(&time, &status, 1).unwrap();
    for (t, want) in times.iter().zip(vec_f(&fx["cif_var_1"])) {
        close(&format!("var CIF({t})"), ci.variance_at(*t), want, REL_TOL);
    }
}

#[test]
fn fine_gray_matches_crr() {
    let fx = fixture("competing.json");
    let time = vec_f(&fx["time"]);
    let status = vec_u32(&fx["status"]);
    let (age, male) = (vec_f(&fx["age"]), vec_f(&fx["male"]));
    for (cause, key) in [(1, "fine_gray_1"), (2, "fine_gray_2")] {
        let fit = fine_gray(&time, &status, cause, &[&age, &male]).unwrap();
        for (k, want) in vec_f(&fx[key]["coef"]).iter().enumerate() {
            close(
                &format!("cause {cause} coef[{k}]"),
                fit.terms[k].coef,
                *want,
                REL_TOL,
            );
        }
        close(
            &format!("cause {cause} loglik"),
            fit.loglik,
            f(&fx[key]["loglik"]),
            REL_TOL,
        );
    }
}

#[test]
fn competing_risks_adversarial_inputs() {
    // No competing events at all: the cumulative incidence is 1 − Kaplan–Meier.
    let time = [1.0, 2.0, 2.0, 3.0, 4.0];
    let status = [1, 0, 1, 1, 0];
    let ci = aalen_johansen(&time, &status, 1).unwrap();
    // KM by hand: S(1) = 4/5; at t = 2 four at risk, one event: × 3/4; at t = 3 two at risk: × 1/2.
    let s3 = 0.8 * 0.75 * 0.5;
    assert!((ci.at(3.5) - (1.0 - s3)).abs() < 1e-15, "{}", ci.at(3.5));
    // All censored: incidence stays 0; Fine–Gray has nothing to fit.
    let ci = aalen_johansen(&time, &[0, 0, 0, 0, 0], 1).unwrap();
    assert_eq!(ci.at(10.0), 0.0);
    assert!(fine_gray(&time, &[0, 0, 0, 0, 0], 1, &[&[1.0, 0.0, 1.0, 0.0, 1.0]]).is_err());
    assert!(
        aalen_johansen(&time, &status, 0).is_err(),
        "cause 0 is censoring"
    );
    assert!(aalen_johansen(&[-1.0], &[1], 1).is_err(), "negative time");
}
