//! Sections about the study itself: registry summary, what was simulated, CONSORT flow, and the
//! appendix (parameters, reproducibility footer).

use crate::html::{esc, fixed, not_available, table};
use crate::inputs::{Input, Inputs};
use std::fmt::Write;

/// `[study]` keys shown, in registry order, with their display names.
const STUDY_FIELDS: [(&str, &str); 12] = [
    ("id", "Registry id"),
    ("acronym", "Acronym"),
    ("brief_title", "Brief title"),
    ("official_title", "Official title"),
    ("title", "Title"),
    ("phases", "Phases"),
    ("allocation", "Allocation"),
    ("intervention_model", "Intervention model"),
    ("masking", "Masking"),
    ("enrollment", "Enrollment"),
    ("sponsor", "Sponsor"),
    ("conditions", "Conditions"),
];

/// `[eligibility]` keys in the order a registry record shows them.
const ELIGIBILITY_ORDER: [&str; 6] = [
    "sex",
    "minimum_age",
    "maximum_age",
    "healthy_volunteers",
    "inclusion",
    "exclusion",
];

/// A TOML value as escaped HTML text (arrays joined with ", ", tables as key: value lists).
fn toml_text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => esc(s),
        toml::Value::Array(items) => items.iter().map(toml_text).collect::<Vec<_>>().join(", "),
        toml::Value::Table(t) => t
            .iter()
            .map(|(k, v)| format!("{}: {}", esc(k), toml_text(v)))
            .collect::<Vec<_>>()
            .join("; "),
        other => esc(&other.to_string()),
    }
}

/// The study title for the page heading: `[study]` brief or official title, else the summary's.
pub fn title(inputs: &Inputs) -> String {
    let from_protocol = inputs.protocol.get().and_then(|p| {
        let study = p.get("study")?.as_table()?;
        ["brief_title", "title", "official_title"]
            .iter()
            .find_map(|k| study.get(*k)?.as_str().map(str::to_owned))
    });
    let from_summary = inputs
        .summary
        .get()
        .and_then(|s| s.study.as_ref()?.title.clone());
    from_protocol
        .or(from_summary)
        .unwrap_or_else(|| "Simulated trial".to_owned())
}

/// Registry summary and eligibility.
pub fn registry(inputs: &Inputs) -> String {
    let Some(protocol) = inputs.protocol.get() else {
        return not_available_input("The protocol (protocol.toml)", &inputs.protocol);
    };
    let mut out = String::new();
    match protocol.get("study").and_then(|s| s.as_table()) {
        Some(study) => {
            out.push_str("<dl class=\"fields\">\n");
            for (key, name) in STUDY_FIELDS {
                if let Some(v) = study.get(key) {
                    let _ = writeln!(out, "<dt>{name}</dt><dd>{}</dd>", toml_text(v));
                }
            }
            out.push_str("</dl>\n");
        }
        None => out.push_str(&not_available("The [study] registry fields")),
    }
    out.push_str("<h3>Eligibility</h3>\n");
    match protocol.get("eligibility").and_then(|s| s.as_table()) {
        Some(eligibility) => {
            out.push_str("<dl class=\"fields\">\n");
            // Registry order first (sex, ages, inclusion, exclusion), then any other keys.
            let rank = |k: &str| {
                ELIGIBILITY_ORDER
                    .iter()
                    .position(|o| *o == k)
                    .unwrap_or(ELIGIBILITY_ORDER.len())
            };
            let mut entries: Vec<(&String, &toml::Value)> = eligibility.iter().collect();
            entries.sort_by(|a, b| (rank(a.0), a.0).cmp(&(rank(b.0), b.0)));
            for (key, value) in entries {
                let body = match value {
                    toml::Value::Array(items) => {
                        let mut list = String::from("<ul>");
                        for item in items {
                            let _ = write!(list, "<li>{}</li>", toml_text(item));
                        }
                        list.push_str("</ul>");
                        list
                    }
                    other => toml_text(other),
                };
                let _ = writeln!(
                    out,
                    "<dt>{}</dt><dd>{body}</dd>",
                    esc(&key.replace('_', " "))
                );
            }
            out.push_str("</dl>\n");
        }
        None => out.push_str(&not_available("Eligibility criteria")),
    }
    out
}

/// What was simulated: population, seed, patients, replicates, model version.
pub fn simulation(inputs: &Inputs) -> String {
    let simulation = inputs.summary.get().and_then(|s| s.simulation.as_ref());
    let manifest = inputs.manifest.get();
    if simulation.is_none() && manifest.is_none() {
        return not_available("A description of the simulation (summary.json, manifest.json)");
    }
    let mut rows: Vec<(&str, String)> = Vec::new();
    if let Some(s) = simulation {
        if let Some(p) = &s.population {
            rows.push(("Population", esc(p)));
        }
        if let Some(n) = s.patients {
            rows.push(("Virtual patients", n.to_string()));
        }
        if let Some(k) = s.replicates {
            rows.push(("Replicate trials", k.to_string()));
        }
        if let Some(d) = s.follow_up_days {
            rows.push(("Follow-up (days)", fixed(d, 0)));
        }
        if let Some(v) = &s.model_version {
            rows.push(("Model version", esc(v)));
        }
    }
    let seed = simulation
        .and_then(|s| s.seed)
        .or_else(|| manifest.and_then(|m| m.seed));
    if let Some(seed) = seed {
        rows.push(("Seed", seed.to_string()));
    }
    if let Some(v) = manifest.and_then(|m| m.version.as_ref()) {
        rows.push(("immunotrial version", esc(v)));
    }
    let mut out = String::from("<dl class=\"fields\">\n");
    for (k, v) in rows {
        let _ = writeln!(out, "<dt>{k}</dt><dd>{v}</dd>");
    }
    out.push_str("</dl>\n");
    out
}

fn count(n: Option<u64>) -> String {
    n.map_or_else(|| "NR".to_owned(), |n| n.to_string())
}

/// CONSORT flow diagram (as nested boxes in HTML: readable, printable, no script).
pub fn consort(inputs: &Inputs) -> String {
    let Some(consort) = inputs.summary.get().and_then(|s| s.consort.as_ref()) else {
        return not_available("The CONSORT flow (summary.json consort)");
    };
    let mut out = String::from("<div class=\"consort\">\n");
    let _ = writeln!(
        out,
        "<div class=\"box\">Assessed for eligibility<br><b>n = {}</b></div>",
        count(consort.screened)
    );
    if !consort.excluded.is_empty() {
        let total: u64 = consort.excluded.iter().map(|e| e.n).sum();
        let _ = write!(
            out,
            "<div class=\"box side\">Excluded <b>n = {total}</b><ul>"
        );
        for e in &consort.excluded {
            let _ = write!(out, "<li>{}: {}</li>", esc(&e.reason), e.n);
        }
        out.push_str("</ul></div>\n");
    }
    let _ = writeln!(
        out,
        "<div class=\"box\">Randomized<br><b>n = {}</b></div>",
        count(consort.randomized)
    );
    out.push_str("<div class=\"arms\">\n");
    for arm in &consort.arms {
        let _ = writeln!(
            out,
            "<div class=\"arm\"><h4>{}</h4>\
             <div class=\"box\">Allocated <b>n = {}</b><br>Received allocated intervention n = {}</div>\
             <div class=\"box\">Lost to follow-up n = {}</div>\
             <div class=\"box\">Analysed <b>n = {}</b></div></div>",
            esc(&arm.arm),
            count(arm.allocated),
            count(arm.treated),
            count(arm.lost_to_follow_up),
            count(arm.analysed)
        );
    }
    out.push_str("</div></div>\n");
    out
}

/// Model parameters with units and sources (`parameters.csv`).
pub fn parameters(inputs: &Inputs) -> String {
    let Some(t) = inputs.parameters.get() else {
        return not_available_input("Model parameters (parameters.csv)", &inputs.parameters);
    };
    let columns = ["name", "unit", "value", "lower", "upper", "source"];
    let header: Vec<String> = ["Parameter", "Unit", "Value", "Lower", "Upper", "Source"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let rows: Vec<Vec<String>> = t
        .rows()
        .map(|r| {
            columns
                .iter()
                .map(|c| esc(r.text(c).unwrap_or("")))
                .collect()
        })
        .collect();
    table("params", &header, &rows)
}

/// Reproducibility footer from the manifest.
pub fn footer(inputs: &Inputs) -> String {
    let Some(m) = inputs.manifest.get() else {
        return not_available_input("The run manifest (manifest.json)", &inputs.manifest);
    };
    let mut out = String::from("<dl class=\"fields\">\n");
    let mut field = |k: &str, v: String| {
        let _ = writeln!(out, "<dt>{k}</dt><dd>{v}</dd>");
    };
    field("Version", esc(m.version.as_deref().unwrap_or("NR")));
    field(
        "Git commit",
        esc(m.git_hash.as_deref().unwrap_or("not recorded")),
    );
    field("Seed", m.seed.map_or("NR".to_owned(), |s| s.to_string()));
    if let Some(t) = m.threads {
        field("Threads", t.to_string());
    }
    if let Some(s) = &m.shard {
        field("Shard", esc(s));
    }
    if let Some(w) = m.wall_time_s {
        field("Wall time (s)", fixed(w, 1));
    }
    let command = m
        .command
        .iter()
        .map(|a| shell_quote(a))
        .collect::<Vec<_>>()
        .join(" ");
    field("Command", format!("<code>{}</code>", esc(&command)));
    out.push_str("</dl>\n");
    out
}

/// POSIX shell quoting of one argument, so the command can be pasted back.
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// "not available" note, saying why when the file exists but could not be read.
pub fn not_available_input<T>(what: &str, input: &Input<T>) -> String {
    match input {
        Input::Unreadable(reason) => format!(
            "<p class=\"na\">{} not available in this run (unreadable: {}).</p>\n",
            esc(what),
            esc(reason)
        ),
        _ => not_available(what),
    }
}
