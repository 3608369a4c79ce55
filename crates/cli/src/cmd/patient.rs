//! `immunotrial patient`: one virtual patient's course, day by day since symptom onset.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use miette::miette;
use model::clinical::Support;
use model::params::closest_name;
use model::presets::case_report_params;
use model::{Covariates, DoseInput, ParamError, Params, Phenotype, Sex};
use solve::{DEFAULT_INCUBATION_DAYS, DEFAULT_ONSET_TO_ADMISSION_DAYS, PatientProblem, Trajectory};
use therapy::give::GiveError;
use therapy::schedule::ConditionalDoses;
use therapy::{AboGroup, PatientContext, Regimen, Treatment};

use crate::exit::CliError;

/// Arguments of `immunotrial patient`.
#[derive(Args, Debug)]
pub struct PatientArgs {
    /// Phenotype preset the parameters start from.
    #[arg(long, value_enum, default_value_t = PhenotypeArg::Severe)]
    pub phenotype: PhenotypeArg,
    /// Age, years (18-110).
    #[arg(long, default_value_t = 60.0)]
    pub age: f64,
    /// Sex (for the hazard ratio).
    #[arg(long, value_enum, default_value_t = SexArg::Female)]
    pub sex: SexArg,
    /// Body weight, kg (30-250).
    #[arg(long, default_value_t = 75.0)]
    pub weight: f64,
    /// Override a model parameter, NAME=VALUE (repeatable; names and bounds in docs/model.md).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Days of follow-up after symptom onset.
    #[arg(long, default_value_t = 60)]
    pub days: u32,
    /// Incubation period: days from infection to symptom onset.
    #[arg(long, default_value_t = DEFAULT_INCUBATION_DAYS)]
    pub incubation: f64,
    /// Admission (start of the death hazard), days after symptom onset.
    #[arg(long, default_value_t = DEFAULT_ONSET_TO_ADMISSION_DAYS)]
    pub admission: f64,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also write an SVG plot of the course to this file.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    /// Give a product, PRODUCT@DAY[:key=value,...], DAY in days since symptom onset (repeatable),
    /// e.g. plasma@3:units=2,titer=1000 or msc@7:dose=1e6,infusions=3 or dexamethasone@5.
    #[arg(long = "give", value_name = "PRODUCT@DAY[:k=v,...]")]
    pub give: Vec<String>,
    /// Seed of the random draws of `--give` (plasma donors' titers and ABO groups).
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Recipient ABO group (plasma compatibility).
    #[arg(long, value_enum, default_value_t = AboArg::O)]
    pub abo: AboArg,
    /// Replay the Peng 2020 case report: the case-report patient (severe preset with a slow, weak
    /// own antibody response; see docs/therapy.md) given the bundled regimen
    /// (protocols/case-report-plasma-then-msc.toml). Replaces --phenotype; --set and --give add to it.
    #[arg(long)]
    pub case_report: bool,
}

/// Default `--seed`: fixed, so that the same command gives the same course.
pub const DEFAULT_SEED: u64 = 20_200_101;

/// The case report's regimen (protocols/case-report-plasma-then-msc.toml) as `--give` values,
/// days since symptom onset: admission on day 7 (the default onset-to-admission interval)
/// with the first-line drugs, convalescent plasma three days later (day 10) when still
/// deteriorating, then three umbilical-cord MSC infusions from day 12, every 3 days. Days are
/// assumptions (the report gives none); doses follow the protocol file (the plasma titer is fixed
/// at the donors' median 1:640 instead of drawn).
pub const CASE_REPORT_GIVES: [&str; 3] = [
    "case_report_2020@7",
    "plasma@10:units=1,volume=200,titer=640,reduction=methylene_blue",
    "msc@12:dose=1e6,infusions=3,interval=3,source=umbilical_cord,viability=0.9",
];

/// Recipient ABO group on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AboArg {
    O,
    A,
    B,
    Ab,
}

impl From<AboArg> for AboGroup {
    fn from(a: AboArg) -> Self {
        match a {
            AboArg::O => AboGroup::O,
            AboArg::A => AboGroup::A,
            AboArg::B => AboGroup::B,
            AboArg::Ab => AboGroup::AB,
        }
    }
}

/// Phenotype names on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PhenotypeArg {
    Mild,
    Moderate,
    Severe,
    Critical,
}

impl From<PhenotypeArg> for Phenotype {
    fn from(p: PhenotypeArg) -> Self {
        match p {
            PhenotypeArg::Mild => Phenotype::Mild,
            PhenotypeArg::Moderate => Phenotype::Moderate,
            PhenotypeArg::Severe => Phenotype::Severe,
            PhenotypeArg::Critical => Phenotype::Critical,
        }
    }
}

/// Sex on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SexArg {
    Female,
    Male,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for reading.
    Table,
    /// One row per day, comma-separated, with a header.
    Csv,
    /// `{ "rows": [...], "events": [...], "doses": [...], "administrations": [...], "summary": {...} }`.
    Json,
}

/// Why the arguments are wrong.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum PatientInputError {
    /// `--set` without `=`.
    #[error("--set expects NAME=VALUE, got `{0}`")]
    #[diagnostic(help("for example --set f_ifn=0.15"))]
    SetSyntax(String),
    /// The value is not a number.
    #[error("--set {name}: `{value}` is not a number")]
    SetValue { name: String, value: String },
    /// Unknown parameter or out of bounds.
    #[error(transparent)]
    #[diagnostic(help("{}", param_help(.0)))]
    Param(ParamError),
    /// Covariate out of range.
    #[error(transparent)]
    Covariate(model::params::CovariateError),
    /// Clock values out of range.
    #[error("--incubation and --admission must be finite and >= 0 (got {0} and {1})")]
    Clock(f64, f64),
    /// A `--give` value is wrong.
    #[error("--give: {0}")]
    #[diagnostic(help("{}", give_help(.0)))]
    Give(GiveError),
    /// The patient cannot receive the regimen (weight or incubation out of the therapy bounds).
    #[error("--give: {0}")]
    Recipient(therapy::SpecError),
    /// No plasma unit could be issued.
    #[error("--give: {0}")]
    Issue(therapy::plasma::IssueError),
    /// A dose falls outside the follow-up.
    #[error("--give: {0}")]
    #[diagnostic(help("give doses on days 0 to --days"))]
    Dose(solve::ProblemError),
}

fn give_help(e: &GiveError) -> String {
    match e {
        GiveError::UnknownProduct { .. } => format!(
            "products and bundles: {}",
            therapy::give::product_names().join(", ")
        ),
        _ => "PRODUCT@DAY[:key=value,...], e.g. plasma@3:units=2,titer=1000 (keys in docs/therapy.md)"
            .into(),
    }
}

fn param_help(e: &ParamError) -> String {
    match e {
        ParamError::Unknown { .. } => {
            "parameter names and bounds are listed in docs/model.md".into()
        }
        ParamError::OutOfBounds {
            lower, upper, unit, ..
        } => {
            format!("choose a value in [{lower}, {upper}] {unit}")
        }
    }
}

/// Parse `--set` arguments onto `params`.
pub fn apply_overrides(params: &mut Params, sets: &[String]) -> Result<(), PatientInputError> {
    for item in sets {
        let (name, value) = item
            .split_once('=')
            .ok_or_else(|| PatientInputError::SetSyntax(item.clone()))?;
        let (name, value) = (name.trim(), value.trim());
        if params.get(name).is_none() {
            let e = ParamError::Unknown {
                name: name.to_string(),
                suggestion: closest_name(name),
            };
            return Err(PatientInputError::Param(e));
        }
        let v: f64 = value.parse().map_err(|_| PatientInputError::SetValue {
            name: name.to_string(),
            value: value.to_string(),
        })?;
        params.set(name, v).map_err(PatientInputError::Param)?;
    }
    Ok(())
}

/// The regimen of all `--give` values (after the case report's, with `--case-report`).
pub fn regimen_from(args: &PatientArgs) -> Result<Regimen, PatientInputError> {
    let case = if args.case_report {
        &CASE_REPORT_GIVES[..]
    } else {
        &[]
    };
    let mut items = Vec::new();
    for text in case
        .iter()
        .copied()
        .chain(args.give.iter().map(String::as_str))
    {
        items.extend(
            therapy::give::parse(text)
                .map_err(PatientInputError::Give)?
                .items,
        );
    }
    let name = case
        .iter()
        .copied()
        .chain(args.give.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Regimen { name, items })
}

/// Build the problem and the realised treatment from the arguments (all input checks happen
/// here).
pub fn problem_from(args: &PatientArgs) -> Result<(PatientProblem, Treatment), PatientInputError> {
    let mut params = if args.case_report {
        case_report_params()
    } else {
        Phenotype::from(args.phenotype).params()
    };
    apply_overrides(&mut params, &args.set)?;
    let covariates = Covariates {
        age_years: args.age,
        sex: match args.sex {
            SexArg::Female => Sex::Female,
            SexArg::Male => Sex::Male,
        },
        weight_kg: args.weight,
        hr_comorbidity: 1.0,
    };
    covariates
        .validate()
        .map_err(PatientInputError::Covariate)?;
    let ok = |x: f64| x.is_finite() && x >= 0.0;
    if !ok(args.incubation) || !ok(args.admission) {
        return Err(PatientInputError::Clock(args.incubation, args.admission));
    }
    let regimen = regimen_from(args)?;
    let treatment = if regimen.items.is_empty() {
        Treatment::default()
    } else {
        let recipient = PatientContext::new(args.weight, args.incubation, args.abo.into())
            .map_err(PatientInputError::Recipient)?;
        regimen
            .realize(args.seed, 0, &recipient, ConditionalDoses::Give)
            .map_err(PatientInputError::Issue)?
    };
    let onset = args.incubation;
    let problem = PatientProblem {
        patient_id: 0,
        params,
        covariates,
        doses: treatment.events.clone(),
        onset_day: onset,
        hazard_start_day: onset + args.admission,
        end_day: onset + f64::from(args.days),
        death_threshold: None,
    };
    problem.validate().map_err(PatientInputError::Dose)?;
    Ok((problem, treatment))
}

/// Run the command.
pub fn run(args: &PatientArgs) -> Result<(), CliError> {
    let (problem, treatment) = problem_from(args).map_err(CliError::input)?;
    let course = solve::solve(&problem).map_err(|e| CliError::failure(miette!("{e}")))?;
    let given = Given::new(&treatment, course.onset_day);
    let text = match args.format {
        Format::Table => table(&course, args, &given),
        Format::Csv => csv_text(&course).map_err(CliError::failure)?,
        Format::Json => json_text(&course, &given),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .map_err(|e| CliError::failure(miette!("cannot write to stdout: {e}")))?;
    if let Some(path) = &args.plot {
        write_plot(&course, &given, path).map_err(CliError::failure)?;
    }
    Ok(())
}

/// The CSV/JSON columns, in order.
pub const COLUMNS: [&str; 18] = [
    "day",
    "viral_load_log10",
    "viral_load_detectable",
    "il6_pg_ml",
    "lymphocytes_1e9_l",
    "titer_id50",
    "titer_passive_id50",
    "lung_injury",
    "pf_ratio",
    "spo2",
    "fio2_required",
    "support",
    "who_score",
    "hospitalised",
    "alive",
    "death_probability",
    "dexamethasone_ng_ml",
    "immunoregulation",
];

/// What was given, on the clinical clock (days since symptom onset).
struct Given {
    /// Each administration: product and day since onset, in regimen order.
    administrations: Vec<(&'static str, f64)>,
}

impl Given {
    fn new(treatment: &Treatment, onset_day: f64) -> Self {
        Given {
            administrations: treatment
                .administrations
                .iter()
                .map(|a| (a.product, a.time_days - onset_day))
                .collect(),
        }
    }

    /// Products in first-given order, each with its days since onset.
    fn by_product(&self) -> Vec<(&'static str, Vec<f64>)> {
        let mut out: Vec<(&'static str, Vec<f64>)> = Vec::new();
        for &(product, day) in &self.administrations {
            match out.iter_mut().find(|(p, _)| *p == product) {
                Some((_, days)) => days.push(day),
                None => out.push((product, vec![day])),
            }
        }
        out
    }
}

/// A dose's model input as (kind, amount, unit) for the outputs.
fn input_summary(input: &DoseInput) -> (&'static str, f64, &'static str) {
    match *input {
        DoseInput::PassiveAntibody { amount_id50_ml } => {
            ("passive_antibody", amount_id50_ml, "ID50*mL")
        }
        DoseInput::MesenchymalStromalCells { viable_cells } => {
            ("mesenchymal_stromal_cells", viable_cells, "viable cells")
        }
        DoseInput::Dexamethasone {
            dose_mg,
            bioavailability,
        } => (
            "dexamethasone",
            dose_mg * bioavailability,
            "mg absorbed (dexamethasone-equivalent)",
        ),
        DoseInput::Antiviral { efficacy } => ("antiviral", efficacy, "efficacy"),
        DoseInput::Il6Blockade { efficacy } => ("il6_blockade", efficacy, "efficacy"),
    }
}

fn support_name(s: Support) -> &'static str {
    s.as_str()
}

fn csv_text(course: &Trajectory) -> Result<String, miette::Report> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| miette!("cannot write CSV: {e}");
    w.write_record(COLUMNS).map_err(fail)?;
    for r in &course.rows {
        w.write_record([
            r.day.to_string(),
            format!("{:.4}", r.viral_load_log10),
            r.viral_load_detectable.to_string(),
            format!("{:.4}", r.il6_pg_ml),
            format!("{:.4}", r.lymphocytes_1e9_l),
            format!("{:.4}", r.titer_id50),
            format!("{:.4}", r.titer_passive_id50),
            format!("{:.6}", r.lung_injury),
            format!("{:.3}", r.pf_ratio),
            format!("{:.3}", r.spo2),
            format!("{:.4}", r.fio2_required),
            support_name(r.support).to_string(),
            r.who_score.to_string(),
            r.hospitalised.to_string(),
            r.alive.to_string(),
            format!("{:.6}", r.death_probability),
            format!("{:.4}", r.dexamethasone_ng_ml),
            format!("{:.6}", r.immunoregulation),
        ])
        .map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| miette!("cannot write CSV: {e}"))?;
    String::from_utf8(bytes).map_err(|e| miette!("CSV is not UTF-8: {e}"))
}

fn json_text(course: &Trajectory, given: &Given) -> String {
    use serde_json::json;
    let rows: Vec<_> = course
        .rows
        .iter()
        .map(|r| {
            json!({
                "day": r.day,
                "viral_load_log10": r.viral_load_log10,
                "viral_load_detectable": r.viral_load_detectable,
                "il6_pg_ml": r.il6_pg_ml,
                "lymphocytes_1e9_l": r.lymphocytes_1e9_l,
                "titer_id50": r.titer_id50,
                "titer_passive_id50": r.titer_passive_id50,
                "lung_injury": r.lung_injury,
                "pf_ratio": r.pf_ratio,
                "spo2": r.spo2,
                "fio2_required": r.fio2_required,
                "support": support_name(r.support),
                "who_score": r.who_score,
                "hospitalised": r.hospitalised,
                "alive": r.alive,
                "death_probability": r.death_probability,
                "dexamethasone_ng_ml": r.dexamethasone_ng_ml,
                "immunoregulation": r.immunoregulation,
            })
        })
        .collect();
    let events: Vec<_> = course
        .events
        .iter()
        .map(|e| json!({"event": e.kind.as_str(), "day_since_onset": e.day_since_onset}))
        .collect();
    let on = course.onset_day;
    let doses: Vec<_> = course
        .doses
        .iter()
        .map(|d| {
            let (input, amount, unit) = input_summary(&d.dose.input);
            json!({
                "day_since_onset": d.started_days - on,
                "duration_days": d.ended_days - d.started_days,
                "input": input,
                "amount": amount,
                "unit": unit,
            })
        })
        .collect();
    let administrations: Vec<_> = given
        .administrations
        .iter()
        .map(|(product, day)| json!({"product": product, "day_since_onset": day}))
        .collect();
    let doc = json!({
        "rows": rows,
        "events": events,
        "doses": doses,
        "administrations": administrations,
        "summary": {
            "viral_peak_log10": course.viral_peak.value.max(1.0).log10(),
            "viral_peak_day": course.viral_peak.time_days - on,
            "il6_peak_pg_ml": course.il6_peak.value,
            "pf_nadir": course.pf_nadir.value,
            "pf_nadir_day": course.pf_nadir.time_days - on,
            "lymphocyte_nadir_1e9_l": course.lymphocyte_nadir.value,
            "who_peak": course.who_peak,
            "final_death_probability": course.final_death_probability,
        }
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn table(course: &Trajectory, args: &PatientArgs, given: &Given) -> String {
    let mut s = String::new();
    let on = course.onset_day;
    let _ = writeln!(
        s,
        "{} patient, age {}, {}, {} kg; days since symptom onset (onset {:.1} d after infection)",
        if args.case_report {
            "case-report".to_string()
        } else {
            Phenotype::from(args.phenotype).to_string()
        },
        args.age,
        match args.sex {
            SexArg::Female => Sex::Female,
            SexArg::Male => Sex::Male,
        },
        args.weight,
        on
    );
    let _ = writeln!(
        s,
        "{:>4} {:>7} {:>7} {:>6} {:>7} {:>6} {:>6} {:>5} {:>10} {:>3} {:>7}",
        "day",
        "log10VL",
        "IL-6",
        "lymph",
        "titer",
        "injury",
        "P/F",
        "SpO2",
        "support",
        "WHO",
        "P(death)"
    );
    for r in &course.rows {
        let _ = writeln!(
            s,
            "{:>4} {:>7.2} {:>7.1} {:>6.2} {:>7.1} {:>6.3} {:>6.0} {:>5.1} {:>10} {:>3} {:>7.3}",
            r.day,
            r.viral_load_log10,
            r.il6_pg_ml,
            r.lymphocytes_1e9_l,
            r.titer_id50,
            r.lung_injury,
            r.pf_ratio,
            r.spo2,
            support_name(r.support),
            r.who_score,
            r.death_probability
        );
    }
    if !given.administrations.is_empty() {
        let _ = writeln!(s, "\ndoses given (day since onset):");
        for (product, days) in given.by_product() {
            let days: Vec<String> = days.iter().map(|d| format!("{d:.1}")).collect();
            let _ = writeln!(s, "  {product:<20} {}", days.join(", "));
        }
    }
    let _ = writeln!(s, "\nevents (day since onset):");
    for e in &course.events {
        let _ = writeln!(s, "  {:>7.2}  {}", e.day_since_onset, e.kind.as_str());
    }
    let _ = writeln!(
        s,
        "\nviral peak 10^{:.2} copies/mL on day {:.1}; IL-6 peak {:.0} pg/mL; P/F nadir {:.0} on day {:.1}; \
         lymphocyte nadir {:.2}e9/L; WHO peak {}; P(death) by day {} = {:.3}",
        course.viral_peak.value.max(1.0).log10(),
        course.viral_peak.time_days - on,
        course.il6_peak.value,
        course.pf_nadir.value,
        course.pf_nadir.time_days - on,
        course.lymphocyte_nadir.value,
        course.who_peak,
        args.days,
        course.final_death_probability
    );
    s
}

/// One plot panel: title, the row's value, line colour.
type Panel = (
    &'static str,
    fn(&solve::DayRow) -> f64,
    plotters::style::RGBColor,
);

/// Dose-day marker colours: plasma, MSCs, anything else.
const PLASMA_MARK: plotters::style::RGBColor = plotters::style::RGBColor(255, 127, 14);
const MSC_MARK: plotters::style::RGBColor = plotters::style::RGBColor(148, 103, 189);
const OTHER_MARK: plotters::style::RGBColor = plotters::style::RGBColor(190, 190, 190);

fn mark_colour(product: &str) -> plotters::style::RGBColor {
    match product {
        "plasma" => PLASMA_MARK,
        "msc" => MSC_MARK,
        _ => OTHER_MARK,
    }
}

/// Five stacked panels (viral load, IL-6, lymphocytes, P/F, WHO score) against days since onset, with a
/// vertical line on each dose day (plasma orange, MSCs purple, other products grey).
fn write_plot(course: &Trajectory, given: &Given, path: &Path) -> Result<(), miette::Report> {
    use plotters::prelude::*;
    let fail = |e: &dyn std::fmt::Display| miette!("cannot draw {}: {e}", path.display());
    let root = SVGBackend::new(path, (900, 1200)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let panels = root.split_evenly((5, 1));
    let days = course.rows.last().map_or(1.0, |r| f64::from(r.day.max(1)));
    // One mark per product and day; plasma and MSCs drawn last so that they stay visible.
    let mut marks: Vec<(&'static str, f64)> = Vec::new();
    for &(product, day) in &given.administrations {
        if !marks.contains(&(product, day)) {
            marks.push((product, day));
        }
    }
    marks.sort_by_key(|(p, _)| matches!(*p, "plasma" | "msc"));
    let series: [Panel; 5] = [
        (
            "viral load, log10 copies/mL",
            |r| r.viral_load_log10,
            RGBColor(31, 119, 180),
        ),
        ("IL-6, pg/mL", |r| r.il6_pg_ml, RGBColor(214, 39, 40)),
        (
            "lymphocytes, 10^9/L (normal >= 1.0)",
            |r| r.lymphocytes_1e9_l,
            RGBColor(23, 190, 207),
        ),
        ("PaO2/FiO2, mmHg", |r| r.pf_ratio, RGBColor(44, 160, 44)),
        (
            "WHO clinical progression scale",
            |r| f64::from(r.who_score),
            RGBColor(80, 80, 80),
        ),
    ];
    for (area, (label, value, color)) in panels.iter().zip(series) {
        let top = course.rows.iter().map(value).fold(0.0f64, f64::max);
        let top = if label.starts_with("WHO") {
            10.0
        } else {
            top * 1.1 + 1e-9
        };
        let mut chart = ChartBuilder::on(area)
            .caption(label, ("sans-serif", 16))
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..days, 0.0..top)
            .map_err(|e| fail(&e))?;
        chart
            .configure_mesh()
            .x_desc("days since symptom onset")
            .light_line_style(WHITE)
            .draw()
            .map_err(|e| fail(&e))?;
        chart
            .draw_series(marks.iter().map(|&(product, day)| {
                PathElement::new(
                    vec![(day, 0.0), (day, top)],
                    mark_colour(product).stroke_width(1),
                )
            }))
            .map_err(|e| fail(&e))?;
        chart
            .draw_series(LineSeries::new(
                course.rows.iter().map(|r| (f64::from(r.day), value(r))),
                color.stroke_width(2),
            ))
            .map_err(|e| fail(&e))?;
    }
    root.present().map_err(|e| fail(&e))?;
    Ok(())
}
