//! Kaplan–Meier, log-rank and Cox against R's `survival` (fixtures made by
//! tests/r/survival_binary.R).

mod common;
use common::*;
use serde_json::Value;
use stats::survival::{CiTransform, CoxOptions, Ties, cox, kaplan_meier_with, logrank};

fn transform(name: &str) -> CiTransform {
    match name {
        "log-log" => CiTransform::LogLog,
        "log" => CiTransform::Log,
        "plain" => CiTransform::Plain,
        other => panic!("unknown transform {other}"),
    }
}

#[test]
fn kaplan_meier_matches_survfit() {
    for case in fixture("km.json").as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let time = vec_f(&case["time_in"]);
        let status = vec_bool(&case["status_in"]);
        let km = kaplan_meier_with(
            &time,
            &status,
            0.95,
            transform(case["conf_type"].as_str().unwrap()),
        )
        .unwrap();
        assert_eq!(km.time, vec_f(&case["time"]), "{name} times");
        let counts = |v: &Value| vec_f(v).into_iter().map(|x| x as u64).collect::<Vec<_>>();
        assert_eq!(km.n_risk, counts(&case["n_risk"]), "{name} n.risk");
        assert_eq!(km.n_event, counts(&case["n_event"]), "{name} n.event");
        assert_eq!(km.n_censor, counts(&case["n_censor"]), "{name} n.censor");
        let (surv, se) = (vec_f(&case["surv"]), vec_opt(&case["std_err"]));
        let (lower, upper) = (vec_opt(&case["lower"]), vec_opt(&case["upper"]));
        for k in 0..km.time.len() {
            close(
                &format!("{name} surv[{k}]"),
                km.survival[k],
                surv[k],
                REL_TOL,
            );
            if let Some(s) = se[k] {
                close(&format!("{name} se[{k}]"), km.std_err_log[k], s, REL_TOL);
            }
            close_opt(
                &format!("{name} lower[{k}]"),
                km.lower[k],
                lower[k],
                REL_TOL,
            );
            close_opt(
                &format!("{name} upper[{k}]"),
                km.upper[k],
                upper[k],
                REL_TOL,
            );
        }
        for (label, p) in [("median", 0.5), ("q25", 0.25)] {
            let want = vec_opt(&case[label]);
            let q = km.quantile(p);
            close_opt(&format!("{name} {label}"), q.estimate, want[0], REL_TOL);
            close_opt(&format!("{name} {label} lower"), q.lower, want[1], REL_TOL);
            close_opt(&format!("{name} {label} upper"), q.upper, want[2], REL_TOL);
        }
        if !case["rmst"].is_null() {
            let r = km.rmst(f(&case["rmst"]["tau"])).unwrap();
            close(
                &format!("{name} rmst"),
                r.estimate,
                f(&case["rmst"]["estimate"]),
                REL_TOL,
            );
            close(
                &format!("{name} rmst se"),
                r.std_err,
                f(&case["rmst"]["se"]),
                REL_TOL,
            );
        }
    }
}

#[test]
fn logrank_matches_survdiff() {
    for case in fixture("logrank.json").as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let strata = (!case["strata"].is_null()).then(|| vec_u32(&case["strata"]));
        let r = logrank(
            &vec_f(&case["time"]),
            &vec_bool(&case["status"]),
            &vec_u32(&case["group"]),
            strata.as_deref(),
        )
        .unwrap();
        for (k, (o, e)) in vec_f(&case["observed"])
            .iter()
            .zip(vec_f(&case["expected"]))
            .enumerate()
        {
            close(&format!("{name} O[{k}]"), r.observed[k], *o, REL_TOL);
            close(&format!("{name} E[{k}]"), r.expected[k], e, REL_TOL);
        }
        close(
            &format!("{name} chisq"),
            r.chisq,
            f(&case["chisq"]),
            REL_TOL,
        );
        assert_eq!(r.df as f64, f(&case["df"]), "{name} df");
        close(&format!("{name} p"), r.p, f(&case["p"]), REL_TOL);
    }
}

#[test]
fn cox_matches_coxph() {
    for case in fixture("cox.json").as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let ties = if case["ties"] == "efron" {
            Ties::Efron
        } else {
            Ties::Breslow
        };
        let covs: Vec<Vec<f64>> = case["covariates"]
            .as_array()
            .unwrap()
            .iter()
            .map(vec_f)
            .collect();
        let cols: Vec<&[f64]> = covs.iter().map(|c| c.as_slice()).collect();
        let strata = (!case["strata"].is_null()).then(|| vec_u32(&case["strata"]));
        let opts = CoxOptions {
            ties,
            strata: strata.as_deref(),
            level: 0.95,
        };
        let fit = cox::fit_with(
            &vec_f(&case["time"]),
            &vec_bool(&case["status"]),
            &cols,
            &opts,
        )
        .unwrap();
        let (coef, se, p) = (vec_f(&case["coef"]), vec_f(&case["se"]), vec_f(&case["p"]));
        let (lo, hi) = (vec_f(&case["hr_lower"]), vec_f(&case["hr_upper"]));
        for (k, term) in fit.terms.iter().enumerate() {
            close(&format!("{name} coef[{k}]"), term.coef, coef[k], REL_TOL);
            close(&format!("{name} se[{k}]"), term.se, se[k], REL_TOL);
            close(&format!("{name} p[{k}]"), term.p, p[k], REL_TOL);
            close(&format!("{name} lo[{k}]"), term.hr_lower, lo[k], REL_TOL);
            close(&format!("{name} hi[{k}]"), term.hr_upper, hi[k], REL_TOL);
        }
        let loglik = vec_f(&case["loglik"]);
        close(
            &format!("{name} loglik0"),
            fit.loglik_null,
            loglik[0],
            REL_TOL,
        );
        close(&format!("{name} loglik"), fit.loglik, loglik[1], REL_TOL);
        close(
            &format!("{name} wald"),
            fit.wald.chisq,
            f(&case["wald"]),
            REL_TOL,
        );
        close(
            &format!("{name} lr"),
            fit.likelihood_ratio.chisq,
            f(&case["lr"]),
            REL_TOL,
        );
        close(
            &format!("{name} score"),
            fit.score.chisq,
            f(&case["score"]),
            REL_TOL,
        );
    }
}

#[test]
fn rmst_difference_combines_the_arms_r_reports() {
    let fx = fixture("km.json");
    let arm = |name: &str| {
        fx.as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
            .clone()
    };
    let (male, female) = (arm("lung-male"), arm("lung-female"));
    let mut time = vec_f(&male["time_in"]);
    let mut event = vec_bool(&male["status_in"]);
    let mut in_a = vec![true; time.len()];
    time.extend(vec_f(&female["time_in"]));
    event.extend(vec_bool(&female["status_in"]));
    in_a.resize(time.len(), false);
    let d = stats::survival::rmst_difference(&time, &event, &in_a, 500.0, 0.95).unwrap();
    let (rm, rf) = (&male["rmst"], &female["rmst"]);
    close(
        "difference",
        d.difference,
        f(&rm["estimate"]) - f(&rf["estimate"]),
        REL_TOL,
    );
    close("se", d.se, f(&rm["se"]).hypot(f(&rf["se"])), REL_TOL);
}
