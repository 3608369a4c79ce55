//! Ordinal, continuous and design functions against R (`ordinal::clm`, `wilcox.test`,
//! `t.test`, `lm`, `power.prop.test`, `rpact`); fixtures made by tests/r/design_ordinal.R.

mod common;
use common::*;
use stats::continuous::{ancova_change, welch};
use stats::design::{
    Decision, GroupSequential, Spending, schoenfeld_events, schoenfeld_power, two_proportions_n,
    two_proportions_power,
};
use stats::ordinal::{polr, wilcoxon_mann_whitney};

#[test]
fn proportional_odds_matches_clm() {
    for case in fixture("ordinal.json")["polr"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let y = vec_u32(&case["y"]);
        let xs: Vec<Vec<f64>> = case["x"].as_array().unwrap().iter().map(vec_f).collect();
        let cols: Vec<&[f64]> = xs.iter().map(Vec::as_slice).collect();
        let fit = polr(&y, &cols).unwrap();
        for (k, (c, s)) in vec_f(&case["cutpoints"])
            .iter()
            .zip(vec_f(&case["cutpoint_se"]))
            .enumerate()
        {
            close(&format!("{name} zeta[{k}]"), fit.cutpoints[k], *c, REL_TOL);
            close(
                &format!("{name} zeta se[{k}]"),
                fit.cutpoint_se[k],
                s,
                REL_TOL,
            );
        }
        for (k, (c, s)) in vec_f(&case["coef"])
            .iter()
            .zip(vec_f(&case["se"]))
            .enumerate()
        {
            close(&format!("{name} beta[{k}]"), fit.terms[k].coef, *c, REL_TOL);
            close(&format!("{name} se[{k}]"), fit.terms[k].se, s, REL_TOL);
        }
        close(
            &format!("{name} loglik"),
            fit.loglik,
            f(&case["loglik"]),
            REL_TOL,
        );
        // MASS::polr (BFGS, looser) agrees to about 1e-6 absolute.
        if !case["polr_coef"].is_null() {
            for (k, c) in vec_f(&case["polr_coef"]).iter().enumerate() {
                assert!(
                    (fit.terms[k].coef - c).abs() < 1e-5,
                    "{name} polr beta[{k}]"
                );
            }
        }
    }
}

#[test]
fn proportional_odds_rejects_degenerate_outcomes() {
    assert!(
        polr(&[3, 3, 3], &[&[0.0, 1.0, 1.0]]).is_err(),
        "one category"
    );
    assert!(
        polr(&[1, 2, 3], &[&[1.0, 1.0, 1.0]]).is_err(),
        "constant covariate"
    );
    // Complete separation: the arm determines the category.
    assert!(polr(&[1, 1, 1, 2, 2, 2], &[&[0.0, 0.0, 0.0, 1.0, 1.0, 1.0]]).is_err());
    assert!(polr(&[1, 2], &[&[0.0]]).is_err(), "length mismatch");
}

#[test]
fn wilcoxon_matches_wilcox_test() {
    for case in fixture("ordinal.json")["wilcoxon"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let r = wilcoxon_mann_whitney(&vec_f(&case["x"]), &vec_f(&case["y"])).unwrap();
        close(&format!("{name} W"), r.w, f(&case["w"]), REL_TOL);
        close(&format!("{name} p"), r.p, f(&case["p"]), REL_TOL);
    }
    assert!(
        wilcoxon_mann_whitney(&[1.0, 1.0], &[1.0, 1.0]).is_err(),
        "all tied"
    );
    assert!(wilcoxon_mann_whitney(&[], &[1.0]).is_err(), "empty sample");
}

#[test]
fn welch_and_ancova_match_r() {
    let fx = fixture("continuous.json");
    let w = &fx["welch"];
    let r = welch(&vec_f(&w["a"]), &vec_f(&w["b"]), 0.95).unwrap();
    for (what, got, key) in [
        ("est", r.estimate, "estimate"),
        ("lo", r.lower, "lower"),
        ("hi", r.upper, "upper"),
        ("df", r.df, "df"),
        ("t", r.t, "t"),
        ("p", r.p, "p"),
    ] {
        close(&format!("welch {what}"), got, f(&w[key]), REL_TOL);
    }
    let a = &fx["ancova"];
    let treated = vec_bool(&a["treated"]);
    let r = ancova_change(&vec_f(&a["baseline"]), &vec_f(&a["post"]), &treated, 0.95).unwrap();
    for (what, got, key) in [
        ("est", r.estimate, "estimate"),
        ("se", r.se, "se"),
        ("p", r.p, "p"),
        ("lo", r.lower, "lower"),
        ("hi", r.upper, "upper"),
    ] {
        close(&format!("ancova {what}"), got, f(&a[key]), REL_TOL);
    }
    assert!(
        welch(&[1.0, 1.0], &[2.0, 2.0], 0.95).is_err(),
        "both constant"
    );
    assert!(welch(&[1.0], &[2.0, 3.0], 0.95).is_err(), "one observation");
    let all_treated = vec![true; 6];
    assert!(
        ancova_change(
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            &[2.0; 6],
            &all_treated,
            0.95
        )
        .is_err(),
        "empty control arm"
    );
}

#[test]
fn sample_size_and_power_match_r() {
    let fx = fixture("design.json");
    for c in fx["proportions"].as_array().unwrap() {
        let (p1, p2) = (f(&c["p1"]), f(&c["p2"]));
        let n = two_proportions_n(p1, p2, 0.05, f(&c["power"])).unwrap();
        close(&format!("n {p1} {p2}"), n, f(&c["n"]), REL_TOL);
        close(
            &format!("power {p1} {p2}"),
            two_proportions_power(p1, p2, 100.0, 0.05).unwrap(),
            f(&c["power_at_100"]),
            REL_TOL,
        );
        // Round trip: the power at the computed n is the requested power.
        // statrs quantile/CDF round trips agree to about 1e-11.
        close(
            "round trip",
            two_proportions_power(p1, p2, n, 0.05).unwrap(),
            f(&c["power"]),
            1e-9,
        );
    }
    for c in fx["schoenfeld"].as_array().unwrap() {
        let (hr, alloc) = (f(&c["hazard_ratio"]), f(&c["allocation"]));
        let d = schoenfeld_events(hr, 0.05, 0.8, alloc).unwrap();
        close(&format!("events hr={hr}"), d, f(&c["events"]), REL_TOL);
        close(
            "round trip",
            schoenfeld_power(hr, d, 0.05, alloc).unwrap(),
            0.8,
            1e-9,
        );
    }
    assert!(
        two_proportions_n(0.3, 0.3, 0.05, 0.8).is_err(),
        "no difference"
    );
    assert!(schoenfeld_events(1.0, 0.05, 0.8, 0.5).is_err(), "HR 1");
    assert!(schoenfeld_events(0.7, 1.2, 0.8, 0.5).is_err(), "alpha > 1");
}

#[test]
fn lan_demets_boundaries_match_rpact() {
    for c in fixture("design.json")["group_sequential"]
        .as_array()
        .unwrap()
    {
        let spending = if c["spending"] == "asOF" {
            Spending::OBrienFleming
        } else {
            Spending::Pocock
        };
        let info = vec_f(&c["information"]);
        let d = GroupSequential::lan_demets(&info, f(&c["alpha"]), spending).unwrap();
        for (k, (z, a)) in vec_f(&c["critical"])
            .iter()
            .zip(vec_f(&c["cumulative_alpha"]))
            .enumerate()
        {
            close(
                &format!("{spending:?} {info:?} z[{k}]"),
                d.efficacy_z[k],
                *z,
                REL_TOL,
            );
            close(
                &format!("{spending:?} {info:?} alpha[{k}]"),
                d.cumulative_alpha[k],
                a,
                REL_TOL,
            );
        }
    }
}

#[test]
fn interim_decisions_follow_the_boundaries() {
    let d = GroupSequential::lan_demets(&[0.5, 1.0], 0.025, Spending::OBrienFleming).unwrap();
    assert_eq!(d.decide(0, 3.0, Some(0.0)).unwrap(), Decision::StopEfficacy);
    assert_eq!(d.decide(0, 2.0, Some(0.0)).unwrap(), Decision::Continue);
    assert_eq!(
        d.decide(0, -0.5, Some(0.0)).unwrap(),
        Decision::StopFutility
    );
    assert_eq!(
        d.decide(1, 1.5, Some(0.0)).unwrap(),
        Decision::FinalNotSignificant
    );
    assert_eq!(d.decide(1, 2.5, None).unwrap(), Decision::StopEfficacy);
    assert!(d.decide(2, 1.0, None).is_err());
    assert!(
        GroupSequential::lan_demets(&[0.6, 0.4, 1.0], 0.025, Spending::Pocock).is_err(),
        "not increasing"
    );
    assert!(GroupSequential::lan_demets(&[], 0.025, Spending::Pocock).is_err());
}
