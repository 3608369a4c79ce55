//! A results folder → one self-contained HTML report (`report.html`): inline CSS and SVG, no
//! script, no network request. Sections follow the order a trialist reads: registry summary,
//! simulation, CONSORT flow, baseline table, endpoints, figures, safety, supply, replicates,
//! appendix. Every input is optional; a missing one gives a "not available in this run" note.
//!
//! Deterministic: the same folder always renders to the same bytes (inputs are read in a
//! fixed order, maps are ordered, numbers have fixed decimals, and no clock is read).

pub mod describe;
pub mod error;
mod figures;
pub mod html;
pub mod inputs;
pub mod lab;
mod study;
pub mod summary;
pub mod svg;
mod tables;

pub use error::ReportError;
pub use inputs::Inputs;

use std::fmt::Write;
use std::path::{Path, PathBuf};

/// File name of the report inside a results folder.
pub const REPORT_FILE: &str = "report.html";

/// The arms of the trial, in display order (ADSL TRT01PN, else the summary's order).
#[derive(Debug, Clone, Default)]
pub struct ArmList {
    names: Vec<String>,
}

impl ArmList {
    /// Arms from ADSL (`ARM` ordered by `TRT01PN`, then name), else from summary.json (CONSORT,
    /// then endpoint arms, in the order given).
    pub fn from_inputs(inputs: &Inputs) -> Self {
        let mut numbered: Vec<(Option<i64>, String)> = Vec::new();
        if let Some(adsl) = inputs.adsl.get() {
            for r in adsl.rows() {
                if let Some(arm) = r.text("ARM") {
                    let n = r.num("TRT01PN").map(|x| x as i64);
                    if !numbered.iter().any(|(_, a)| a == arm) {
                        numbered.push((n, arm.to_owned()));
                    }
                }
            }
        }
        numbered.sort();
        let mut names: Vec<String> = numbered.into_iter().map(|(_, a)| a).collect();
        if let (true, Some(s)) = (names.is_empty(), inputs.summary.get()) {
            let from_consort = s.consort.iter().flat_map(|c| c.arms.iter().map(|a| &a.arm));
            let from_endpoints = s
                .endpoints
                .iter()
                .flat_map(|e| e.arms.iter().map(|a| &a.arm));
            for a in from_consort.chain(from_endpoints) {
                if !names.contains(a) {
                    names.push(a.clone());
                }
            }
        }
        Self { names }
    }

    /// Arm names in display order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Position of an arm.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|a| a == name)
    }

    /// Number of arms.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when no arm is known.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// The report's style sheet (inline: the file must stand alone).
const STYLE: &str = include_str!("report.css");

/// Renders the report of the inputs read from a results folder.
pub fn render(inputs: &Inputs) -> String {
    let arms = ArmList::from_inputs(inputs);
    let title = study::title(inputs);
    let sections: [(&str, &str, String); 14] = [
        ("registry", "Registry summary", study::registry(inputs)),
        (
            "simulation",
            "What was simulated",
            study::simulation(inputs),
        ),
        ("consort", "CONSORT flow", study::consort(inputs)),
        (
            "baseline",
            "Baseline characteristics",
            tables::baseline(inputs, &arms),
        ),
        ("endpoints", "Endpoints", tables::endpoints(inputs)),
        (
            "km",
            "Kaplan–Meier curves",
            figures::kaplan_meier(inputs, &arms),
        ),
        (
            "discharge",
            "Cumulative incidence of discharge",
            figures::discharge(inputs, &arms),
        ),
        (
            "who",
            "WHO Clinical Progression Scale by day",
            figures::who_bars(inputs, &arms),
        ),
        (
            "trajectories",
            "Biomarker trajectories",
            figures::trajectories(inputs, &arms),
        ),
        ("subgroups", "Subgroups", figures::forest(inputs)),
        ("safety", "Safety", tables::safety(inputs, &arms)),
        ("supply", "Plasma supply", tables::supply(inputs)),
        (
            "replicates",
            "Replicate trials",
            figures::replicates(inputs),
        ),
        (
            "parameters",
            "Appendix: model parameters",
            study::parameters(inputs),
        ),
    ];
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{t}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<header><h1>{t}</h1>\n\
         <p class=\"muted\">In-silico trial report. Every patient in it is simulated.</p></header>\n<nav><ol>",
        t = html::esc(&title)
    );
    for (id, heading, _) in &sections {
        let _ = write!(out, "<li><a href=\"#{id}\">{heading}</a></li>");
    }
    out.push_str("</ol></nav>\n<main>\n");
    for (id, heading, body) in &sections {
        let _ = write!(
            out,
            "<section id=\"{id}\">\n<h2>{heading}</h2>\n{body}</section>\n"
        );
    }
    let _ = write!(
        out,
        "</main>\n<footer id=\"reproducibility\">\n<h2>Reproducibility</h2>\n{}</footer>\n</body>\n</html>\n",
        study::footer(inputs)
    );
    out
}

/// Reads a results folder and renders its report.
pub fn render_folder(folder: &Path) -> Result<String, ReportError> {
    if !folder.is_dir() {
        return Err(ReportError::NotAFolder {
            path: folder.to_owned(),
        });
    }
    Ok(render(&Inputs::read(folder)))
}

/// Renders `folder/report.html` from the saved data and returns its path. The file is written
/// under a temporary name in the same folder and renamed, so a reader never sees half a report.
pub fn write_report(folder: &Path) -> Result<PathBuf, ReportError> {
    let html = render_folder(folder)?;
    let path = folder.join(REPORT_FILE);
    let temporary = folder.join(format!(".{REPORT_FILE}.tmp-{}", std::process::id()));
    let written =
        std::fs::write(&temporary, html).and_then(|()| std::fs::rename(&temporary, &path));
    if let Err(source) = written {
        // Best effort: do not leave the temporary file behind; the original error is reported.
        let _ = std::fs::remove_file(&temporary);
        return Err(ReportError::Write { path, source });
    }
    Ok(path)
}
