//! The report of a results folder written by the real engine: every section whose data the
//! engine writes has content (the summary parses, datasets are found by the engine's names).

mod engine;

/// The text of the section with this id.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("<section id=\"{id}\">")).unwrap();
    let end = start + html[start..].find("</section>").unwrap();
    &html[start..end]
}

#[test]
fn report_of_a_real_run_has_every_section_the_engine_feeds() {
    let dir = tempfile::tempdir().unwrap();
    engine::run_seed_trial(dir.path(), 40);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    let html = report::render_folder(dir.path()).unwrap();
    assert!(
        !html.contains("summary.json: "),
        "summary.json is unreadable"
    );
    let sections = [
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
        "parameters",
    ];
    for id in sections {
        assert!(
            !section(&html, id).contains("not available"),
            "section {id} should have content:\n{}",
            section(&html, id)
        );
    }
    // Replicates: the seed protocol runs one trial, so the summary has none.
    assert!(summary["replicates"].is_null());
    assert!(section(&html, "replicates").contains("not available"));
    // The engine's numbers reach the page: screened and randomized from the CONSORT counts,
    // the primary endpoint's risk difference, and the serious-event counts of the safety rows.
    let consort = section(&html, "consort");
    let screened = summary["consort"]["screened"].as_u64().unwrap();
    assert!(
        consort.contains(&format!("<b>n = {screened}</b>")),
        "{consort}"
    );
    assert!(consort.contains("Randomized<br><b>n = 40</b>"), "{consort}");
    let primary = summary["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["primary"] == true)
        .unwrap();
    let rd = primary["comparisons"][0]["estimate"].as_f64().unwrap();
    assert!(
        section(&html, "endpoints").contains(&format!("<b>{rd:.3}</b>")),
        "risk difference {rd:.3}"
    );
    let safety = section(&html, "safety");
    for row in summary["safety"].as_array().unwrap() {
        let cells = format!(
            "<td>{}</td><td>{}</td><td>{}</td>",
            row["n_patients"], row["n_events"], row["serious"]
        );
        assert!(safety.contains(&cells), "{cells} missing from\n{safety}");
    }
    // Subgroups: one forest row per subgroup level, each with its twin (true) effect.
    let forest = section(&html, "subgroups");
    let levels = summary["subgroups"].as_array().unwrap();
    assert!(levels.len() >= 9, "{levels:?}");
    for g in levels {
        let label = format!(
            "{}: {} (n = {} / {})",
            g["subgroup"].as_str().unwrap(),
            g["level"].as_str().unwrap(),
            g["n_arm"],
            g["n_reference"]
        );
        assert!(forest.contains(&report::html::esc(&label)), "{label}");
    }
    let twins = levels
        .iter()
        .filter(|g| g["twin_estimate"].is_f64())
        .count();
    assert_eq!(forest.matches(": twin ").count(), twins);
    // Supply: the plan for the 20 patients on plasma and the delivered dose.
    let supply = section(&html, "supply");
    let plan = &summary["supply"]["regimens"][0];
    assert_eq!(plan["patients"], 20);
    assert!(
        supply.contains("<dt>Patients on plasma</dt><dd>20</dd>"),
        "{supply}"
    );
    let units = plan["units_needed"].as_f64().unwrap();
    assert!(supply.contains(&format!("<dt>Units needed</dt><dd>{units:.0}</dd>")));
    let median = summary["supply"]["delivered_id50_ml"]["median"]
        .as_f64()
        .unwrap();
    assert!(supply.contains(&format!("<dd>{median:.0} (")), "{supply}");
    // Discharge with death as a competing event: the Fine–Gray ratio and each arm's cumulative
    // incidence reach the endpoints section.
    let discharge = summary["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| !e["competing_risks"].is_null())
        .expect("the seed protocol has a discharge time-to-event endpoint");
    let endpoints = section(&html, "endpoints");
    assert!(endpoints.contains("With death as a competing event"));
    let cr = &discharge["competing_risks"];
    let shr = cr["comparisons"][0]["estimate"].as_f64().unwrap();
    assert!(endpoints.contains("Subdistribution hazard ratio"));
    assert!(
        endpoints.contains(&format!("<b>{shr:.2}</b>")),
        "sHR {shr:.2}"
    );
    for arm in cr["arms"].as_array().unwrap() {
        let cif = arm["estimate"].as_f64().unwrap();
        assert!(endpoints.contains(&format!("{cif:.3}")), "CIF {cif:.3}");
    }
}
