//! The report of a synthetic seed trial: content, escaping, determinism, and graceful notes
//! when inputs are missing or broken.

mod fixture;

use fixture::{HOSTILE_PROTOCOL, SEED_PROTOCOL, write_seed_trial};
use std::path::Path;

fn seed_report(protocol: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    write_seed_trial(dir.path(), protocol);
    let path = report::write_report(dir.path()).unwrap();
    let html = std::fs::read_to_string(path).unwrap();
    (dir, html)
}

/// The text of the section with this id.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("<section id=\"{id}\">")).unwrap();
    let end = start + html[start..].find("</section>").unwrap();
    &html[start..end]
}

#[test]
fn seed_trial_report_has_every_section_in_reading_order() {
    let (_dir, html) = seed_report(SEED_PROTOCOL);
    let order = [
        "registry",
        "simulation",
        "consort",
        "baseline",
        "endpoints",
        "km",
        "discharge",
        "who",
        "trajectories",
        "subgroups",
        "safety",
        "supply",
        "replicates",
        "parameters",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|id| html.find(&format!("<section id=\"{id}\">")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]));
    for id in order {
        assert!(
            !section(&html, id).contains("not available"),
            "section {id} should have content:\n{}",
            section(&html, id)
        );
    }
    // Self-contained: no external resource and no script.
    assert!(!html.contains("<script"));
    assert!(!html.contains("src=\"http"));
    assert!(!html.contains("href=\"http"));
    // Figures: 2 KM (OS28, TTRECOV), discharge, WHO bars, 5 trajectories, forest, replicates.
    assert_eq!(html.matches("<svg").count(), 11);
}

#[test]
fn registry_consort_endpoints_and_footer_show_the_inputs() {
    let (_dir, html) = seed_report(SEED_PROTOCOL);
    let registry = section(&html, "registry");
    assert!(registry.contains("<dd>NCT04385043</dd>"));
    assert!(registry.contains("<dd>PHASE2, PHASE3</dd>"));
    assert!(registry.contains("<li>Days since onset &lt;= 14</li>"));
    let consort = section(&html, "consort");
    assert!(consort.contains("Excluded <b>n = 40</b>")); // 28 + 12
    assert!(consort.contains("Randomized<br><b>n = 120</b>"));
    let endpoints = section(&html, "endpoints");
    // Primary first; twin beside the randomized estimate; NR for a missing bound; p floor.
    assert!(endpoints.find("Primary:").unwrap() < endpoints.find("Secondary:").unwrap());
    assert!(
        endpoints.contains(
            "<td><b>-0.067</b></td><td>(-0.210, 0.077)</td><td>0.360</td><td>-0.052</td>"
        )
    );
    assert!(endpoints.contains("(9.0, NR)"));
    assert!(endpoints.contains("<td><b>1.12</b></td><td>(0.73, 1.71)</td>"));
    assert!(endpoints.contains("&lt; 0.001"));
    let footer = &html[html.find("<footer").unwrap()..];
    assert!(footer.contains("0123456789abcdef0123456789abcdef01234567"));
    // The argument with a space is quoted so the command can be pasted back.
    assert!(
        footer.contains("<code>immunotrial run &#39;seed trial.toml&#39; --seed 20200519</code>")
    );
}

#[test]
fn hostile_protocol_text_is_shown_as_text() {
    let (_dir, html) = seed_report(HOSTILE_PROTOCOL);
    assert!(!html.contains("<script"));
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>bold</b>"));
    assert!(html.contains(
        "<title>&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt; Plasma &amp; &quot;Quotes&quot;</title>"
    ));
    assert!(html.contains("A &lt;b&gt;bold&lt;/b&gt; trial &amp; more"));
    assert!(html.contains("age &gt; 18 &amp; &lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("say &quot;hello&quot; &#39;there&#39;"));
}

#[test]
fn the_same_folder_always_gives_the_same_bytes() {
    let (dir, first) = seed_report(SEED_PROTOCOL);
    let second = report::render_folder(dir.path()).unwrap();
    assert_eq!(first, second);
    let (_other, third) = seed_report(SEED_PROTOCOL);
    assert_eq!(first, third);
}

#[test]
fn an_empty_folder_renders_notes_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let html = report::render_folder(dir.path()).unwrap();
    assert_eq!(html.matches("not available in this run").count(), 15);
    assert!(html.contains("<h1>Simulated trial</h1>"));
}

#[test]
fn broken_inputs_are_reported_as_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("summary.json"), "{ not json").unwrap();
    std::fs::write(dir.path().join("protocol.toml"), "[study\nid = ").unwrap();
    std::fs::write(dir.path().join("manifest.json"), "[]").unwrap();
    std::fs::write(dir.path().join("adsl.csv"), "AGE,ARM\n\"unterminated").unwrap();
    let html = report::render_folder(dir.path()).unwrap();
    assert!(html.contains(
        "The protocol (protocol.toml) not available in this run (unreadable: protocol.toml:"
    ));
    assert!(html.contains("<h1>Simulated trial</h1>"));
}

#[test]
fn a_missing_folder_is_an_error() {
    let err = report::render_folder(Path::new("/no/such/results")).unwrap_err();
    assert!(matches!(err, report::ReportError::NotAFolder { .. }));
}

/// Writes a tiny hand-made folder whose statistics are easy to compute by hand.
fn tiny_folder(dir: &Path) {
    // Arm A ages 30, 40, 50, 90 → R: quantile(c(30,40,50,90)) 25% 37.5, 50% 45, 75% 60.
    // Arm B ages 60, 70 → 62.5, 65, 67.5.
    std::fs::write(
        dir.join("adsl.csv"),
        "USUBJID,ARM,TRT01PN,TRT01A,AGE,SEX,ITTFL,SAFFL,HTNFL\n\
         S1,A,1,A,30,F,Y,Y,Y\nS2,A,1,A,40,M,Y,Y,N\nS3,A,1,A,50,F,Y,Y,N\nS4,A,1,A,90,F,Y,Y,Y\n\
         S5,B,2,B,60,M,Y,Y,N\nS6,B,2,B,70,M,Y,Y,Y\nS7,B,2,B,99,M,N,N,Y\n",
    )
    .unwrap();
    // Arm A times 2 (event), 5 (censored), 8 (event), 12 (event): at risk at day 0: 4,
    // day 5: 3 (time ≥ 5), day 10: 1. Median: S drops to 0.75 at 2, 0.375 at 8 → median 8.
    std::fs::write(
        dir.join("adtte.csv"),
        "USUBJID,TRT01P,PARAMCD,PARAM,AVAL,CNSR\n\
         S1,A,OS28,Time to Death,2,0\nS2,A,OS28,Time to Death,5,1\n\
         S3,A,OS28,Time to Death,8,0\nS4,A,OS28,Time to Death,12,0\n\
         S5,B,OS28,Time to Death,3,1\nS6,B,OS28,Time to Death,11,1\n",
    )
    .unwrap();
}

#[test]
fn adverse_events_count_patients_by_worst_grade_over_the_safety_population() {
    let dir = tempfile::tempdir().unwrap();
    tiny_folder(dir.path());
    // S1 has two rash events (mild, then severe and serious), S2 one moderate rash, S5 a mild
    // fever, S7 (not in the safety population) nothing.
    std::fs::write(
        dir.path().join("adae.csv"),
        "USUBJID,TRT01A,AEDECOD,AESEV,AESER\n\
         S1,A,Rash,MILD,N\nS1,A,Rash,SEVERE,Y\nS2,A,Rash,MODERATE,N\nS5,B,Fever,MILD,N\n",
    )
    .unwrap();
    let html = report::render_folder(dir.path()).unwrap();
    let safety = section(&html, "safety");
    assert!(safety.contains("<th>A (n = 4)<br>"));
    assert!(safety.contains("<th>B (n = 2)<br>"));
    let m = |s: &str| format!("<span class=\"muted\">{s}</span>");
    assert!(safety.contains(&format!(
        "<td><b>Any adverse event</b></td><td>2 (50.0%) (3)<br>{}</td><td>1 (50.0%) (1)<br>{}</td>",
        m("0 / 1 / 1 · 1"),
        m("1 / 0 / 0 · 0")
    )));
    assert!(safety.contains(&format!(
        "<td>Rash</td><td>2 (50.0%) (3)<br>{}</td><td>0 (0.0%) (0)<br>{}</td>",
        m("0 / 1 / 1 · 1"),
        m("0 / 0 / 0 · 0")
    )));
}

#[test]
fn table_one_and_numbers_at_risk_match_hand_computation() {
    let dir = tempfile::tempdir().unwrap();
    tiny_folder(dir.path());
    let html = report::render_folder(dir.path()).unwrap();
    let baseline = section(&html, "baseline");
    // S7 is not in the ITT population and is left out (n = 2 in B).
    assert!(baseline.contains("<th>A<br>(n = 4)</th><th>B<br>(n = 2)</th>"));
    assert!(
        baseline
            .contains("<td>Age, years, median (IQR)</td><td>45 (38–60)</td><td>65 (62–68)</td>")
    );
    assert!(baseline.contains("<td>Female, n (%)</td><td>3 (75.0%)</td><td>0 (0.0%)</td>"));
    assert!(baseline.contains("<td>Hypertension, n (%)</td><td>2 (50.0%)</td><td>1 (50.0%)</td>"));
    let km = section(&html, "km");
    // Weekly x ticks over 0–12 days: 0, 7, 14. At risk (time ≥ t): A {2,5,8,12} → 4, 2, 0;
    // B {3,11} → 2, 1, 0.
    assert!(km.contains("<th>day 0</th><th>day 7</th><th>day 14</th><th>Median"));
    assert!(km.contains("<td>A</td><td>4</td><td>2</td><td>0</td><td>8.0 ("));
    assert!(km.contains("<td>B</td><td>2</td><td>1</td><td>0</td><td>NR ("));
}

#[test]
fn subgroups_of_different_endpoints_get_their_own_forest_plots() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("summary.json"),
        r#"{"subgroups": [
            {"endpoint": "MORT28", "measure": "risk_ratio", "subgroup": "Age", "level": "< 65", "n": 10, "estimate": 0.5, "ci": [0.25, 1.0]},
            {"endpoint": "WHO15", "measure": "mean_difference", "subgroup": "Age", "level": "< 65", "n": 10, "estimate": -1.0, "ci": [-2.0, null]},
            {"endpoint": "MORT28", "measure": "risk_ratio", "subgroup": "Age", "level": ">= 65", "n": 12, "estimate": 2.0, "ci": [1.0, 4.0]}
        ]}"#,
    )
    .unwrap();
    let html = report::render_folder(dir.path()).unwrap();
    let forest = section(&html, "subgroups");
    assert_eq!(forest.matches("<svg").count(), 2);
    let ratio = forest.find("<h3>MORT28: Risk ratio</h3>").unwrap();
    let difference = forest.find("<h3>WHO15: Mean difference</h3>").unwrap();
    assert!(ratio < difference);
    // Ratios on a log axis symmetric about 1 (0.25 … 4), differences on a linear one with 0.
    let ratio_plot = &forest[ratio..difference];
    assert!(ratio_plot.contains(">0.50</text>") && ratio_plot.contains(">2.00</text>"));
    assert_eq!(ratio_plot.matches("<rect").count(), 2);
    let difference_plot = &forest[difference..];
    assert!(
        difference_plot.contains(">0.0</text>") && difference_plot.contains("-1.000 (-2.000, NR)")
    );
    // No twin effect given: no diamond and no twin legend entry.
    assert!(!forest.contains(": twin "));
    assert!(!forest.contains("Twin (true) effect</span>"));
}

#[test]
fn forest_rows_show_n_per_arm_and_the_twin_effect_beside_the_estimate() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("summary.json"),
        r#"{"subgroups": [
            {"endpoint": "death_d28", "measure": "risk_difference", "subgroup": "Age", "level": "< 65 years",
             "n": 30, "n_arm": 14, "n_reference": 16, "arm": "Plasma", "reference_arm": "Standard",
             "estimate": -0.1, "ci": [-0.3, 0.1], "twin_estimate": -0.04}
        ]}"#,
    )
    .unwrap();
    let html = report::render_folder(dir.path()).unwrap();
    let forest = section(&html, "subgroups");
    assert!(forest.contains("<h3>death_d28: Risk difference, Plasma vs Standard</h3>"));
    assert!(forest.contains("Age: &lt; 65 years (n = 14 / 16)"));
    assert!(forest.contains("-0.100 (-0.300, 0.100) · twin -0.040"));
    assert_eq!(forest.matches(": twin -0.040").count(), 1);
    assert!(forest.contains("Twin (true) effect</span>"));
}

#[test]
fn nonsense_values_in_datasets_give_notes_or_are_skipped_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    tiny_folder(dir.path());
    // A negative time: the Kaplan–Meier estimator refuses it and the section says so.
    std::fs::write(
        dir.path().join("adtte.csv"),
        "USUBJID,TRT01P,PARAMCD,PARAM,AVAL,CNSR\nS1,A,OS28,Death,-3,0\nS2,A,OS28,Death,NaN,0\n\
         S3,A,TTDISCH,Discharge,inf,0\n",
    )
    .unwrap();
    // Scores outside 0–10, non-numeric days, huge lab values.
    std::fs::write(
        dir.path().join("adcps.csv"),
        "TRT01P,ADY,AVAL\nA,1,42\nA,x,3\nB,1,-1\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("adlb.csv"),
        "USUBJID,TRT01P,PARAMCD,PARAM,ADY,AVAL,ABLFL\nS1,A,IL6,IL-6,1,1e308,Y\nS2,A,IL6,IL-6,1,-1e308,Y\n",
    )
    .unwrap();
    let html = report::render_folder(dir.path()).unwrap();
    assert!(section(&html, "km").contains("Kaplan–Meier not available in this run ("));
    assert!(section(&html, "discharge").contains("not available"));
    assert!(section(&html, "who").contains("not available"));
    assert!(section(&html, "trajectories").contains("<svg"));
}
