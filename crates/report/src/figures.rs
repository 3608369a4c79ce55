//! Figures: Kaplan–Meier curves with numbers at risk, cumulative incidence of discharge, WHO
//! scale bars by day, biomarker trajectories, the subgroup forest plot and the distribution of
//! replicate estimates.

use crate::describe::quartiles;
use crate::html::{esc, fixed, not_available, table};
use crate::inputs::{Inputs, Table};
use crate::study::not_available_input;
use crate::summary::{Subgroup, is_ratio, measure_text};
use crate::svg::{self, Axis, Frame, arm_colour, legend, path, rect, text};
use crate::{ArmList, lab};
use std::collections::BTreeMap;
use std::fmt::Write;

/// ADTTE parameter code of time to discharge (FORMATS.md §3.5), shown as a cumulative
/// incidence with death as the competing event.
const DISCHARGE: &str = "TTDISCH";

/// Per-arm (time, event) columns of one ADTTE parameter.
type TteByArm = Vec<(Vec<f64>, Vec<bool>)>;

fn tte_by_arm(adtte: &Table, arms: &ArmList, code: &str) -> TteByArm {
    let mut out: TteByArm = vec![(Vec::new(), Vec::new()); arms.len()];
    for r in adtte.rows().filter(|r| r.text("PARAMCD") == Some(code)) {
        let (Some(arm), Some(t), Some(cnsr)) = (
            r.text("TRT01P").and_then(|a| arms.index(a)),
            r.num("AVAL"),
            r.num("CNSR"),
        ) else {
            continue;
        };
        out[arm].0.push(t);
        out[arm].1.push(cnsr == 0.0);
    }
    out
}

/// Kaplan–Meier curves (one figure per ADTTE parameter other than discharge).
pub fn kaplan_meier(inputs: &Inputs, arms: &ArmList) -> String {
    let Some(adtte) = inputs.adtte.get() else {
        return not_available_input("Time-to-event data (ADTTE)", &inputs.adtte);
    };
    if !adtte.has(&["PARAMCD", "AVAL", "CNSR", "TRT01P"]) || arms.is_empty() {
        return not_available("Time-to-event data with the ADTTE columns");
    }
    // Parameters with their labels; overall survival first, then by code.
    let mut params: BTreeMap<(bool, String), String> = BTreeMap::new();
    for r in adtte.rows() {
        if let Some(code) = r.text("PARAMCD").filter(|c| *c != DISCHARGE) {
            let label = r.text("PARAM").unwrap_or(code).to_owned();
            params
                .entry((!code.starts_with("OS"), code.to_owned()))
                .or_insert(label);
        }
    }
    if params.is_empty() {
        return not_available("Time-to-event parameters other than discharge");
    }
    let mut out = String::new();
    for ((_, code), label) in &params {
        let data = tte_by_arm(adtte, arms, code);
        let _ = writeln!(out, "<h3>{}</h3>", esc(label));
        out.push_str(&km_figure(label, &data, arms));
    }
    out
}

fn km_figure(label: &str, data: &TteByArm, arms: &ArmList) -> String {
    let mut curves = Vec::new();
    for (i, (time, event)) in data.iter().enumerate() {
        if time.is_empty() {
            continue;
        }
        match stats::survival::kaplan_meier(time, event) {
            Ok(km) => curves.push((i, km)),
            Err(e) => {
                return format!(
                    "<p class=\"na\">Kaplan–Meier not available in this run ({}).</p>\n",
                    esc(&e.to_string())
                );
            }
        }
    }
    if curves.is_empty() {
        return not_available("Kaplan–Meier curves (no patients)");
    }
    let t_max = curves
        .iter()
        .filter_map(|(_, km)| km.time.last().copied())
        .fold(0.0, f64::max);
    let frame = Frame::new(
        Axis::days(t_max, "Days since randomization"),
        Axis::linear(0.0, 1.0, "Probability without the event"),
    );
    let mut s = frame.open(&format!("Kaplan–Meier: {label}"));
    for (i, km) in &curves {
        let points: Vec<(f64, f64)> = km
            .time
            .iter()
            .copied()
            .zip(km.survival.iter().copied())
            .collect();
        let d = frame.step_path((0.0, 1.0), &points, km.time.last().copied().unwrap_or(0.0));
        s.push_str(&path(&d, arm_colour(*i), "none", " stroke-width=\"2\""));
        // Censoring ticks.
        let mut ticks = String::new();
        for (k, &t) in km.time.iter().enumerate() {
            if km.n_censor[k] > 0 {
                let (x, y) = (frame.px(t), frame.py(km.survival[k]));
                let _ = write!(ticks, "M{} {}v-6", fixed(x, 1), fixed(y + 3.0, 1));
            }
        }
        if !ticks.is_empty() {
            s.push_str(&path(&ticks, arm_colour(*i), "none", ""));
        }
    }
    s.push_str("</svg>\n");
    s.push_str(&legend(
        &curves
            .iter()
            .map(|(i, _)| (arms.names()[*i].clone(), arm_colour(*i)))
            .collect::<Vec<_>>(),
    ));
    // Number at risk at the x-axis ticks, and the median.
    let mut header = vec!["Number at risk".to_owned()];
    header.extend(
        frame
            .x
            .ticks
            .iter()
            .map(|t| format!("day {}", fixed(*t, 0))),
    );
    header.push("Median (95% CI), days".to_owned());
    let rows: Vec<Vec<String>> = curves
        .iter()
        .map(|(i, km)| {
            let mut r = vec![esc(&arms.names()[*i])];
            r.extend(frame.x.ticks.iter().map(|t| km.n_risk_at(*t).to_string()));
            let m = km.median();
            r.push(format!(
                "{} ({}, {})",
                crate::html::opt(m.estimate, 1),
                crate::html::opt(m.lower, 1),
                crate::html::opt(m.upper, 1)
            ));
            r
        })
        .collect();
    s.push_str(&table("risk", &header, &rows));
    s
}

/// Cumulative incidence of discharge by arm (Aalen–Johansen), death competing.
pub fn discharge(inputs: &Inputs, arms: &ArmList) -> String {
    let Some(adtte) = inputs.adtte.get() else {
        return not_available_input("Time to discharge (ADTTE)", &inputs.adtte);
    };
    if !adtte.has(&["PARAMCD", "AVAL", "CNSR", "TRT01P", "USUBJID"])
        || !adtte.rows().any(|r| r.text("PARAMCD") == Some(DISCHARGE))
    {
        return not_available("Time to discharge (ADTTE TTDISCH)");
    }
    // Death times from the overall-survival parameter (continuous days), by subject.
    let mut death: BTreeMap<&str, f64> = BTreeMap::new();
    for r in adtte.rows() {
        let is_os = r.text("PARAMCD").is_some_and(|c| c.starts_with("OS"));
        if let (true, Some(0.0), Some(id), Some(t)) =
            (is_os, r.num("CNSR"), r.text("USUBJID"), r.num("AVAL"))
        {
            death.insert(id, t);
        }
    }
    /// Status codes of the competing-risks analysis.
    const CENSORED: u32 = 0;
    const DISCHARGED: u32 = 1;
    const DIED: u32 = 2;
    let mut per_arm: Vec<(Vec<f64>, Vec<u32>)> = vec![(Vec::new(), Vec::new()); arms.len()];
    for r in adtte
        .rows()
        .filter(|r| r.text("PARAMCD") == Some(DISCHARGE))
    {
        let (Some(arm), Some(t), Some(cnsr), Some(id)) = (
            r.text("TRT01P").and_then(|a| arms.index(a)),
            r.num("AVAL"),
            r.num("CNSR"),
            r.text("USUBJID"),
        ) else {
            continue;
        };
        let (time, status) = if cnsr == 0.0 {
            (t, DISCHARGED)
        } else {
            match death.get(id) {
                Some(&d) => (d, DIED),
                None => (t, CENSORED),
            }
        };
        per_arm[arm].0.push(time);
        per_arm[arm].1.push(status);
    }
    let mut curves = Vec::new();
    for (i, (time, status)) in per_arm.iter().enumerate() {
        if time.is_empty() {
            continue;
        }
        match stats::survival::aalen_johansen(time, status, DISCHARGED) {
            Ok(ci) => curves.push((i, ci, time.iter().copied().fold(0.0, f64::max))),
            Err(e) => {
                return format!(
                    "<p class=\"na\">Cumulative incidence not available in this run ({}).</p>\n",
                    esc(&e.to_string())
                );
            }
        }
    }
    if curves.is_empty() {
        return not_available("Cumulative incidence of discharge (no patients)");
    }
    let t_max = curves.iter().map(|c| c.2).fold(0.0, f64::max);
    let frame = Frame::new(
        Axis::days(t_max, "Days since randomization"),
        Axis::linear(0.0, 1.0, "Cumulative incidence of discharge"),
    );
    let mut s = frame.open("Cumulative incidence of discharge, death as competing event");
    for (i, ci, end) in &curves {
        let points: Vec<(f64, f64)> = ci
            .time
            .iter()
            .copied()
            .zip(ci.estimate.iter().copied())
            .collect();
        let d = frame.step_path((0.0, 0.0), &points, *end);
        s.push_str(&path(&d, arm_colour(*i), "none", " stroke-width=\"2\""));
    }
    s.push_str("</svg>\n");
    s.push_str(&legend(
        &curves
            .iter()
            .map(|(i, _, _)| (arms.names()[*i].clone(), arm_colour(*i)))
            .collect::<Vec<_>>(),
    ));
    s.push_str(
        "<p class=\"note\">Aalen–Johansen estimate; patients who died before discharge count as \
         a competing event (not censored).</p>\n",
    );
    s
}

/// WHO CPS colours from 0 (uninfected) to 10 (dead): a sequential scale, dead in black.
const WHO_COLOURS: [&str; 11] = [
    "#f7fcf5", "#e5f5e0", "#c7e9c0", "#a1d99b", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548",
    "#d7301f", "#990000", "#252525",
];

/// Study days shown in the WHO bars: day 1 then weekly (the usual reporting visits).
const WHO_DAY_STEP: i64 = 7;

/// Stacked WHO CPS bars by study day and arm (ADCPS).
pub fn who_bars(inputs: &Inputs, arms: &ArmList) -> String {
    let Some(adcps) = inputs.adcps.get() else {
        return not_available_input("WHO scale by day (ADCPS)", &inputs.adcps);
    };
    if !adcps.has(&["TRT01P", "ADY", "AVAL"]) || arms.is_empty() {
        return not_available("WHO scale by day (ADCPS columns)");
    }
    // (day, arm) → counts by score
    let mut counts: BTreeMap<(i64, usize), [usize; 11]> = BTreeMap::new();
    for r in adcps.rows() {
        let (Some(arm), Some(day), Some(score)) = (
            r.text("TRT01P").and_then(|a| arms.index(a)),
            r.num("ADY"),
            r.num("AVAL"),
        ) else {
            continue;
        };
        // Only whole scores 0–10 count; anything else is not a WHO CPS score.
        let valid_score = score.fract() == 0.0 && (0.0..WHO_COLOURS.len() as f64).contains(&score);
        let (day, score) = (day as i64, score as usize);
        if valid_score && (day == 1 || (day - 1) % WHO_DAY_STEP == 0) {
            counts.entry((day, arm)).or_insert([0; 11])[score] += 1;
        }
    }
    if counts.is_empty() {
        return not_available("WHO scale scores on day 1 and weekly visits");
    }
    let days: Vec<i64> = {
        let mut d: Vec<i64> = counts.keys().map(|k| k.0).collect();
        d.dedup();
        d
    };
    /// Bar geometry, px.
    const BAR_H: f64 = 14.0;
    const GAP: f64 = 10.0;
    const WIDTH: f64 = 860.0;
    const RIGHT: f64 = 16.0;
    /// Label column: at least 230 px, wide enough for the longest "Day d · arm" label at about
    /// 6.2 px per character of the 11 px tick font, at most 420 px.
    const CHAR_W: f64 = 6.2;
    let longest = days
        .iter()
        .flat_map(|d| {
            arms.names()
                .iter()
                .map(move |a| format!("Day {d} · {a}").chars().count())
        })
        .max()
        .unwrap_or(0);
    let left = (12.0 + CHAR_W * longest as f64).clamp(230.0, 420.0);
    let rows_per_day = arms.len() as f64;
    let height = days.len() as f64 * (rows_per_day * BAR_H + GAP) + 40.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {w} {h}\" \
         width=\"{w}\" height=\"{h}\" role=\"img\"><title>WHO Clinical Progression Scale by day and arm</title>\n",
        w = fixed(WIDTH, 0),
        h = fixed(height, 0)
    );
    let span = WIDTH - left - RIGHT;
    let mut y = 8.0;
    for day in &days {
        for (a, name) in arms.names().iter().enumerate() {
            let Some(c) = counts.get(&(*day, a)) else {
                y += BAR_H;
                continue;
            };
            let total: usize = c.iter().sum();
            s.push_str(&text(
                left - 6.0,
                y + BAR_H - 3.0,
                "end",
                "tick",
                &format!("Day {day} · {name}"),
            ));
            let mut x = left;
            for (score, &n) in c.iter().enumerate() {
                if n == 0 {
                    continue;
                }
                let w = span * n as f64 / total as f64;
                s.push_str(&rect(
                    x,
                    y,
                    w,
                    BAR_H - 2.0,
                    WHO_COLOURS[score],
                    &format!("Day {day}, {name}, WHO {score}: {n} of {total}"),
                ));
                x += w;
            }
            y += BAR_H;
        }
        y += GAP;
    }
    for k in 0..=4 {
        let share = f64::from(k) / 4.0;
        s.push_str(&text(
            left + span * share,
            y + 12.0,
            "middle",
            "tick",
            &format!("{}%", fixed(100.0 * share, 0)),
        ));
    }
    s.push_str("</svg>\n");
    let entries: Vec<(String, &str)> = WHO_COLOURS
        .iter()
        .enumerate()
        .map(|(k, c)| (format!("{k}"), *c))
        .collect();
    s.push_str(&legend(&entries));
    s.push_str(
        "<p class=\"note\">WHO Clinical Progression Scale (0 uninfected … 4–6 hospitalised … \
         7–9 ventilated … 10 dead), share of patients assessed on day 1 and weekly.</p>\n",
    );
    s
}

/// One arm's median and quartiles by study day.
struct Band {
    arm: usize,
    day: Vec<f64>,
    q1: Vec<f64>,
    median: Vec<f64>,
    q3: Vec<f64>,
}

impl Band {
    fn of(arm: usize, by_day: &BTreeMap<i64, Vec<f64>>) -> Self {
        let mut band = Band {
            arm,
            day: Vec::new(),
            q1: Vec::new(),
            median: Vec::new(),
            q3: Vec::new(),
        };
        for (day, values) in by_day {
            if let Some(q) = quartiles(values) {
                band.day.push(*day as f64);
                band.q1.push(q.q1);
                band.median.push(q.median);
                band.q3.push(q.q3);
            }
        }
        band
    }
}

/// Median and interquartile trajectories of the biomarkers by arm (ADLB).
pub fn trajectories(inputs: &Inputs, arms: &ArmList) -> String {
    let Some(adlb) = inputs.adlb.get() else {
        return not_available_input("Biomarker trajectories (ADLB)", &inputs.adlb);
    };
    if !adlb.has(&["PARAMCD", "TRT01P", "ADY", "AVAL"]) || arms.is_empty() {
        return not_available("Biomarker trajectories (ADLB columns)");
    }
    let mut out = String::new();
    for code in lab::TRAJECTORIES {
        // arm → day → values
        let mut values: Vec<BTreeMap<i64, Vec<f64>>> = vec![BTreeMap::new(); arms.len()];
        let mut label = None;
        for r in adlb.rows().filter(|r| r.text("PARAMCD") == Some(code)) {
            let (Some(arm), Some(day), Some(v)) = (
                r.text("TRT01P").and_then(|a| arms.index(a)),
                r.num("ADY"),
                r.num("AVAL"),
            ) else {
                continue;
            };
            label.get_or_insert_with(|| r.text("PARAM").unwrap_or(code).to_owned());
            values[arm].entry(day as i64).or_default().push(v);
        }
        let Some(label) = label else {
            out.push_str(&not_available(&format!("{code} trajectories")));
            continue;
        };
        let series: Vec<Band> = values
            .iter()
            .enumerate()
            .filter(|(_, by_day)| !by_day.is_empty())
            .map(|(arm, by_day)| Band::of(arm, by_day))
            .collect();
        let days_max = series
            .iter()
            .flat_map(|b| b.day.iter().copied())
            .fold(0.0, f64::max);
        let low = series
            .iter()
            .flat_map(|b| b.q1.iter().copied())
            .fold(0.0, f64::min);
        let high = series
            .iter()
            .flat_map(|b| b.q3.iter().copied())
            .fold(low, f64::max);
        let frame = Frame::new(
            Axis::days(days_max, "Study day"),
            Axis::linear(low, high, &label),
        );
        let _ = writeln!(out, "<h3>{}</h3>", esc(&label));
        let mut s = frame.open(&format!("{label}: median and IQR by arm"));
        for band in &series {
            let a = &band.arm;
            s.push_str(&path(
                &frame.band_path(&band.day, &band.q1, &band.q3),
                "none",
                arm_colour(*a),
                " fill-opacity=\"0.18\"",
            ));
            let line: Vec<(f64, f64)> = band
                .day
                .iter()
                .copied()
                .zip(band.median.iter().copied())
                .collect();
            s.push_str(&path(
                &frame.line_path(&line),
                arm_colour(*a),
                "none",
                " stroke-width=\"2\"",
            ));
        }
        s.push_str("</svg>\n");
        s.push_str(&legend(
            &series
                .iter()
                .map(|b| (arms.names()[b.arm].clone(), arm_colour(b.arm)))
                .collect::<Vec<_>>(),
        ));
        out.push_str(&s);
    }
    out.push_str("<p class=\"note\">Lines: median; bands: interquartile range.</p>\n");
    out
}

/// Forest plot of subgroup estimates (summary.json subgroups).
/// One forest plot per (endpoint, measure, compared arm), in the order they first appear.
pub fn forest(inputs: &Inputs) -> String {
    let subgroups = inputs.summary.get().map(|s| &s.subgroups);
    let Some(subgroups) = subgroups.filter(|s| !s.is_empty()) else {
        return not_available("Subgroup estimates (summary.json subgroups)");
    };
    type Key<'a> = (Option<&'a str>, &'a str, Option<&'a str>, Option<&'a str>);
    let mut groups: Vec<(Key, Vec<&Subgroup>)> = Vec::new();
    for g in subgroups {
        let key = (
            g.endpoint.as_deref(),
            g.measure.as_deref().unwrap_or("estimate"),
            g.arm.as_deref(),
            g.reference_arm.as_deref(),
        );
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(g),
            None => groups.push((key, vec![g])),
        }
    }
    let mut out = String::new();
    for ((endpoint, measure, arm, reference), members) in &groups {
        let versus = match (arm, reference) {
            (Some(a), Some(r)) => format!(", {} vs {}", esc(a), esc(r)),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "<h3>{}{}{versus}</h3>",
            endpoint.map_or(String::new(), |e| format!("{}: ", esc(e))),
            esc(&measure_text(measure))
        );
        out.push_str(&forest_figure(measure, members));
    }
    let twins = subgroups.iter().any(|g| g.twin_estimate.is_some());
    out.push_str(&legend(&forest_legend(twins)));
    out.push_str(
        "<p class=\"note\">Squares and lines: the randomized estimate in the subgroup with its 95% \
         interval (n: compared / reference arm). Diamonds: the twin (true) effect, the same \
         measure on the counterfactual twins of the subgroup's patients. Dashed line: no effect.</p>\n",
    );
    out
}

/// Colours of the forest plot's markers: randomized estimate, twin effect.
const FOREST_ESTIMATE: &str = svg::ARM_COLOURS[0];
const FOREST_TWIN: &str = svg::ARM_COLOURS[1];

fn forest_legend(twins: bool) -> Vec<(String, &'static str)> {
    let mut entries = vec![("Randomized estimate (95% CI)".to_owned(), FOREST_ESTIMATE)];
    if twins {
        entries.push(("Twin (true) effect".to_owned(), FOREST_TWIN));
    }
    entries
}

fn forest_figure(measure: &str, subgroups: &[&Subgroup]) -> String {
    let ratio = is_ratio(measure);
    let values = subgroups.iter().flat_map(|s| {
        let ci = s.ci.unwrap_or([None, None]);
        [s.estimate, ci[0], ci[1], s.twin_estimate]
            .into_iter()
            .flatten()
    });
    let (x, null) = svg::forest_axis(values, ratio, &measure_text(measure));
    /// Row height, left label column and right value column, px.
    const ROW: f64 = 22.0;
    const LABELS: f64 = 330.0;
    const VALUES: f64 = 200.0;
    let frame = svg::forest_frame(x, subgroups.len(), ROW, LABELS, VALUES);
    let mut s = frame.open(&format!("Forest plot: {}", measure_text(measure)));
    let top = frame.top;
    s.push_str(&svg::null_line(&frame, null));
    let decimals = if ratio { 2 } else { 3 };
    for (k, g) in subgroups.iter().enumerate() {
        let y = top + (k as f64 + 0.5) * ROW;
        let n = match (g.n_arm, g.n_reference, g.n) {
            (Some(a), Some(r), _) => format!(" (n = {a} / {r})"),
            (_, _, Some(n)) => format!(" (n = {n})"),
            _ => String::new(),
        };
        s.push_str(&text(
            8.0,
            y + 4.0,
            "start",
            "tick",
            &format!("{}: {}{n}", g.subgroup, g.level),
        ));
        let ci = g.ci.unwrap_or([None, None]);
        let est = g.estimate.filter(|e| e.is_finite());
        let twin = g.twin_estimate.filter(|e| e.is_finite());
        s.push_str(&text(
            frame.width - 4.0,
            y + 4.0,
            "end",
            "tick",
            &format!(
                "{} {}{}",
                crate::html::opt(est, decimals),
                crate::html::interval(g.ci, decimals),
                twin.map_or(String::new(), |t| format!(" · twin {}", fixed(t, decimals)))
            ),
        ));
        let clamp = |v: f64| v.clamp(frame.x.min, frame.x.max);
        let (l, r) = (
            ci[0].filter(|v| v.is_finite()).map_or(frame.x.min, clamp),
            ci[1].filter(|v| v.is_finite()).map_or(frame.x.max, clamp),
        );
        if est.is_some() {
            s.push_str(&path(
                &format!(
                    "M{} {}H{}",
                    fixed(frame.px(l), 1),
                    fixed(y, 1),
                    fixed(frame.px(r), 1)
                ),
                "#222",
                "none",
                " stroke-width=\"1.5\"",
            ));
        }
        if let Some(e) = est {
            let px = frame.px(clamp(e));
            s.push_str(&rect(
                px - 4.0,
                y - 4.0,
                8.0,
                8.0,
                FOREST_ESTIMATE,
                &format!("{}: {}", g.level, fixed(e, decimals)),
            ));
        }
        if let Some(t) = twin {
            let px = frame.px(clamp(t));
            let _ = writeln!(
                s,
                "<path d=\"M{} {}L{} {}L{} {}L{} {}Z\" fill=\"{FOREST_TWIN}\" stroke=\"#fff\" \
                 stroke-width=\"0.5\"><title>{}</title></path>",
                fixed(px, 1),
                fixed(y - 5.0, 1),
                fixed(px + 5.0, 1),
                fixed(y, 1),
                fixed(px, 1),
                fixed(y + 5.0, 1),
                fixed(px - 5.0, 1),
                fixed(y, 1),
                esc(&format!("{}: twin {}", g.level, fixed(t, decimals)))
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

/// Number of histogram bins for replicate estimates (Sturges' rule would give ~log2 k + 1;
/// a fixed count keeps the figure comparable between runs).
const REPLICATE_BINS: usize = 20;

/// Distribution of the primary estimate over replicate trials, and power.
pub fn replicates(inputs: &Inputs) -> String {
    let Some(rep) = inputs.summary.get().and_then(|s| s.replicates.as_ref()) else {
        return not_available("Replicate trials");
    };
    let mut out = String::from("<dl class=\"fields\">\n");
    if let Some(k) = rep.k {
        let _ = writeln!(out, "<dt>Replicates</dt><dd>{k}</dd>");
    }
    if let Some(p) = rep.power {
        let _ = writeln!(out, "<dt>Power</dt><dd>{}%</dd>", fixed(100.0 * p, 1));
    }
    out.push_str("</dl>\n");
    let estimates: Vec<f64> = rep
        .estimates
        .iter()
        .flatten()
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    if estimates.is_empty() {
        out.push_str(&not_available("Replicate estimates"));
        return out;
    }
    let measure = measure_text(rep.measure.as_deref().unwrap_or("estimate"));
    let lo = estimates.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = estimates.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let width = if hi > lo {
        (hi - lo) / REPLICATE_BINS as f64
    } else {
        1.0
    };
    let mut bins = [0usize; REPLICATE_BINS];
    for e in &estimates {
        let k = (((e - lo) / width) as usize).min(REPLICATE_BINS - 1);
        bins[k] += 1;
    }
    let top = *bins.iter().max().unwrap_or(&1) as f64;
    let frame = Frame::new(
        Axis::linear(lo, lo + width * REPLICATE_BINS as f64, &measure),
        Axis::linear(0.0, top, "Replicate trials"),
    );
    let mut s = frame.open(&format!("Distribution of {measure} over replicate trials"));
    for (k, &n) in bins.iter().enumerate() {
        let x0 = frame.px(lo + width * k as f64);
        let x1 = frame.px(lo + width * (k + 1) as f64);
        let y = frame.py(n as f64);
        s.push_str(&rect(
            x0 + 0.5,
            y,
            x1 - x0 - 1.0,
            frame.py(0.0) - y,
            svg::ARM_COLOURS[0],
            &format!("{n} replicates"),
        ));
    }
    s.push_str("</svg>\n");
    out.push_str(&s);
    out
}
