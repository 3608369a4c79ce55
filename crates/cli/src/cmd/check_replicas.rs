//! `immunotrial check-replicas`: run every replica of a published trial and compare the
//! simulated estimate with the published interval. A report, not a test: exit status 0 even
//! when some replicas fall outside.

use std::path::PathBuf;
use std::time::Instant;

use protocol::validation::CiKind;
use validation::replica::{self, Replica, ReplicaResult, Settings};
use validation::{Overrides, ValidationError};

use crate::exit::CliError;
use crate::render;

const EXAMPLES: &str = "\
EXAMPLES:
    Every bundled replica (protocols/replicas), as a table:
        immunotrial check-replicas

    Two replicas, 500 patients each, as JSON:
        immunotrial check-replicas --only recovery-plasma --only libster-early-plasma \\
            --patients 500 --format json

    With a parameter changed, and the forest plot written:
        immunotrial check-replicas --set h0=0.004 --svg forest.svg --format markdown";

/// Output format.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned text table.
    Table,
    /// JSON array, one object per replica.
    Json,
    /// Markdown table.
    Markdown,
}

/// Run the replicas of published trials and compare them with the published results.
#[derive(clap::Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct CheckReplicasArgs {
    /// Folder of replica protocols (each with a `[validation]` table).
    #[arg(default_value = "protocols/replicas", value_name = "DIR")]
    pub dir: PathBuf,
    /// Virtual patients per replica (the Monte-Carlo interval narrows as 1/sqrt(N)).
    #[arg(long, default_value_t = DEFAULT_PATIENTS, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub patients: u32,
    /// Master seed for every replica (default: each file's `simulation.seed`).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Worker threads (results do not depend on it); default: all cores.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub threads: Option<u32>,
    /// Run only the replica with this file stem (repeatable).
    #[arg(long, value_name = "NAME")]
    pub only: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Override a model parameter for every patient, NAME=VALUE (repeatable; see
    /// docs/model.md for names and bounds).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Also write the forest plot (simulated vs published) as SVG.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}

/// Patients per replica by default: the ten bundled replicas take about 45 s on two cores
/// (debug build), and the Monte-Carlo interval of a twin risk ratio is then a few percent wide.
pub const DEFAULT_PATIENTS: u32 = 5000;

/// A validation-crate error as a CLI error: bad replica files and overrides are input errors.
pub fn cli_error(e: ValidationError) -> CliError {
    match e {
        ValidationError::Protocol(error) => {
            for report in render::reports(&error) {
                eprintln!("{report:?}");
            }
            CliError::input(miette::miette!("{}", error))
        }
        e @ (ValidationError::NoValidation(_)
        | ValidationError::Override(_)
        | ValidationError::MissingReplica(_)
        | ValidationError::Io { .. }) => CliError::input(miette::miette!("{e}")),
        e => CliError::failure(miette::miette!("{e}")),
    }
}

/// The replicas of `dir`, filtered by `--only` (every name must exist).
pub fn select(dir: &std::path::Path, only: &[String]) -> Result<Vec<Replica>, CliError> {
    let all = replica::load_dir(dir).map_err(cli_error)?;
    if only.is_empty() {
        return Ok(all);
    }
    for name in only {
        if !all.iter().any(|r| &r.name == name) {
            let names: Vec<&str> = all.iter().map(|r| r.name.as_str()).collect();
            return Err(CliError::input(miette::miette!(
                help = format!("replicas in {}: {}", dir.display(), names.join(", ")),
                "no replica called `{name}`"
            )));
        }
    }
    Ok(all.into_iter().filter(|r| only.contains(&r.name)).collect())
}

/// Worker pool with `threads` threads (all cores when `None`).
pub fn pool(threads: Option<u32>) -> Result<rayon::ThreadPool, CliError> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        pool = pool.num_threads(t as usize);
    }
    pool.build()
        .map_err(|e| CliError::failure(miette::miette!("cannot start worker threads: {e}")))
}

/// Run the replicas and print the comparison.
pub fn run(args: &CheckReplicasArgs) -> Result<(), CliError> {
    let overrides = Overrides::parse(&args.set).map_err(|e| cli_error(e.into()))?;
    let replicas = select(&args.dir, &args.only)?;
    let settings = Settings {
        patients: Some(args.patients),
        seed: args.seed,
        overrides,
    };
    let pool = pool(args.threads)?;
    let mut results = Vec::new();
    for r in &replicas {
        let started = Instant::now();
        let result = pool
            .install(|| replica::run(r, &settings))
            .map_err(cli_error)?;
        if args.format == Format::Table {
            eprintln!(
                "{}: {} patients ({} screened) in {:.1} s",
                r.name,
                result.patients,
                result.screened,
                started.elapsed().as_secs_f64()
            );
        }
        results.push(result);
    }
    let text = match args.format {
        Format::Json => json(&results),
        Format::Markdown => markdown(&results),
        Format::Table => table(&results),
    };
    print!("{text}");
    if let Some(path) = &args.svg {
        std::fs::write(path, validation::forest::svg(&results)).map_err(|e| {
            CliError::failure(miette::miette!("cannot write {}: {e}", path.display()))
        })?;
    }
    Ok(())
}

fn interval(ci: [f64; 2], kind: CiKind) -> String {
    match kind {
        CiKind::TwoSided95 => format!("{:.3}-{:.3}", ci[0], ci[1]),
        CiKind::UpperOneSided90 => format!("<= {:.3} (90% one-sided)", ci[1]),
    }
}

fn verdict(r: &ReplicaResult) -> &'static str {
    if r.inside { "inside" } else { "outside" }
}

/// JSON: `[{"replica", "measure", "published", "ci", "simulated", "inside", …}]`.
pub fn json(results: &[ReplicaResult]) -> String {
    let mut s = serde_json::to_string_pretty(results).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

fn rows(results: &[ReplicaResult]) -> Vec<[String; 7]> {
    results
        .iter()
        .map(|r| {
            [
                r.replica.clone(),
                r.measure.to_owned(),
                format!("{:.3}", r.published),
                interval(r.ci, r.ci_kind),
                format!("{:.3}", r.simulated),
                format!("{:.3}-{:.3}", r.mc_ci[0], r.mc_ci[1]),
                verdict(r).to_owned(),
            ]
        })
        .collect()
}

const HEADER: [&str; 7] = [
    "replica",
    "measure",
    "published",
    "published CI",
    "simulated",
    "Monte-Carlo 95%",
    "",
];

/// Markdown table.
pub fn markdown(results: &[ReplicaResult]) -> String {
    let mut s = format!("| {} |\n", HEADER.join(" | "));
    s.push_str(&format!("|{}\n", "---|".repeat(HEADER.len())));
    for row in rows(results) {
        s.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    s
}

/// Aligned text table.
pub fn table(results: &[ReplicaResult]) -> String {
    let rows = rows(results);
    let widths: Vec<usize> = (0..HEADER.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([HEADER[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut s = line(HEADER.to_vec());
    for row in &rows {
        s.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    let inside = results.iter().filter(|r| r.inside).count();
    s.push_str(&format!(
        "\n{inside} of {} simulated estimates inside the published interval\n",
        results.len()
    ));
    s
}
