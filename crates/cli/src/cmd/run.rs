//! `immunotrial run`: run a trial and write its results folder (datasets, summary.json,
//! manifest); `--dry-run` prints the plan: population, screening criteria, arms with their
//! dosing schedule, endpoints.

use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use trial::results::{Manifest, ResultsFolder, ShardSpec};
use trial::run::TrialError;

use protocol::schema::{ScheduleReference, Simulation, spelling};
use protocol::validate::{kind_name, measure_name};
use protocol::{Product, Protocol, Regimen};

use crate::exit::CliError;
use crate::render;

/// The seed trial, built in so that `run` works from any directory.
pub const SEED_PROTOCOL: &str =
    include_str!("../../../../protocols/nct04385043-hyperimmune-plasma.toml");
const SEED_NAME: &str = "protocols/nct04385043-hyperimmune-plasma.toml (built in)";

const EXAMPLES: &str = "\
EXAMPLES:
    Run the bundled seed trial (NCT04385043, hyperimmune plasma vs standard therapy):
        immunotrial run

    Show what a protocol would do, without simulating:
        immunotrial run protocols/nct04467047-msc-phase1.toml --dry-run

    Another seed, four threads, results in out/:
        immunotrial run my-trial.toml --seed 7 --threads 4 --out out

    Two shards joined afterwards (same datasets and summary as one run):
        immunotrial run --shard 0/2 --out s0 && immunotrial run --shard 1/2 --out s1
        immunotrial merge s0 s1 --out all";

/// Run a trial protocol (default: the bundled seed trial).
#[derive(clap::Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct Args {
    /// Protocol file (TOML). Without it, the bundled seed trial NCT04385043 runs.
    #[arg(value_name = "PROTOCOL")]
    pub protocol: Option<PathBuf>,
    /// Results folder [default: results/<protocol file stem>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Master seed; overrides `simulation.seed`.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Worker threads (results do not depend on it); default: all cores.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub threads: Option<u32>,
    /// Simulate only shard i of N (patients with id % N == i); join with `immunotrial merge`.
    #[arg(long, value_name = "i/N")]
    pub shard: Option<String>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Print the plan and stop.
    #[arg(long)]
    pub dry_run: bool,
}

/// Load the protocol; print its plan (`--dry-run`) or run it and write the results folder.
pub fn run(args: Args) -> Result<(), CliError> {
    let (name, text, stem) = match &args.protocol {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                CliError::input(miette::miette!("{}: cannot read: {e}", path.display()))
            })?;
            let stem = path
                .file_stem()
                .map_or("protocol".to_string(), |s| s.to_string_lossy().into_owned());
            (path.display().to_string(), text, stem)
        }
        None => (
            SEED_NAME.to_string(),
            SEED_PROTOCOL.to_string(),
            "nct04385043-hyperimmune-plasma".to_string(),
        ),
    };
    let mut protocol = render::load_protocol(&name, &text)?;
    if let Some(seed) = args.seed {
        protocol.simulation.seed = seed;
    }
    if args.dry_run {
        print!("{}", plan(&protocol, &name, args.threads));
        println!("\nDry run: nothing simulated.");
        return Ok(());
    }
    let shard = match &args.shard {
        Some(s) => s
            .parse::<ShardSpec>()
            .map_err(|e| CliError::input(miette::miette!("--shard: {e}")))?,
        None => ShardSpec::WHOLE,
    };
    if shard.count() > 1 && protocol.simulation.replicates > 1 {
        return Err(CliError::input(miette::miette!(
            "--shard runs one trial; run replicates (simulation.replicates = {}) without --shard",
            protocol.simulation.replicates
        )));
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&stem));
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(t) = args.threads {
        pool = pool.num_threads(t as usize);
    }
    let pool = pool
        .build()
        .map_err(|e| CliError::failure(miette::miette!("cannot start worker threads: {e}")))?;
    let threads = pool.current_num_threads();
    let started = Instant::now();
    let replicates = u64::from(protocol.simulation.replicates);
    let total = u64::from(protocol.simulation.patients).div_ceil(shard.count()) * replicates;
    let folder = ResultsFolder::create(&out)
        .map_err(|e| CliError::failure(miette::miette!("{}: cannot create: {e}", out.display())))?;
    let bar = progress_bar(total);
    // The bar appears on stderr once the run has lasted a second (a short run shows none),
    // unless stderr is not a terminal or with `--quiet`.
    let shown = std::sync::Once::new();
    let visible = !args.quiet && std::io::stderr().is_terminal();
    let tick = || {
        bar.inc(1);
        if visible && started.elapsed() >= PROGRESS_AFTER {
            shown.call_once(|| bar.set_draw_target(ProgressDrawTarget::stderr()));
        }
    };
    let (output, summary) = pool.install(|| -> Result<_, CliError> {
        let (output, mut summary) =
            trial::run::simulate_and_summarise(&protocol, shard, &tick, &folder)
                .map_err(trial_error)?;
        summary.replicates =
            trial::run::replicates(&protocol, &summary, &tick).map_err(trial_error)?;
        Ok((output, summary))
    })?;
    bar.finish_and_clear();
    let folder = ResultsFolder::create(&out)
        .map_err(|e| CliError::failure(miette::miette!("{}: cannot create: {e}", out.display())))?;
    let resolved = resolved_protocol(&text, args.seed);
    trial::run::write_results(&folder, &resolved, &protocol, &output, &summary)
        .map_err(trial_error)?;
    // The datasets are on disk now; free them before the report reads the files back.
    drop(output);
    Manifest::for_this_run(
        protocol.simulation.seed,
        threads,
        started.elapsed().as_secs_f64(),
        shard,
    )
    .write(&out)
    .map_err(|e| CliError::failure(miette::miette!("{}: {e}", out.display())))?;
    // The report is a pure function of the files just written (rebuild with `immunotrial report`).
    report::write_report(&out)
        .map_err(|e| CliError::failure(miette::miette!("{}: report: {e}", out.display())))?;
    print!("{}", brief(&summary, &out, started.elapsed().as_secs_f64()));
    Ok(())
}

/// The protocol text as run: with `--seed`, the `[simulation]` seed line is replaced.
fn resolved_protocol(text: &str, seed: Option<u64>) -> String {
    let Some(seed) = seed else {
        return text.to_string();
    };
    let mut in_simulation = false;
    let mut out = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            in_simulation = trimmed.starts_with("[simulation]");
        }
        if in_simulation && trimmed.starts_with("seed") && trimmed.contains('=') {
            let _ = writeln!(out, "seed = {seed}  # --seed {seed}");
        } else {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

/// How long a run goes before its progress bar appears.
const PROGRESS_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// A progress bar drawn nowhere (the run gives it a target after [`PROGRESS_AFTER`]).
fn progress_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    if let Ok(style) =
        ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} patients ({eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

pub(crate) fn trial_error(e: TrialError) -> CliError {
    match e {
        TrialError::Population(_) | TrialError::NotEnoughEligible { .. } => {
            CliError::input(miette::miette!("{e}"))
        }
        TrialError::Merge(_) => CliError::input(miette::miette!("{e}")),
        _ => CliError::failure(miette::miette!("{e}")),
    }
}

/// A few lines after a run: where the results are and the primary result.
fn brief(s: &trial::summary::Summary, out: &std::path::Path, wall_s: f64) -> String {
    let mut text = String::new();
    let c = &s.consort;
    let _ = writeln!(
        text,
        "{}: screened {}, randomized {} ({:.1} s)",
        s.study.id, c.screened, c.randomized, wall_s
    );
    if let Some(e) = s.endpoints.iter().find(|e| e.primary) {
        for a in &e.arms {
            let _ = writeln!(
                text,
                "  {:<45} n={:<5} {} = {}",
                a.arm,
                a.n,
                e.name,
                fmt(a.estimate)
            );
        }
        for k in &e.comparisons {
            let _ = writeln!(
                text,
                "  {} {} [{}, {}], p = {}; true (twins) {}",
                k.measure,
                fmt(k.estimate),
                fmt(k.ci[0]),
                fmt(k.ci[1]),
                fmt(k.p),
                fmt(k.twin_estimate)
            );
        }
    }
    if let Some(r) = &s.replicates {
        let _ = writeln!(text, "  power over {} replicates: {:.3}", r.k, r.power);
    }
    let _ = writeln!(text, "Results in {}", out.display());
    text
}

fn fmt(x: Option<f64>) -> String {
    x.map_or("NR".to_string(), |v| format!("{v:.4}"))
}

/// The plan as text.
pub fn plan(p: &Protocol, source: &str, threads: Option<u32>) -> String {
    let mut out = String::new();
    let s = &p.study;
    let title = match &s.acronym {
        Some(a) => format!("{} ({a})", s.brief_title),
        None => s.brief_title.clone(),
    };
    let _ = writeln!(out, "{}: {title}", s.id);
    let _ = writeln!(out, "  from {source}");
    let phases: Vec<&str> = s.phases.iter().map(|ph| ph.code()).collect();
    let _ = writeln!(
        out,
        "Design: {} {} {}, masking {}{}",
        if phases.is_empty() {
            "-".to_string()
        } else {
            phases.join("/")
        },
        s.allocation,
        s.intervention_model,
        s.masking.map_or("not given".to_string(), |m| m.to_string()),
        s.enrollment
            .map_or(String::new(), |n| format!(", registered enrollment {n}")),
    );
    let _ = writeln!(
        out,
        "\nPopulation\n  {}",
        simulation_line(&p.simulation, threads)
    );
    let _ = writeln!(out, "\nScreening");
    if p.inclusion.is_empty() && p.exclusion.is_empty() {
        let _ = writeln!(out, "  everyone sampled is enrolled (no criteria)");
    }
    for c in &p.inclusion {
        let _ = writeln!(out, "  include if  {}", c.text);
    }
    for c in &p.exclusion {
        let _ = writeln!(out, "  exclude if  {}", c.text);
    }
    let ratios: Vec<String> = p.arms.iter().map(|a| a.ratio.to_string()).collect();
    let _ = writeln!(out, "\nArms (allocation {})", ratios.join(":"));
    for (i, arm) in p.arms.iter().enumerate() {
        let _ = writeln!(out, "  {}. {} [{}]", i + 1, arm.label, arm.arm_type);
        if arm.regimens.is_empty() {
            let _ = writeln!(out, "     no intervention");
        }
        for r in p.arm_regimens(arm) {
            let _ = writeln!(
                out,
                "     {}: {}; {}",
                r.name,
                product_line(&r.product),
                schedule_line(r)
            );
        }
    }
    let _ = writeln!(out, "\nEndpoints");
    for e in &p.endpoints {
        let window = e.from_day.map_or(format!("day {}", e.day), |from| {
            format!("days {from}-{}", e.day)
        });
        let _ = writeln!(
            out,
            "  {:<9} {:<24} {} {}, {window}",
            if e.primary { "primary" } else { "secondary" },
            e.name,
            kind_name(e.kind),
            measure_name(e.measure),
        );
    }
    let a = &p.analysis;
    let _ = writeln!(
        out,
        "\nAnalysis: alpha {} ({}-sided), {}{}",
        a.alpha,
        a.sides,
        spelling(&a.population),
        if a.twins {
            ", with counterfactual twins"
        } else {
            ""
        }
    );
    out
}

fn simulation_line(s: &Simulation, threads: Option<u32>) -> String {
    format!(
        "{} virtual patients from population `{}`, {} replicate(s), follow-up {} days, seed {}, {}",
        s.patients,
        s.population,
        s.replicates,
        s.follow_up_days,
        s.seed,
        threads.map_or("all cores".to_string(), |t| format!("{t} thread(s)"))
    )
}

fn schedule_line(r: &Regimen) -> String {
    let days: Vec<String> = r.administration_days().iter().map(u32::to_string).collect();
    let reference = match r.relative_to {
        ScheduleReference::Randomization => "randomization",
        ScheduleReference::SymptomOnset => "symptom onset",
    };
    let days = if days.len() > 4 {
        format!("days {}-{}", days[0], days[days.len() - 1])
    } else {
        format!(
            "day{} {}",
            if days.len() > 1 { "s" } else { "" },
            days.join(", ")
        )
    };
    format!("{days} after {reference}")
}

/// One line saying what a product's settings amount to.
pub fn product_line(product: &Product) -> String {
    match product {
        Product::Plasma(x) => {
            let volume = match (x.unit_volume_ml, x.unit_volume_ml_per_kg) {
                (Some(ml), _) => format!("{ml} mL"),
                (_, Some(per_kg)) => format!("{per_kg} mL/kg"),
                _ => "?".into(),
            };
            format!(
                "{} plasma, {} unit(s) x {volume}, donor titer median {} ID50 (GSD {}), units >= {} ID50, pathogen reduction {}, ABO {}",
                spelling(&x.kind),
                x.units,
                x.donor_titer.median_id50,
                x.donor_titer.gsd,
                x.qualification_min_id50,
                spelling(&x.pathogen_reduction),
                spelling(&x.abo_matching)
            )
        }
        Product::Msc(x) => {
            let dose = match (x.cells_per_kg, x.cells) {
                (Some(per_kg), _) => format!("{per_kg:.1e} cells/kg"),
                (_, Some(cells)) => format!("{cells:.1e} cells"),
                _ => "?".into(),
            };
            format!(
                "MSC ({}), {} infusion(s) of {dose}, viability {}",
                spelling(&x.source),
                x.infusions,
                x.viability
            )
        }
        Product::Dexamethasone(x) => format!(
            "dexamethasone {} mg/day {} x {} days",
            x.mg_per_day,
            spelling(&x.route),
            x.days
        ),
        Product::Remdesivir(x) => format!(
            "remdesivir {} mg then {} mg/day, {} days",
            x.loading_mg, x.maintenance_mg, x.days
        ),
        Product::LopinavirRitonavir(x) => format!(
            "lopinavir/ritonavir {}/{} mg x {}/day, {} days",
            x.lopinavir_mg, x.ritonavir_mg, x.doses_per_day, x.days
        ),
        Product::InterferonAlpha(x) => format!(
            "interferon alpha {} MIU {} x {}/day, {} days",
            x.million_units,
            spelling(&x.route),
            x.doses_per_day,
            x.days
        ),
        Product::Ribavirin(x) => format!(
            "ribavirin {} mg {} x {}/day, {} days",
            x.mg_per_dose,
            spelling(&x.route),
            x.doses_per_day,
            x.days
        ),
        Product::Methylprednisolone(x) => match (x.mg_per_kg_per_day, x.mg_per_day) {
            (Some(per_kg), _) => format!("methylprednisolone {per_kg} mg/kg/day, {} days", x.days),
            (_, Some(mg)) => format!("methylprednisolone {mg} mg/day, {} days", x.days),
            _ => "methylprednisolone".into(),
        },
        Product::Immunoglobulin(x) => format!(
            "immunoglobulin {} g/kg/day, {} days",
            x.g_per_kg_per_day, x.days
        ),
        Product::Antibiotics(x) => format!("antibiotics ({}), {} days", x.agent, x.days),
        Product::Tocilizumab(x) => format!(
            "tocilizumab {} mg/kg (max {} mg) x {} dose(s)",
            x.mg_per_kg, x.max_mg, x.doses
        ),
        Product::Bundle(name) => format!("bundle {}", spelling(name)),
    }
}
