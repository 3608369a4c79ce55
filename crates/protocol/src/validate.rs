//! From text to a validated [`Protocol`]: TOML syntax and shape (serde, with spans), then the
//! cross-field rules a trial designer would check by hand. All semantic problems are collected,
//! so one run shows every one of them.
//!
//! Dose bounds are plausibility limits: they catch unit slips (mg for g, L for mL, a missing
//! exponent) and typos, and sit above the largest dose used in COVID-19 studies. They are not
//! dosing advice. Where each upper end comes from:
//!
//! | setting | bounds | why |
//! |---|---|---|
//! | plasma units | 1–6 | trials gave 1–3 units (Perotti 2020; RECOVERY 2 units) |
//! | plasma unit volume | 50–600 mL | one apheresis collection is 500–600 mL (NCT04321421) |
//! | plasma volume per kg | 1–15 mL/kg | 10–15 mL/kg is the usual ceiling for plasma infusion |
//! | MSC dose | 1e5–1e7 cells/kg; 1e6–1e9 flat | COVID-19 trials used 1e6/kg (Leng 2020) and 1e8 flat (Lanzoni 2021) |
//! | dexamethasone | 0.5–40 mg/day | RECOVERY 6 mg; CoDEX 20 mg |
//! | remdesivir | ≤ 400 mg load, ≤ 200 mg/day | label 200 mg then 100 mg |
//! | lopinavir/ritonavir | 100–800 / 25–200 mg per dose | label 400/100 mg twice daily |
//! | interferon alpha | 0.1–30 MIU per dose | 5 MIU nebulized in 2020 Chinese guidance |
//! | ribavirin | 100–2000 mg per dose | 400–500 mg two or three times daily (Hung 2020; China NHC) |
//! | methylprednisolone | 0.1–30 mg/kg/day; 1–1000 mg/day | 1–2 mg/kg/day; pulses of 1 g/day |
//! | immunoglobulin | 0.05–2 g/kg/day | 0.4 g/kg/day for 5 days; 2 g/kg is a full IVIG course in one day |
//! | tocilizumab | 1–12 mg/kg, cap 100–1000 mg | label 8 mg/kg (12 mg/kg under 30 kg), max 800 mg |

use crate::criteria;
use crate::diagnostics::{Diagnostic, FieldPath, ProtocolError, Spans};
use crate::protocol::{
    AllocationFactor, AllocationPlan, AnalysisPlan, Arm, Criterion, DEFAULT_P_PREFERRED, Product,
    Protocol, Regimen,
};
use crate::registry::{Allocation, InterventionModel, Masking};
use crate::schema::{
    AllocationMethod, EndpointKind, Measure, PRODUCT_KEYS, PlasmaKind, ProtocolFile, RegimenFile,
    Route, ScheduleReference, StartDelay,
};
use crate::suggest::did_you_mean;
use crate::variables::{VARIABLES, VarType, Variable};

/// Parse `text` (named `name` in messages) and validate it.
pub fn parse_and_validate(name: &str, text: &str) -> Result<Protocol, ProtocolError> {
    let (spans, syntax) = Spans::with_syntax_errors(text);
    let fail = |diagnostics: Vec<Diagnostic>| ProtocolError {
        file: name.to_string(),
        source_text: text.to_string(),
        diagnostics,
    };
    if !syntax.is_empty() {
        return Err(fail(syntax));
    }
    let file: ProtocolFile =
        toml::from_str(text).map_err(|e| fail(vec![spans.from_toml_error(&e)]))?;
    validate(&file, &spans).map_err(fail)
}

/// Validate a parsed file. `spans` locates problems in the text (use [`Spans::none`] for a
/// file built in code).
pub fn validate(file: &ProtocolFile, spans: &Spans) -> Result<Protocol, Vec<Diagnostic>> {
    let mut v = Validator {
        spans,
        problems: Vec::new(),
    };
    let protocol = v.protocol(file);
    if v.problems.is_empty() {
        Ok(protocol)
    } else {
        v.problems
            .sort_by_key(|d| d.span.as_ref().map_or(usize::MAX, |s| s.start));
        Err(v.problems)
    }
}

/// Parse a registry age (`"18 Years"`, `"6 Months"`) into years.
pub fn age_in_years(text: &str) -> Option<f64> {
    let (number, unit) = text.trim().split_once(' ')?;
    let n: f64 = number.parse::<u32>().ok()?.into();
    let per_year = match unit {
        "Year" | "Years" => 1.0,
        "Month" | "Months" => 12.0,
        "Week" | "Weeks" => 365.25 / 7.0,
        "Day" | "Days" => 365.25,
        "Hour" | "Hours" => 365.25 * 24.0,
        "Minute" | "Minutes" => 365.25 * 24.0 * 60.0,
        _ => return None,
    };
    Some(n / per_year)
}

struct Validator<'s, 'a> {
    spans: &'s Spans<'a>,
    problems: Vec<Diagnostic>,
}

fn p(text: &str) -> FieldPath {
    FieldPath::parse(text)
}

impl Validator<'_, '_> {
    fn error(
        &mut self,
        path: &FieldPath,
        message: impl Into<String>,
        expected: impl Into<String>,
        hint: Option<String>,
    ) {
        let d = self.spans.at(path, message, Some(expected.into()), hint);
        self.problems.push(d);
    }

    /// `value` must lie in `[lo, hi]` (in `unit`).
    fn bounds(&mut self, path: &FieldPath, value: f64, lo: f64, hi: f64, unit: &str) {
        if !(lo..=hi).contains(&value) {
            let hint = (value <= 0.0 && lo > 0.0)
                .then(|| "doses, volumes and counts are positive amounts".to_string());
            self.error(
                path,
                format!("{value} {unit} is out of bounds"),
                format!("a value from {lo} to {hi} {unit}"),
                hint,
            );
        }
    }

    fn count(&mut self, path: &FieldPath, value: u32, lo: u32, hi: u32, unit: &str) {
        self.bounds(path, value.into(), lo.into(), hi.into(), unit);
    }

    fn protocol(&mut self, f: &ProtocolFile) -> Protocol {
        let (minimum_age_years, maximum_age_years) = self.study(f);
        let inclusion = self.criteria("inclusion", &f.eligibility.inclusion);
        let exclusion = self.criteria("exclusion", &f.eligibility.exclusion);
        let regimens = self.regimens(f);
        let arms = self.arms(f);
        self.endpoints(f);
        let covariates = self.analysis(f);
        self.simulation(f);
        let allocation = self.allocation(f);
        self.validation(f);
        Protocol {
            study: f.study.clone(),
            minimum_age_years,
            maximum_age_years,
            inclusion,
            exclusion,
            arms,
            regimens,
            endpoints: f.endpoint.clone(),
            analysis: AnalysisPlan::from_file(&f.analysis, covariates),
            simulation: f.simulation.clone(),
            allocation,
            validation: f.validation.clone(),
        }
    }

    fn study(&mut self, f: &ProtocolFile) -> (Option<f64>, Option<f64>) {
        let s = &f.study;
        for (key, value) in [("id", &s.id), ("brief_title", &s.brief_title)] {
            if value.trim().is_empty() {
                self.error(
                    &p("study").key(key),
                    "empty text",
                    "a non-empty string",
                    None,
                );
            }
        }
        let mut age = |key: &str, value: &Option<String>| -> Option<f64> {
            let text = value.as_ref()?;
            let years = age_in_years(text);
            if years.is_none() {
                self.error(
                    &p("study").key(key),
                    format!("`{text}` is not a registry age"),
                    "a whole number and a unit, e.g. \"18 Years\" or \"6 Months\"",
                    Some("leave the key out for no limit".into()),
                );
            }
            years
        };
        let min = age("minimum_age", &s.minimum_age);
        let max = age("maximum_age", &s.maximum_age);
        if let (Some(lo), Some(hi)) = (min, max)
            && lo > hi
        {
            self.error(
                &p("study.maximum_age"),
                "maximum age is below minimum age",
                "an age at or above `minimum_age`",
                None,
            );
        }
        if s.enrollment == Some(0) {
            self.error(
                &p("study.enrollment"),
                "enrollment of 0",
                "a positive number of participants",
                None,
            );
        }
        let masked = s.masking.unwrap_or(Masking::None);
        let needed = match masked {
            Masking::None => 0,
            Masking::Single => 1,
            Masking::Double => 2,
            Masking::Triple => 3,
            Masking::Quadruple => 4,
        };
        if !s.who_masked.is_empty() && s.who_masked.len() != needed {
            self.error(
                &p("study.who_masked"),
                format!(
                    "{} masked role(s) listed for masking {masked}",
                    s.who_masked.len()
                ),
                format!("{needed} role(s) for {masked}"),
                Some("SINGLE masks one role, DOUBLE two, TRIPLE three, QUADRUPLE four".into()),
            );
        }
        (min, max)
    }

    fn criteria(&mut self, list: &str, texts: &[String]) -> Vec<Criterion> {
        let mut out = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let path = p("eligibility").key(list).index(i);
            match criteria::parse(text) {
                Ok(expr) => out.push(Criterion {
                    text: text.clone(),
                    expr,
                }),
                Err(e) => {
                    let span = self.spans.span_in_string(&path, text, e.at.clone());
                    let d = self.spans.make(
                        path.to_string(),
                        span,
                        e.message,
                        Some(e.expected),
                        e.hint,
                    );
                    self.problems.push(d);
                }
            }
        }
        out
    }

    fn regimens(&mut self, f: &ProtocolFile) -> Vec<Regimen> {
        let mut out = Vec::new();
        for (i, r) in f.regimen.iter().enumerate() {
            let path = p("regimen").index(i);
            if f.regimen[..i].iter().any(|other| other.name == r.name) {
                self.error(
                    &path.key("name"),
                    format!("regimen name `{}` is used twice", r.name),
                    "a unique name",
                    None,
                );
            }
            if let Some(product) = self.product(r, &path) {
                let regimen = Regimen {
                    name: r.name.clone(),
                    relative_to: r.relative_to,
                    start_day: r.start_day,
                    start_delay: r.start_delay,
                    product,
                };
                if let Some(delay) = &r.start_delay {
                    self.start_delay(&path.key("start_delay"), delay);
                }
                let last = regimen
                    .administration_days()
                    .last()
                    .copied()
                    .unwrap_or(r.start_day);
                let follow_up = f.simulation.follow_up_days;
                if r.relative_to == ScheduleReference::Randomization && last > follow_up {
                    let key = if r.start_day > follow_up {
                        "start_day"
                    } else {
                        regimen.product.key()
                    };
                    self.error(
                        &path.key(key),
                        format!("last administration on day {last}, after the end of follow-up (day {follow_up})"),
                        format!("a schedule ending by day {follow_up}"),
                        Some("shorten the schedule or raise `simulation.follow_up_days`".into()),
                    );
                }
                out.push(regimen);
            }
        }
        out
    }

    fn product(&mut self, r: &RegimenFile, path: &FieldPath) -> Option<Product> {
        let mut found: Vec<(&str, Product)> = Vec::new();
        macro_rules! take {
            ($($field:ident => $variant:ident),+) => {
                $(if let Some(x) = &r.$field { found.push((stringify!($field), Product::$variant(x.clone()))); })+
            };
        }
        take!(plasma => Plasma, msc => Msc, dexamethasone => Dexamethasone, remdesivir => Remdesivir,
              lopinavir_ritonavir => LopinavirRitonavir, interferon_alpha => InterferonAlpha,
              ribavirin => Ribavirin, methylprednisolone => Methylprednisolone,
              immunoglobulin => Immunoglobulin, antibiotics => Antibiotics, tocilizumab => Tocilizumab);
        if let Some(b) = &r.bundle {
            found.push(("bundle", Product::Bundle(b.name)));
        }
        let product_list = format!("exactly one product table: {}", PRODUCT_KEYS.join(", "));
        match found.len() {
            0 => {
                self.error(
                    path,
                    format!("regimen `{}` names no product", r.name),
                    product_list,
                    Some("add e.g. `[regimen.plasma]` under this `[[regimen]]`".into()),
                );
                return None;
            }
            1 => {}
            _ => {
                let keys: Vec<&str> = found.iter().map(|(k, _)| *k).collect();
                self.error(
                    &path.key(keys[1]),
                    format!(
                        "regimen `{}` has {} product tables ({})",
                        r.name,
                        keys.len(),
                        keys.join(", ")
                    ),
                    product_list,
                    Some(
                        "split it into one `[[regimen]]` per product and list them all in the arm"
                            .into(),
                    ),
                );
                return None;
            }
        }
        let (key, product) = found.pop()?;
        let at = |field: &str| path.key(key).key(field);
        match &product {
            Product::Plasma(x) => {
                self.count(&at("units"), x.units, 1, 6, "units");
                self.one_of(
                    path.key(key),
                    ("unit_volume_ml", x.unit_volume_ml),
                    ("unit_volume_ml_per_kg", x.unit_volume_ml_per_kg),
                );
                if let Some(v) = x.unit_volume_ml {
                    self.bounds(&at("unit_volume_ml"), v, 50.0, 600.0, "mL");
                }
                if let Some(v) = x.unit_volume_ml_per_kg {
                    self.bounds(&at("unit_volume_ml_per_kg"), v, 1.0, 15.0, "mL/kg");
                }
                self.count(&at("interval_days"), x.interval_days, 0, 14, "days");
                self.bounds(
                    &at("donor_titer").key("median_id50"),
                    x.donor_titer.median_id50,
                    1.0,
                    100_000.0,
                    "ID50",
                );
                self.bounds(
                    &at("donor_titer").key("gsd"),
                    x.donor_titer.gsd,
                    1.0,
                    20.0,
                    "(geometric SD)",
                );
                self.bounds(
                    &at("qualification_min_id50"),
                    x.qualification_min_id50,
                    0.0,
                    100_000.0,
                    "ID50",
                );
                if x.kind == PlasmaKind::Hyperimmune && x.qualification_min_id50 <= 0.0 {
                    self.error(&at("kind"), "hyperimmune plasma without a qualification threshold", "`qualification_min_id50` > 0 for hyperimmune plasma", Some("set the titer threshold units must reach, e.g. 160 for 1:160, or use kind = \"convalescent\"".into()));
                }
            }
            Product::Msc(x) => {
                self.one_of(
                    path.key(key),
                    ("cells_per_kg", x.cells_per_kg),
                    ("cells", x.cells),
                );
                if let Some(v) = x.cells_per_kg {
                    self.bounds(&at("cells_per_kg"), v, 1e5, 1e7, "cells/kg");
                }
                if let Some(v) = x.cells {
                    self.bounds(&at("cells"), v, 1e6, 1e9, "cells");
                }
                self.count(&at("infusions"), x.infusions, 1, 10, "infusions");
                if x.infusions > 1 {
                    self.count(&at("spacing_days"), x.spacing_days, 1, 28, "days");
                }
                if !(x.viability > 0.0 && x.viability <= 1.0) {
                    self.error(
                        &at("viability"),
                        format!("viability {} is not a fraction", x.viability),
                        "a fraction in (0, 1], e.g. 0.9",
                        None,
                    );
                }
            }
            Product::Dexamethasone(x) => {
                self.bounds(&at("mg_per_day"), x.mg_per_day, 0.5, 40.0, "mg/day");
                self.count(&at("days"), x.days, 1, 30, "days");
                self.route(&at("route"), x.route, &[Route::Oral, Route::Intravenous]);
            }
            Product::Remdesivir(x) => {
                self.bounds(&at("loading_mg"), x.loading_mg, 0.0, 400.0, "mg");
                self.bounds(&at("maintenance_mg"), x.maintenance_mg, 1.0, 200.0, "mg");
                self.count(&at("days"), x.days, 1, 14, "days");
            }
            Product::LopinavirRitonavir(x) => {
                self.bounds(&at("lopinavir_mg"), x.lopinavir_mg, 100.0, 800.0, "mg");
                self.bounds(&at("ritonavir_mg"), x.ritonavir_mg, 25.0, 200.0, "mg");
                self.count(&at("doses_per_day"), x.doses_per_day, 1, 4, "doses/day");
                self.count(&at("days"), x.days, 1, 28, "days");
            }
            Product::InterferonAlpha(x) => {
                self.bounds(&at("million_units"), x.million_units, 0.1, 30.0, "MIU");
                self.count(&at("doses_per_day"), x.doses_per_day, 1, 4, "doses/day");
                self.route(
                    &at("route"),
                    x.route,
                    &[Route::Nebulized, Route::Subcutaneous],
                );
                self.count(&at("days"), x.days, 1, 28, "days");
            }
            Product::Ribavirin(x) => {
                self.bounds(&at("mg_per_dose"), x.mg_per_dose, 100.0, 2000.0, "mg");
                self.count(&at("doses_per_day"), x.doses_per_day, 1, 4, "doses/day");
                self.route(&at("route"), x.route, &[Route::Oral, Route::Intravenous]);
                self.count(&at("days"), x.days, 1, 28, "days");
            }
            Product::Methylprednisolone(x) => {
                self.one_of(
                    path.key(key),
                    ("mg_per_kg_per_day", x.mg_per_kg_per_day),
                    ("mg_per_day", x.mg_per_day),
                );
                if let Some(v) = x.mg_per_kg_per_day {
                    self.bounds(&at("mg_per_kg_per_day"), v, 0.1, 30.0, "mg/kg/day");
                }
                if let Some(v) = x.mg_per_day {
                    self.bounds(&at("mg_per_day"), v, 1.0, 1000.0, "mg/day");
                }
                self.count(&at("days"), x.days, 1, 30, "days");
            }
            Product::Immunoglobulin(x) => {
                self.bounds(
                    &at("g_per_kg_per_day"),
                    x.g_per_kg_per_day,
                    0.05,
                    2.0,
                    "g/kg/day",
                );
                self.count(&at("days"), x.days, 1, 10, "days");
            }
            Product::Antibiotics(x) => {
                if x.agent.trim().is_empty() {
                    self.error(
                        &at("agent"),
                        "empty agent name",
                        "an agent such as \"meropenem\"",
                        None,
                    );
                }
                self.count(&at("days"), x.days, 1, 42, "days");
            }
            Product::Tocilizumab(x) => {
                self.bounds(&at("mg_per_kg"), x.mg_per_kg, 1.0, 12.0, "mg/kg");
                self.bounds(&at("max_mg"), x.max_mg, 100.0, 1000.0, "mg");
                self.count(&at("doses"), x.doses, 1, 3, "doses");
                if x.doses > 1 {
                    self.count(&at("spacing_days"), x.spacing_days, 1, 7, "days");
                }
            }
            Product::Bundle(_) => {}
        }
        Some(product)
    }

    /// Plausibility bounds of a start-delay distribution (a delay of more than 30 days is a
    /// different schedule, not a delay).
    fn start_delay(&mut self, path: &FieldPath, delay: &StartDelay) {
        match *delay {
            StartDelay::Uniform { min_days, max_days } => {
                self.bounds(&path.key("min_days"), min_days, 0.0, 30.0, "days");
                self.bounds(
                    &path.key("max_days"),
                    max_days,
                    min_days.max(0.0),
                    30.0,
                    "days",
                );
            }
            StartDelay::Gamma { shape, scale_days } => {
                self.positive(&path.key("shape"), shape, 100.0, "");
                self.positive(&path.key("scale_days"), scale_days, 30.0, "days");
            }
            StartDelay::Lognormal { median_days, sdlog } => {
                self.positive(&path.key("median_days"), median_days, 30.0, "days");
                self.positive(&path.key("sdlog"), sdlog, 3.0, "");
            }
        }
    }

    /// `value` must lie in `(0, hi]`.
    fn positive(&mut self, path: &FieldPath, value: f64, hi: f64, unit: &str) {
        if !(value > 0.0 && value <= hi) {
            self.error(
                path,
                format!("{value} {unit} is out of bounds"),
                format!("a value above 0 and at most {hi} {unit}"),
                None,
            );
        }
    }

    /// Exactly one of two alternative keys must be set.
    fn one_of(&mut self, table: FieldPath, a: (&str, Option<f64>), b: (&str, Option<f64>)) {
        match (a.1, b.1) {
            (Some(_), Some(_)) => self.error(
                &table.key(b.0),
                format!("both `{}` and `{}` are set", a.0, b.0),
                format!("one of `{}` or `{}`", a.0, b.0),
                Some("remove one of them".into()),
            ),
            (None, None) => self.error(
                &table,
                format!("neither `{}` nor `{}` is set", a.0, b.0),
                format!("one of `{}` or `{}`", a.0, b.0),
                None,
            ),
            _ => {}
        }
    }

    fn route(&mut self, path: &FieldPath, route: Route, allowed: &[Route]) {
        if !allowed.contains(&route) {
            let names: Vec<String> = allowed
                .iter()
                .map(|r| format!("\"{}\"", route_name(*r)))
                .collect();
            self.error(
                path,
                format!(
                    "route \"{}\" is not used for this product",
                    route_name(route)
                ),
                format!("one of {}", names.join(", ")),
                None,
            );
        }
    }

    fn arms(&mut self, f: &ProtocolFile) -> Vec<Arm> {
        let names: Vec<&str> = f.regimen.iter().map(|r| r.name.as_str()).collect();
        let mut arms = Vec::new();
        for (i, a) in f.arm.iter().enumerate() {
            let path = p("arm").index(i);
            if a.label.trim().is_empty() {
                self.error(
                    &path.key("label"),
                    "empty arm label",
                    "a non-empty label",
                    None,
                );
            }
            if f.arm[..i].iter().any(|other| other.label == a.label) {
                self.error(
                    &path.key("label"),
                    format!("arm label `{}` is used twice", a.label),
                    "a unique label",
                    None,
                );
            }
            if a.ratio == 0 {
                self.error(
                    &path.key("ratio"),
                    "allocation ratio 0",
                    "a whole number > 0 (1 and 1 for 1:1, 2 and 1 for 2:1)",
                    Some("to drop an arm, delete its [[arm]] table".into()),
                );
            }
            let mut regimens = Vec::new();
            for (j, name) in a.regimens.iter().enumerate() {
                match names.iter().position(|n| n == name) {
                    Some(k) if regimens.contains(&k) => self.error(
                        &path.key("regimens").index(j),
                        format!("regimen `{name}` listed twice"),
                        "each regimen once",
                        None,
                    ),
                    Some(k) => regimens.push(k),
                    None => {
                        let hint = did_you_mean(name, &names)
                            .or_else(|| Some(format!("defined regimens: {}", names.join(", "))));
                        self.error(
                            &path.key("regimens").index(j),
                            format!("no regimen named `{name}`"),
                            "the name of a [[regimen]] in this file",
                            hint,
                        );
                    }
                }
            }
            arms.push(Arm {
                label: a.label.clone(),
                arm_type: a.arm_type,
                ratio: a.ratio,
                regimens,
                description: a.description.clone(),
            });
        }
        let n = f.arm.len();
        let model = f.study.intervention_model;
        let at_model = p("study.intervention_model");
        if n == 0 {
            self.error(
                &p("study"),
                "no arms",
                "at least one [[arm]] table",
                Some("add `[[arm]]` with `label`, `type` and `regimens`".into()),
            );
        } else if model == InterventionModel::SingleGroup && n != 1 {
            self.error(
                &at_model,
                format!("SINGLE_GROUP design with {n} arms"),
                "exactly one [[arm]] for SINGLE_GROUP",
                Some("use PARALLEL for several arms, or delete the extra [[arm]]".into()),
            );
        } else if model != InterventionModel::SingleGroup && n < 2 {
            self.error(
                &at_model,
                format!("{model} design with 1 arm"),
                format!("at least 2 arms for {model}"),
                Some("use SINGLE_GROUP for a one-arm study".into()),
            );
        }
        let allocation = f.study.allocation;
        if allocation == Allocation::Randomized && n == 1 {
            self.error(
                &p("study.allocation"),
                "RANDOMIZED allocation with 1 arm",
                "at least 2 arms to randomize between",
                Some("use allocation = \"NA\" for a single-group study".into()),
            );
        }
        if allocation == Allocation::Na && n > 1 {
            self.error(
                &p("study.allocation"),
                format!("allocation NA with {n} arms"),
                "RANDOMIZED or NON_RANDOMIZED when there are several arms",
                None,
            );
        }
        arms
    }

    fn endpoints(&mut self, f: &ProtocolFile) {
        let follow_up = f.simulation.follow_up_days;
        if f.endpoint.is_empty() {
            self.error(
                &FieldPath::root(),
                "no endpoints",
                "at least one [[endpoint]], exactly one with `primary = true`",
                None,
            );
            return;
        }
        let primaries: Vec<usize> = f
            .endpoint
            .iter()
            .enumerate()
            .filter(|(_, e)| e.primary)
            .map(|(i, _)| i)
            .collect();
        match primaries.len() {
            1 => {}
            0 => self.error(
                &p("endpoint[0]"),
                "no primary endpoint",
                "exactly one [[endpoint]] with `primary = true`",
                Some("mark the primary endpoint with `primary = true`".into()),
            ),
            k => self.error(
                &p("endpoint").index(primaries[1]).key("primary"),
                format!("{k} primary endpoints"),
                "exactly one [[endpoint]] with `primary = true`",
                Some("keep one primary; the others are secondary (`primary = false`)".into()),
            ),
        }
        for (i, e) in f.endpoint.iter().enumerate() {
            let path = p("endpoint").index(i);
            if f.endpoint[..i].iter().any(|other| other.name == e.name) {
                self.error(
                    &path.key("name"),
                    format!("endpoint name `{}` is used twice", e.name),
                    "a unique name",
                    None,
                );
            }
            if e.day == 0 || e.day > follow_up {
                self.error(
                    &path.key("day"),
                    format!("day {} is outside follow-up (days 1 to {follow_up})", e.day),
                    format!("a day from 1 to {follow_up}"),
                    Some("raise `simulation.follow_up_days` or move the time point".into()),
                );
            }
            if let Some(from) = e.from_day
                && from >= e.day
            {
                self.error(
                    &path.key("from_day"),
                    format!(
                        "window starts on day {from}, not before its end (day {})",
                        e.day
                    ),
                    format!("a day before {}", e.day),
                    None,
                );
            }
            let allowed = allowed_kinds(e.measure);
            if !allowed.contains(&e.kind) {
                let names: Vec<String> = allowed
                    .iter()
                    .map(|k| format!("\"{}\"", kind_name(*k)))
                    .collect();
                self.error(
                    &path.key("kind"),
                    format!(
                        "kind \"{}\" does not fit measure \"{}\"",
                        kind_name(e.kind),
                        measure_name(e.measure)
                    ),
                    format!("one of {}", names.join(", ")),
                    None,
                );
            }
        }
    }

    fn analysis(&mut self, f: &ProtocolFile) -> Vec<Variable> {
        let a = &f.analysis;
        if !(a.alpha > 0.0 && a.alpha <= 0.5) {
            self.error(
                &p("analysis.alpha"),
                format!("alpha {} is not a significance level", a.alpha),
                "a value in (0, 0.5], usually 0.05",
                None,
            );
        }
        if a.sides != 1 && a.sides != 2 {
            self.error(
                &p("analysis.sides"),
                format!("{} sides", a.sides),
                "1 or 2",
                None,
            );
        }
        let names: Vec<&str> = VARIABLES.iter().map(|v| v.name).collect();
        let mut out = Vec::new();
        for (i, name) in a.covariates.iter().enumerate() {
            match Variable::from_name(name) {
                Some(v) => out.push(v),
                None => self.error(
                    &p("analysis.covariates").index(i),
                    format!("unknown variable `{name}`"),
                    "a baseline variable (see docs/protocol.md, \"Variables\")",
                    did_you_mean(name, &names),
                ),
            }
        }
        out
    }

    /// `[allocation]`: the method's settings, checked against the arms' ratio.
    fn allocation(&mut self, f: &ProtocolFile) -> Option<AllocationPlan> {
        let a = f.allocation.as_ref()?;
        let at = |key: &str| p("allocation").key(key);
        let method = a.method;
        let method_name = crate::schema::spelling(&method);
        if f.arm.len() == 1 {
            self.error(
                &at("method"),
                "a single-group study has nothing to allocate",
                "no [allocation] table for a one-arm study",
                Some("delete the [allocation] table, or add arms".into()),
            );
        }
        let blocks = matches!(
            method,
            AllocationMethod::PermutedBlocks | AllocationMethod::StratifiedBlocks
        );
        let stratified = matches!(
            method,
            AllocationMethod::StratifiedBlocks | AllocationMethod::Minimisation
        );
        let minimisation = method == AllocationMethod::Minimisation;
        let ratios: Vec<String> = f.arm.iter().map(|arm| arm.ratio.to_string()).collect();
        let ratio_sum: u32 = f.arm.iter().map(|arm| arm.ratio).sum::<u32>().max(1);
        let mut block_sizes = Vec::new();
        if blocks {
            for (i, &size) in a.block_sizes.iter().enumerate() {
                if size == 0 || size % ratio_sum != 0 {
                    self.error(
                        &at("block_sizes").index(i),
                        format!(
                            "block size {size} is not a multiple of the ratio sum {ratio_sum} (ratio {})",
                            ratios.join(":")
                        ),
                        format!(
                            "a positive multiple of {ratio_sum}, e.g. {}, {} or {}",
                            ratio_sum,
                            2 * ratio_sum,
                            3 * ratio_sum
                        ),
                        Some(format!(
                            "every block holds each arm in the ratio, so its size is a multiple of {ratio_sum}; use e.g. block_sizes = [{}, {}]",
                            2 * ratio_sum,
                            3 * ratio_sum
                        )),
                    );
                }
            }
            block_sizes = if a.block_sizes.is_empty() {
                vec![2 * ratio_sum]
            } else {
                a.block_sizes.clone()
            };
        } else if !a.block_sizes.is_empty() {
            self.error(
                &at("block_sizes"),
                format!("block sizes given for method \"{method_name}\""),
                "block_sizes only with \"permuted_blocks\" or \"stratified_blocks\"",
                Some("remove `block_sizes`, or choose a blocks method".into()),
            );
        }
        let factors = self.allocation_factors(a, stratified, &method_name);
        let mut weights = Vec::new();
        if minimisation {
            if a.weights.is_empty() {
                weights = vec![1.0; factors.len()];
            } else if a.weights.len() != a.factors.len() {
                self.error(
                    &at("weights"),
                    format!(
                        "{} weights for {} factors",
                        a.weights.len(),
                        a.factors.len()
                    ),
                    "one weight per factor, in the order of `factors`",
                    None,
                );
            } else {
                for (i, &w) in a.weights.iter().enumerate() {
                    if !(w.is_finite() && w > 0.0) {
                        self.error(
                            &at("weights").index(i),
                            format!("weight {w} is not a positive number"),
                            "a weight > 0 (1 for the unweighted rule)",
                            None,
                        );
                    }
                }
                weights = a.weights.clone();
            }
        } else {
            for (key, given) in [
                ("weights", !a.weights.is_empty()),
                ("p_preferred", a.p_preferred.is_some()),
            ] {
                if given {
                    self.error(
                        &at(key),
                        format!("`{key}` given for method \"{method_name}\""),
                        format!("`{key}` only with \"minimisation\""),
                        Some(format!("remove `{key}`")),
                    );
                }
            }
        }
        let p_preferred = a.p_preferred.unwrap_or(DEFAULT_P_PREFERRED);
        if !(p_preferred > 0.0 && p_preferred <= 1.0) {
            self.error(
                &at("p_preferred"),
                format!("probability {p_preferred} is out of bounds"),
                "a probability in (0, 1], usually 0.7 to 0.9",
                Some("1 makes minimisation deterministic".into()),
            );
        }
        Some(AllocationPlan {
            method,
            block_sizes,
            factors,
            weights,
            p_preferred,
        })
    }

    fn allocation_factors(
        &mut self,
        a: &crate::schema::AllocationTable,
        stratified: bool,
        method_name: &str,
    ) -> Vec<AllocationFactor> {
        let at = |key: &str| p("allocation").key(key);
        if !stratified {
            if !a.factors.is_empty() {
                self.error(
                    &at("factors"),
                    format!("factors given for method \"{method_name}\""),
                    "factors only with \"stratified_blocks\" or \"minimisation\"",
                    Some("remove `factors`, or choose a stratified method".into()),
                );
            }
        } else if a.factors.is_empty() {
            self.error(
                &at("method"),
                format!("method \"{method_name}\" without factors"),
                "`factors = [...]` naming at least one baseline variable",
                Some("e.g. factors = [\"age\"] with [allocation.factor.age] cutoffs = [65]".into()),
            );
        }
        let names: Vec<&str> = VARIABLES.iter().map(|v| v.name).collect();
        let mut out = Vec::new();
        for (i, name) in a.factors.iter().enumerate() {
            let path = at("factors").index(i);
            if a.factors[..i].contains(name) {
                self.error(
                    &path,
                    format!("factor `{name}` listed twice"),
                    "each factor once",
                    None,
                );
                continue;
            }
            let Some(variable) = Variable::from_name(name) else {
                self.error(
                    &path,
                    format!("unknown variable `{name}`"),
                    "a baseline variable (see docs/protocol.md, \"Variables\")",
                    did_you_mean(name, &names),
                );
                continue;
            };
            let cutoffs = a
                .factor
                .get(name)
                .map(|t| t.cutoffs.clone())
                .unwrap_or_default();
            let table = at("factor").key(name);
            match variable.info().ty {
                VarType::Number if cutoffs.is_empty() => self.error(
                    &path,
                    format!("numeric factor `{name}` has no cut points"),
                    format!("`[allocation.factor.{name}]` with `cutoffs = [...]`"),
                    Some(format!(
                        "e.g. [allocation.factor.{name}] cutoffs = [65] makes two levels"
                    )),
                ),
                VarType::Number => {
                    let increasing = cutoffs.windows(2).all(|w| w[0] < w[1]);
                    if !increasing || cutoffs.iter().any(|c| !c.is_finite()) {
                        self.error(
                            &table.key("cutoffs"),
                            "cut points are not strictly increasing finite numbers",
                            "increasing numbers, e.g. [50, 65]",
                            None,
                        );
                    }
                }
                _ if !cutoffs.is_empty() => self.error(
                    &table.key("cutoffs"),
                    format!("cut points for `{name}`, which is not a number"),
                    "no cut points: a boolean has 2 levels, a category one per value",
                    Some(format!("remove `cutoffs` from [allocation.factor.{name}]")),
                ),
                _ => {}
            }
            out.push(AllocationFactor { variable, cutoffs });
        }
        for key in a.factor.keys() {
            if !a.factors.contains(key) {
                self.error(
                    &at("factor").key(key),
                    format!("settings for `{key}`, which is not in `factors`"),
                    "a table for each name listed in `factors`",
                    Some(format!("add \"{key}\" to `factors`, or delete this table")),
                );
            }
        }
        out
    }

    fn simulation(&mut self, f: &ProtocolFile) {
        let s = &f.simulation;
        if s.population.trim().is_empty() {
            self.error(
                &p("simulation.population"),
                "empty population name",
                "a population name such as \"hospitalized_severe\"",
                None,
            );
        }
        self.count(
            &p("simulation.patients"),
            s.patients,
            1,
            1_000_000,
            "patients",
        );
        self.count(
            &p("simulation.replicates"),
            s.replicates,
            1,
            10_000,
            "replicates",
        );
        self.count(
            &p("simulation.follow_up_days"),
            s.follow_up_days,
            1,
            365,
            "days",
        );
        if let Some(loss) = &s.loss_to_follow_up {
            let at = |key: &str| p("simulation.loss_to_follow_up").key(key);
            match (loss.rate_per_day, loss.proportion) {
                (Some(_), Some(_)) => self.error(
                    &at("proportion"),
                    "both `rate_per_day` and `proportion` are set",
                    "one of `rate_per_day` or `proportion` with `by_day`",
                    Some("remove one of them".into()),
                ),
                (None, None) => self.error(
                    &p("simulation.loss_to_follow_up"),
                    "neither `rate_per_day` nor `proportion` is set",
                    "`{ rate_per_day = 0.002 }` or `{ proportion = 0.05, by_day = 28 }`",
                    None,
                ),
                (Some(rate), None) => {
                    self.bounds(&at("rate_per_day"), rate, 0.0, 1.0, "per day");
                    if loss.by_day.is_some() {
                        self.error(
                            &at("by_day"),
                            "`by_day` without `proportion`",
                            "`by_day` only with `proportion`",
                            Some("remove `by_day`".into()),
                        );
                    }
                }
                (None, Some(share)) => {
                    if !(0.0..1.0).contains(&share) {
                        self.error(
                            &at("proportion"),
                            format!("proportion {share} is out of bounds"),
                            "a share in [0, 1), e.g. 0.05",
                            None,
                        );
                    }
                    match loss.by_day {
                        None => self.error(
                            &p("simulation.loss_to_follow_up"),
                            "`proportion` without `by_day`",
                            "`by_day`: the day by which that share is lost",
                            Some(format!("e.g. by_day = {}", s.follow_up_days)),
                        ),
                        Some(day) => {
                            self.count(&at("by_day"), day, 1, s.follow_up_days.max(1), "days")
                        }
                    }
                }
            }
        }
    }
}

impl Validator<'_, '_> {
    fn validation(&mut self, f: &ProtocolFile) {
        let Some(v) = &f.validation else { return };
        for problem in crate::validation::problems(v, f) {
            self.error(
                &problem.path,
                problem.message,
                problem.expected,
                problem.hint,
            );
        }
    }
}

/// Statistical types that make sense for a measure.
fn allowed_kinds(m: Measure) -> &'static [EndpointKind] {
    use EndpointKind::*;
    match m {
        Measure::Death
        | Measure::ClinicalImprovement
        | Measure::Discharge
        | Measure::ViralClearance
        | Measure::Extubation => &[Binary, TimeToEvent],
        Measure::WhoScore => &[Ordinal, Binary, Continuous],
        Measure::ViralLoad
        | Measure::LymphocyteCount
        | Measure::PfRatio
        | Measure::Il6
        | Measure::NeutralizingTiter => &[Continuous],
        Measure::TransfusionReaction | Measure::AdverseEvent => &[Binary, TimeToEvent],
        Measure::VentilatorFreeDays | Measure::OrganSupportFreeDays => &[Ordinal, Continuous],
        Measure::SevereRespiratoryDisease => &[Binary, TimeToEvent],
    }
}

/// The file spelling of a route.
pub fn route_name(r: Route) -> String {
    crate::schema::spelling(&r)
}
/// The file spelling of an endpoint kind.
pub fn kind_name(k: EndpointKind) -> String {
    crate::schema::spelling(&k)
}
/// The file spelling of a measure.
pub fn measure_name(m: Measure) -> String {
    crate::schema::spelling(&m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_ages_convert_to_years() {
        assert_eq!(age_in_years("18 Years"), Some(18.0));
        assert_eq!(age_in_years("6 Months"), Some(0.5));
        assert_eq!(age_in_years("1 Year"), Some(1.0));
        assert_eq!(age_in_years("18 years"), None);
        assert_eq!(age_in_years("N/A"), None);
        assert_eq!(age_in_years("-3 Years"), None);
    }

    const SEED: &str = include_str!("../../../protocols/nct04385043-hyperimmune-plasma.toml");

    /// Paths of the problems in the seed protocol with `from` replaced by `to`.
    fn problems(from: &str, to: &str) -> Vec<String> {
        assert!(SEED.contains(from));
        match parse_and_validate("t.toml", &SEED.replacen(from, to, 1)) {
            Ok(_) => Vec::new(),
            Err(e) => e.diagnostics.into_iter().map(|d| d.path).collect(),
        }
    }

    #[test]
    fn loss_to_follow_up_needs_one_consistent_form() {
        let at = |loss: &str| {
            problems(
                "follow_up_days = 28",
                &format!("follow_up_days = 28\nloss_to_follow_up = {loss}"),
            )
        };
        assert!(at("{ rate_per_day = 0.002 }").is_empty());
        assert!(at("{ proportion = 0.05, by_day = 28 }").is_empty());
        assert_eq!(
            at("{ rate_per_day = 0.002, proportion = 0.05 }"),
            ["simulation.loss_to_follow_up.proportion"]
        );
        assert_eq!(
            at("{ proportion = 0.05 }"),
            ["simulation.loss_to_follow_up"]
        );
        assert_eq!(
            at("{ proportion = 1.0, by_day = 28 }"),
            ["simulation.loss_to_follow_up.proportion"]
        );
        assert_eq!(
            at("{ proportion = 0.05, by_day = 40 }"),
            ["simulation.loss_to_follow_up.by_day"]
        );
        // Unknown keys are refused by the parser.
        assert!(!at("{ rate = 0.002 }").is_empty());
    }

    #[test]
    fn start_delays_are_checked_per_distribution() {
        let at = |delay: &str| {
            problems(
                "[regimen.plasma]",
                &format!("start_delay = {delay}\n[regimen.plasma]"),
            )
        };
        assert!(at("{ distribution = \"uniform\", min_days = 0, max_days = 2 }").is_empty());
        assert!(at("{ distribution = \"gamma\", shape = 2, scale_days = 0.5 }").is_empty());
        assert!(at("{ distribution = \"lognormal\", median_days = 1, sdlog = 0.5 }").is_empty());
        assert_eq!(
            at("{ distribution = \"uniform\", min_days = 3, max_days = 2 }"),
            ["regimen[1].start_delay.max_days"]
        );
        assert_eq!(
            at("{ distribution = \"gamma\", shape = 0, scale_days = 0.5 }"),
            ["regimen[1].start_delay.shape"]
        );
        assert!(!at("{ distribution = \"uniform\", min_days = 0, max = 2 }").is_empty());
        assert!(!at("{ distribution = \"weibull\", shape = 2 }").is_empty());
    }
}
