//! Tables: baseline characteristics by arm (Table 1), endpoints with the twin effect, adverse
//! events, plasma supply.

use crate::describe::quartiles;
use crate::html::{count_pct, esc, fixed, interval, not_available, opt, p_value, table};
use crate::inputs::{Inputs, Row, Table};
use crate::study::not_available_input;
use crate::summary::{ArmEstimate, Comparison, EndpointKind, is_ratio, measure_text};
use crate::{ArmList, lab};
use std::collections::BTreeMap;
use std::fmt::Write;

/// ADSL comorbidity flags shown in Table 1, with their labels.
const COMORBIDITIES: [(&str, &str); 7] = [
    ("HTNFL", "Hypertension"),
    ("DIABFL", "Diabetes"),
    ("OBESFL", "Obesity (BMI ≥ 30)"),
    ("CLDFL", "Chronic lung disease"),
    ("IMSUPFL", "Immunosuppression"),
    ("CVDFL", "Cardiovascular disease"),
    ("CKDFL", "Chronic kidney disease"),
];

/// Whether an ADSL row belongs to the randomized (intention-to-treat) population; all rows
/// count when the flag column is absent.
fn in_itt(row: &Row) -> bool {
    row.text("ITTFL").is_none_or(|f| f == "Y")
}

fn median_iqr(values: &[f64], decimals: usize) -> String {
    match quartiles(values) {
        Some(q) => format!(
            "{} ({}–{})",
            fixed(q.median, decimals),
            fixed(q.q1, decimals),
            fixed(q.q3, decimals)
        ),
        None => "NR".to_owned(),
    }
}

/// Table 1: baseline characteristics by arm (ITT population).
pub fn baseline(inputs: &Inputs, arms: &ArmList) -> String {
    let Some(adsl) = inputs.adsl.get() else {
        return not_available_input("Baseline characteristics (ADSL)", &inputs.adsl);
    };
    if arms.is_empty() {
        return not_available("Baseline characteristics by arm (no arms in ADSL)");
    }
    // Subjects by arm, and the arm of each subject (for ADLB baselines).
    let mut by_arm: Vec<Vec<Row>> = vec![Vec::new(); arms.len()];
    let mut arm_of: BTreeMap<&str, usize> = BTreeMap::new();
    for row in adsl.rows().filter(in_itt) {
        if let Some(i) = row.text("ARM").and_then(|a| arms.index(a)) {
            if let Some(id) = row.text("USUBJID") {
                arm_of.insert(id, i);
            }
            by_arm[i].push(row);
        }
    }
    let mut header = vec!["Characteristic".to_owned()];
    header.extend(
        arms.names()
            .iter()
            .zip(&by_arm)
            .map(|(a, rows)| format!("{}<br>(n = {})", esc(a), rows.len())),
    );
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut add = |label: &str, cell: &dyn Fn(&[Row]) -> String| {
        let mut r = vec![label.to_owned()];
        r.extend(by_arm.iter().map(|rows| cell(rows)));
        rows.push(r);
    };
    let nums =
        |rows: &[Row], col: &str| -> Vec<f64> { rows.iter().filter_map(|r| r.num(col)).collect() };
    if adsl.has(&["AGE"]) {
        add("Age, years, median (IQR)", &|r| {
            median_iqr(&nums(r, "AGE"), 0)
        });
        add("Age ≥ 65 years, n (%)", &|r| {
            count_pct(
                nums(r, "AGE").iter().filter(|a| **a >= 65.0).count(),
                r.len(),
            )
        });
    }
    if adsl.has(&["SEX"]) {
        add("Female, n (%)", &|r| {
            count_pct(
                r.iter().filter(|x| x.text("SEX") == Some("F")).count(),
                r.len(),
            )
        });
    }
    for (flag, label) in COMORBIDITIES {
        if adsl.has(&[flag]) {
            add(&format!("{label}, n (%)"), &|r| {
                count_pct(r.iter().filter(|x| x.flag(flag)).count(), r.len())
            });
        }
    }
    if adsl.has(&["ONSDUR"]) {
        add("Days since symptom onset, median (IQR)", &|r| {
            median_iqr(&nums(r, "ONSDUR"), 1)
        });
    }
    if adsl.has(&["WHOCPSBL"]) {
        let mut scores: Vec<i64> = adsl
            .rows()
            .filter_map(|r| r.num("WHOCPSBL").map(|x| x as i64))
            .collect();
        scores.sort_unstable();
        scores.dedup();
        for score in scores {
            add(&format!("WHO CPS {score} at baseline, n (%)"), &|r| {
                let n = r
                    .iter()
                    .filter(|x| x.num("WHOCPSBL").map(|v| v as i64) == Some(score))
                    .count();
                count_pct(n, r.len())
            });
        }
    }
    // Lab baselines (ADLB, ABLFL = "Y").
    let lab_rows = baseline_labs(inputs, &arm_of, arms.len());
    rows.extend(lab_rows);
    let mut out = table("table1", &header, &rows);
    if inputs.adlb.get().is_none() {
        out.push_str(&not_available(
            "Baseline P/F, IL-6, lymphocytes and serostatus (ADLB)",
        ));
    }
    out
}

/// Table 1 rows from ADLB baseline records: P/F, IL-6, lymphocytes (median, IQR) and
/// serostatus (baseline neutralising titer at or above [`lab::SEROPOSITIVE_MIN_TITER`]).
fn baseline_labs(
    inputs: &Inputs,
    arm_of: &BTreeMap<&str, usize>,
    n_arms: usize,
) -> Vec<Vec<String>> {
    let Some(adlb) = inputs.adlb.get() else {
        return Vec::new();
    };
    // parameter code → (label, values per arm)
    let mut values: BTreeMap<&str, (String, Vec<Vec<f64>>)> = BTreeMap::new();
    for r in adlb.rows().filter(|r| r.flag("ABLFL")) {
        let (Some(code), Some(id), Some(v)) = (r.text("PARAMCD"), r.text("USUBJID"), r.num("AVAL"))
        else {
            continue;
        };
        let Some(&arm) = arm_of.get(id) else { continue };
        let entry = values.entry(code).or_insert_with(|| {
            (
                r.text("PARAM").unwrap_or(code).to_owned(),
                vec![Vec::new(); n_arms],
            )
        });
        entry.1[arm].push(v);
    }
    let mut rows = Vec::new();
    for (code, decimals) in lab::BASELINE_LABS {
        if let Some((label, per_arm)) = values.get(code) {
            let mut r = vec![format!("{}, median (IQR)", esc(label))];
            r.extend(per_arm.iter().map(|v| median_iqr(v, decimals)));
            rows.push(r);
        }
    }
    if let Some((_, per_arm)) = values.get(lab::TITER) {
        let mut r = vec![format!(
            "Seropositive (neutralising titer ≥ {}), n (%)",
            fixed(lab::SEROPOSITIVE_MIN_TITER, 0)
        )];
        r.extend(per_arm.iter().map(|v| {
            count_pct(
                v.iter()
                    .filter(|t| **t >= lab::SEROPOSITIVE_MIN_TITER)
                    .count(),
                v.len(),
            )
        }));
        rows.push(r);
    }
    rows
}

/// Endpoints: per-arm estimates, then comparisons with the twin (true) effect beside them.
pub fn endpoints(inputs: &Inputs) -> String {
    let endpoints = inputs.summary.get().map(|s| &s.endpoints);
    let Some(endpoints) = endpoints.filter(|e| !e.is_empty()) else {
        return not_available("Endpoint estimates (summary.json endpoints)");
    };
    // Primary first, then secondary, each in the order given.
    let ordered = endpoints
        .iter()
        .filter(|e| e.primary)
        .chain(endpoints.iter().filter(|e| !e.primary));
    let mut out = String::new();
    for e in ordered {
        let role = if e.primary { "Primary" } else { "Secondary" };
        let mut title = format!("{role}: {}", esc(e.label.as_deref().unwrap_or(&e.name)));
        if let Some(kind) = e.kind {
            let _ = write!(title, " <span class=\"muted\">({}", kind.text());
            if let Some(t) = e.timepoint_days {
                let _ = write!(title, ", day {}", fixed(t, 0));
            }
            title.push_str(")</span>");
        }
        let _ = writeln!(out, "<h3>{title}</h3>");
        // Risks and probabilities to 3 decimals, times and other scales to 1.
        let arm_decimals = match e.kind {
            Some(EndpointKind::Binary) | None => 3,
            Some(_) => 1,
        };
        if !e.arms.is_empty() {
            out.push_str(&arm_estimates(&e.arms, arm_decimals));
        }
        if !e.comparisons.is_empty() {
            out.push_str(&comparisons(&e.comparisons));
        }
        if let Some(cr) = &e.competing_risks {
            let _ = writeln!(
                out,
                "<h4>With {} as a competing event</h4>",
                esc(&cr.competing_event)
            );
            out.push_str(
                "<p class=\"note\">Cumulative incidence at the time point (Aalen–Johansen) and the \
                 Fine–Gray subdistribution hazard ratio.</p>\n",
            );
            out.push_str(&arm_estimates(&cr.arms, 3));
            out.push_str(&comparisons(&cr.comparisons));
        }
    }
    out.push_str(
        "<p class=\"note\">The twin effect is the same contrast computed on counterfactual twins \
         (every patient simulated under each arm): the effect the trial tries to estimate.</p>\n",
    );
    out
}

/// Per-arm estimates of an endpoint: n, events, estimate and 95% CI.
fn arm_estimates(arms: &[ArmEstimate], decimals: usize) -> String {
    let header: Vec<String> = ["Arm", "n", "Events", "Estimate", "95% CI"]
        .map(str::to_owned)
        .to_vec();
    let rows: Vec<Vec<String>> = arms
        .iter()
        .map(|a| {
            vec![
                esc(&a.arm),
                a.n.map_or("NR".into(), |n| n.to_string()),
                a.events.map_or("–".into(), |n| n.to_string()),
                opt(a.estimate, decimals),
                interval(a.ci, decimals),
            ]
        })
        .collect();
    table("estimates", &header, &rows)
}

/// Between-arm comparisons with the twin (true) effect beside the randomized estimate.
fn comparisons(comparisons: &[Comparison]) -> String {
    let header: Vec<String> = [
        "Comparison",
        "Measure",
        "Randomized estimate",
        "95% CI",
        "p",
        "Twin (true) effect",
    ]
    .map(str::to_owned)
    .to_vec();
    let rows: Vec<Vec<String>> = comparisons
        .iter()
        .map(|c| {
            // Ratios to 2 decimals, differences to 3.
            let d = if is_ratio(&c.measure) { 2 } else { 3 };
            vec![
                format!("{} vs {}", esc(&c.arm), esc(&c.reference_arm)),
                esc(&measure_text(&c.measure)),
                format!("<b>{}</b>", opt(c.estimate, d)),
                interval(c.ci, d),
                p_value(c.p),
                c.twin_estimate
                    .map_or("not simulated".into(), |t| fixed(t, d)),
            ]
        })
        .collect();
    table("comparisons", &header, &rows)
}

/// Adverse events by arm, severity and seriousness (ADAE), or the summary's safety rows.
pub fn safety(inputs: &Inputs, arms: &ArmList) -> String {
    let mut out = String::new();
    match inputs.adae.get() {
        Some(adae) if adae.has(&["USUBJID", "AEDECOD", "AESEV", "AESER"]) && !arms.is_empty() => {
            let denominators = safety_denominators(inputs, arms);
            out.push_str(&adae_table(adae, arms, denominators.as_deref()));
        }
        _ => {
            out.push_str(&not_available_input(
                "Adverse events by severity (ADAE)",
                &inputs.adae,
            ));
        }
    }
    let rows = inputs.summary.get().map(|s| &s.safety);
    if let Some(rows) = rows.filter(|r| !r.is_empty()) {
        let header: Vec<String> = ["Arm", "Term", "Patients", "Events", "Serious events"]
            .map(str::to_owned)
            .to_vec();
        let body: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    esc(&r.arm),
                    esc(&r.term),
                    r.n_patients.map_or("NR".into(), |n| n.to_string()),
                    r.n_events.map_or("NR".into(), |n| n.to_string()),
                    r.serious.map_or("NR".into(), |n| n.to_string()),
                ]
            })
            .collect();
        out.push_str("<h3>Adverse events reported in the summary</h3>\n");
        out.push_str(&table("safety", &header, &body));
    }
    out
}

/// Severity codes in display order (CDISC AESEV).
const SEVERITIES: [&str; 3] = ["MILD", "MODERATE", "SEVERE"];

/// Safety-population size per arm from ADSL (SAFFL = "Y", by actual treatment TRT01A), when
/// ADSL has those columns.
fn safety_denominators(inputs: &Inputs, arms: &ArmList) -> Option<Vec<usize>> {
    let adsl = inputs.adsl.get().filter(|t| t.has(&["SAFFL", "TRT01A"]))?;
    let mut n = vec![0; arms.len()];
    for r in adsl.rows().filter(|r| r.flag("SAFFL")) {
        if let Some(a) = r.text("TRT01A").and_then(|a| arms.index(a)) {
            n[a] += 1;
        }
    }
    Some(n)
}

/// One subject's events of one term (or of any term): worst severity, any serious, count.
#[derive(Debug, Clone, Copy, Default)]
struct SubjectEvents {
    worst_severity: usize,
    serious: bool,
    events: usize,
}

/// Subjects with events in one arm, by USUBJID.
type ArmCell = BTreeMap<String, SubjectEvents>;

/// Patients with at least one event, per term × arm (plus "any event" and "any serious event"
/// rows), split by worst severity and seriousness; n (%) of the safety population when ADSL
/// gives its size.
fn adae_table(adae: &Table, arms: &ArmList, denominators: Option<&[usize]>) -> String {
    const ANY: &str = "Any adverse event";
    let mut any: Vec<ArmCell> = vec![ArmCell::new(); arms.len()];
    let mut terms: BTreeMap<String, Vec<ArmCell>> = BTreeMap::new();
    for r in adae.rows() {
        let arm = r.text("TRT01A").or(r.text("TRT01P"));
        let (Some(term), Some(id), Some(arm)) = (r.text("AEDECOD"), r.text("USUBJID"), arm) else {
            continue;
        };
        let Some(a) = arms.index(arm) else { continue };
        let severity = SEVERITIES
            .iter()
            .position(|s| Some(*s) == r.text("AESEV"))
            .unwrap_or(0);
        let serious = r.flag("AESER");
        let cells = terms
            .entry(term.to_owned())
            .or_insert_with(|| vec![ArmCell::new(); arms.len()]);
        for cell in [&mut cells[a], &mut any[a]] {
            let e = cell.entry(id.to_owned()).or_default();
            e.worst_severity = e.worst_severity.max(severity);
            e.serious |= serious;
            e.events += 1;
        }
    }
    let patients = |n: usize, a: usize| match denominators {
        Some(d) => count_pct(n, d[a]),
        None => n.to_string(),
    };
    let mut header = vec!["Preferred term".to_owned()];
    for (a, name) in arms.names().iter().enumerate() {
        let n = denominators.map_or(String::new(), |d| format!(" (n = {})", d[a]));
        header.push(format!(
            "{}{n}<br>patients (events)<br>mild / moderate / severe · serious",
            esc(name)
        ));
    }
    let row_of = |label: String, cells: &[ArmCell]| {
        let mut row = vec![label];
        for (a, cell) in cells.iter().enumerate() {
            let events: usize = cell.values().map(|c| c.events).sum();
            let mut by_severity = [0usize; SEVERITIES.len()];
            for c in cell.values() {
                by_severity[c.worst_severity] += 1;
            }
            let serious = cell.values().filter(|c| c.serious).count();
            row.push(format!(
                "{} ({events})<br><span class=\"muted\">{} / {} / {} · {serious}</span>",
                patients(cell.len(), a),
                by_severity[0],
                by_severity[1],
                by_severity[2]
            ));
        }
        row
    };
    let mut rows = vec![row_of(format!("<b>{ANY}</b>"), &any)];
    rows.extend(terms.iter().map(|(term, cells)| row_of(esc(term), cells)));
    let mut out = table("ae", &header, &rows);
    out.push_str(
        "<p class=\"note\">Patients with at least one event (number of events), by actual \
         treatment; severity is each patient's worst grade; serious: patients with a serious \
         event.</p>\n",
    );
    out
}

/// A JSON value as text: integers as such, other numbers in their shortest text that reads
/// back to the same number (deterministic), text escaped.
fn json_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => u.to_string(),
            (_, Some(i), _) => i.to_string(),
            (_, _, Some(f)) => f.to_string(),
            _ => n.to_string(),
        },
        serde_json::Value::String(s) => esc(s),
        serde_json::Value::Null => "NR".to_owned(),
        other => esc(&other.to_string()),
    }
}

/// Rows of the engine's per-regimen supply plan: (key, heading, decimals).
const SUPPLY_ROWS: [(&str, &str, usize); 7] = [
    ("patients", "Patients on plasma", 0),
    ("donors_screened", "Donors screened (median)", 0),
    ("share_qualifying", "Share of eligible donors qualifying", 3),
    ("donations", "Donations (median)", 0),
    ("units_needed", "Units needed", 0),
    ("units_collected", "Units collected (median)", 0),
    ("campaigns", "Simulated collection campaigns", 0),
];

/// Plasma supply summary from summary.json: the engine's per-regimen plan and delivered dose,
/// or any other keys as given.
pub fn supply(inputs: &Inputs) -> String {
    let Some(supply) = inputs.summary.get().and_then(|s| s.supply.as_ref()) else {
        return not_available("A plasma supply summary");
    };
    let mut out = String::new();
    if let Some(regimens) = supply.get("regimens").and_then(|r| r.as_array()) {
        for r in regimens {
            let name = r
                .get("regimen")
                .and_then(|n| n.as_str())
                .unwrap_or("Plasma");
            let _ = writeln!(out, "<h3>{}</h3>\n<dl class=\"fields\">", esc(name));
            for (key, heading, decimals) in SUPPLY_ROWS {
                let value = r.get(key).and_then(serde_json::Value::as_f64);
                let _ = writeln!(out, "<dt>{heading}</dt><dd>{}</dd>", opt(value, decimals));
            }
            out.push_str("</dl>\n");
        }
    }
    if let Some(d) = supply.get("delivered_id50_ml").filter(|d| d.is_object()) {
        let num = |k: &str| d.get(k).and_then(serde_json::Value::as_f64);
        let _ = writeln!(
            out,
            "<h3>Neutralising dose delivered per treated patient</h3>\n<dl class=\"fields\">\n\
             <dt>Median (IQR), ID50·mL</dt><dd>{} ({}–{})</dd>\n<dt>Patients</dt><dd>{}</dd>\n</dl>",
            opt(num("median"), 0),
            opt(num("q1"), 0),
            opt(num("q3"), 0),
            opt(num("n"), 0),
        );
    }
    let others: Vec<_> = supply
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "regimens" | "delivered_id50_ml"))
        .collect();
    if !others.is_empty() {
        out.push_str("<dl class=\"fields\">\n");
        for (key, value) in others {
            let _ = writeln!(
                out,
                "<dt>{}</dt><dd>{}</dd>",
                esc(&key.replace('_', " ")),
                json_text(value)
            );
        }
        out.push_str("</dl>\n");
    }
    out.push_str(
        "<p class=\"note\">Plan for the simulated enrollment (closed form, and medians of simulated \
         collection campaigns with ABO matching); the delivered dose is what the trial's patients \
         received (titer × volume after pathogen reduction).</p>\n",
    );
    out
}
