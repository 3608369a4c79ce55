//! Binary comparisons against R (fixtures/binary.json, made by tests/r/survival_binary.R).

mod common;
use common::*;
use stats::binary::{Count, Stratum, compare, mantel_haenszel_rr, wilson_interval};

#[test]
fn two_by_two_tables_match_r() {
    let fx = fixture("binary.json");
    for case in fx["cases"].as_array().unwrap() {
        let (ea, na, eb, nb) = (
            f(&case["events_a"]) as u64,
            f(&case["n_a"]) as u64,
            f(&case["events_b"]) as u64,
            f(&case["n_b"]) as u64,
        );
        let tag = format!("{ea}/{na} vs {eb}/{nb}");
        let r = compare(ea, na, eb, nb).unwrap();
        close(
            &format!("{tag} rd"),
            r.risk_difference_wald.estimate,
            f(&case["rd"]),
            REL_TOL,
        );
        let wald = vec_f(&case["wald"]);
        close(
            &format!("{tag} wald lo"),
            r.risk_difference_wald.lower,
            wald[0],
            REL_TOL,
        );
        close(
            &format!("{tag} wald hi"),
            r.risk_difference_wald.upper,
            wald[1],
            REL_TOL,
        );
        let nc = vec_f(&case["newcombe"]);
        close(
            &format!("{tag} newcombe lo"),
            r.risk_difference_newcombe.lower,
            nc[0],
            REL_TOL,
        );
        close(
            &format!("{tag} newcombe hi"),
            r.risk_difference_newcombe.upper,
            nc[1],
            REL_TOL,
        );
        let wa = vec_f(&case["wilson_a"]);
        let (lo, hi) = wilson_interval(ea, na, 0.95).unwrap();
        close(&format!("{tag} wilson lo"), lo, wa[0], REL_TOL);
        close(&format!("{tag} wilson hi"), hi, wa[1], REL_TOL);
        for (name, got) in [("rr", r.risk_ratio), ("or", r.odds_ratio)] {
            let want = &case[name];
            match got {
                None => assert!(want.is_null(), "{tag} {name}: got None, R gives {want}"),
                Some(e) => {
                    close(
                        &format!("{tag} {name}"),
                        e.estimate,
                        f(&want["estimate"]),
                        REL_TOL,
                    );
                    close(
                        &format!("{tag} {name} lo"),
                        e.lower,
                        f(&want["lower"]),
                        REL_TOL,
                    );
                    close(
                        &format!("{tag} {name} hi"),
                        e.upper,
                        f(&want["upper"]),
                        REL_TOL,
                    );
                }
            }
        }
        close_opt(
            &format!("{tag} chisq"),
            r.chisq,
            opt(&case["chisq"]),
            REL_TOL,
        );
        close_opt(
            &format!("{tag} chisq p"),
            r.chisq_p,
            opt(&case["chisq_p"]),
            REL_TOL,
        );
        close(
            &format!("{tag} fisher"),
            r.fisher_p,
            f(&case["fisher_p"]),
            REL_TOL,
        );
    }
}

#[test]
fn mantel_haenszel_matches_r_on_ucb_admissions() {
    let fx = fixture("binary.json");
    let mh = &fx["mantel_haenszel"];
    let strata: Vec<Stratum> = mh["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Stratum {
            a: Count::new(f(&s["events_a"]) as u64, f(&s["n_a"]) as u64).unwrap(),
            b: Count::new(f(&s["events_b"]) as u64, f(&s["n_b"]) as u64).unwrap(),
        })
        .collect();
    let r = mantel_haenszel_rr(&strata, 0.95).unwrap();
    let want = &mh["result"];
    close("rr", r.risk_ratio.estimate, f(&want["rr"]), REL_TOL);
    close("lo", r.risk_ratio.lower, f(&want["lower"]), REL_TOL);
    close("hi", r.risk_ratio.upper, f(&want["upper"]), REL_TOL);
    close("se", r.se_log, f(&want["se_log"]), REL_TOL);
    close("p", r.p, f(&want["p"]), REL_TOL);
}

#[test]
fn bad_counts_are_typed_errors() {
    assert!(compare(5, 4, 1, 10).is_err(), "more events than patients");
    assert!(compare(0, 0, 1, 10).is_err(), "empty arm");
    assert!(
        stats::binary::compare_at(1, 10, 1, 10, 1.5).is_err(),
        "level outside (0, 1)"
    );
    let no_events = Stratum {
        a: Count::new(0, 10).unwrap(),
        b: Count::new(0, 10).unwrap(),
    };
    assert!(mantel_haenszel_rr(&[no_events], 0.95).is_err());
    assert!(mantel_haenszel_rr(&[], 0.95).is_err());
}
