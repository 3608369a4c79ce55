//! `immunotrial patient`: one virtual patient's course, day by day since symptom onset.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use miette::miette;
use model::clinical::Support;
use model::params::closest_name;
use model::{Covariates, DoseEvent, ParamError, Params, Phenotype, Sex};
use solve::{DEFAULT_INCUBATION_DAYS, DEFAULT_ONSET_TO_ADMISSION_DAYS, PatientProblem, Trajectory};

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
    // `--give PRODUCT@DAY[:k=v,...]` (products and regimens) belongs to the therapy crate; its
    // doses go into `doses` in `run` below.
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
    /// `{ "rows": [...], "events": [...], "summary": {...} }`.
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

/// Build the problem from the arguments (all input checks happen here).
pub fn problem_from(args: &PatientArgs) -> Result<PatientProblem, PatientInputError> {
    let mut params = Phenotype::from(args.phenotype).params();
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
    // Therapy doses (from `--give`, once the therapy crate provides products) go here.
    let doses: Vec<DoseEvent> = Vec::new();
    let onset = args.incubation;
    Ok(PatientProblem {
        patient_id: 0,
        params,
        covariates,
        doses,
        onset_day: onset,
        hazard_start_day: onset + args.admission,
        end_day: onset + f64::from(args.days),
        death_threshold: None,
    })
}

/// Run the command.
pub fn run(args: &PatientArgs) -> Result<(), CliError> {
    let problem = problem_from(args).map_err(CliError::input)?;
    let course = solve::solve(&problem).map_err(|e| CliError::failure(miette!("{e}")))?;
    let text = match args.format {
        Format::Table => table(&course, args),
        Format::Csv => csv_text(&course).map_err(CliError::failure)?,
        Format::Json => json_text(&course),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .map_err(|e| CliError::failure(miette!("cannot write to stdout: {e}")))?;
    if let Some(path) = &args.plot {
        write_plot(&course, path).map_err(CliError::failure)?;
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

fn json_text(course: &Trajectory) -> String {
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
    let doc = json!({
        "rows": rows,
        "events": events,
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

fn table(course: &Trajectory, args: &PatientArgs) -> String {
    let mut s = String::new();
    let on = course.onset_day;
    let _ = writeln!(
        s,
        "{} patient, age {}, {}, {} kg; days since symptom onset (onset {:.1} d after infection)",
        Phenotype::from(args.phenotype),
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

/// Four stacked panels (viral load, IL-6, P/F, WHO score) against days since onset.
fn write_plot(course: &Trajectory, path: &Path) -> Result<(), miette::Report> {
    use plotters::prelude::*;
    let fail = |e: &dyn std::fmt::Display| miette!("cannot draw {}: {e}", path.display());
    let root = SVGBackend::new(path, (900, 1000)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let panels = root.split_evenly((4, 1));
    let days = course.rows.last().map_or(1.0, |r| f64::from(r.day.max(1)));
    let series: [Panel; 4] = [
        (
            "viral load, log10 copies/mL",
            |r| r.viral_load_log10,
            RGBColor(31, 119, 180),
        ),
        ("IL-6, pg/mL", |r| r.il6_pg_ml, RGBColor(214, 39, 40)),
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
            .draw_series(LineSeries::new(
                course.rows.iter().map(|r| (f64::from(r.day), value(r))),
                color.stroke_width(2),
            ))
            .map_err(|e| fail(&e))?;
    }
    root.present().map_err(|e| fail(&e))?;
    Ok(())
}
