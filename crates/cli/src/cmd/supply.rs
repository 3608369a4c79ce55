//! `immunotrial supply PROTOCOL`: plasma supply plan for a protocol's plasma regimen(s).
//!
//! The protocol is read and validated by the `protocol` crate; its plasma regimens are mapped to
//! the therapy crate's `PlasmaRegimen` by `trial::supply::plan_regimens`, which the trial's
//! `summary.json` supply section uses too.

use crate::exit::CliError;
use clap::Args;
use std::path::PathBuf;
use therapy::PlasmaRegimen;
use therapy::abo::AboFrequencies;
use therapy::supply::{SupplyOptions, SupplyPlan, plan_supply};
use trial::supply::plan_regimens;

/// Arguments of `immunotrial supply`.
#[derive(Args, Debug)]
pub struct SupplyArgs {
    /// Protocol TOML file.
    pub protocol: PathBuf,
    /// Master seed (default: the protocol's `[simulation].seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Simulated replicates of the collection campaign.
    #[arg(long, default_value_t = 200)]
    pub replicates: u32,
    /// Probability that each response-dependent dose is given (1 = plan for the worst case).
    #[arg(long, default_value_t = 1.0)]
    pub conditional_probability: f64,
    /// Recipient body weight for mL/kg doses, kg.
    #[arg(long, default_value_t = 70.0)]
    pub weight_kg: f64,
}

/// Runs the command.
pub fn run(args: SupplyArgs) -> Result<(), CliError> {
    let text = std::fs::read_to_string(&args.protocol).map_err(|e| {
        CliError::input(miette::miette!(
            "cannot read {}: {e}",
            args.protocol.display()
        ))
    })?;
    let name = args.protocol.display().to_string();
    let protocol = crate::render::load_protocol(&name, &text)?;
    let enrollment = protocol
        .study
        .enrollment
        .unwrap_or(protocol.simulation.patients);
    let planned = plan_regimens(&protocol, enrollment, args.weight_kg)
        .map_err(|message| CliError::input(miette::miette!("{name}: {message}")))?;
    let seed = args.seed.unwrap_or(protocol.simulation.seed);
    let options = SupplyOptions {
        replicates: args.replicates,
        recipient_abo: AboFrequencies::ITALY,
        body_weight_kg: args.weight_kg,
        conditional_dose_probability: args.conditional_probability,
    };
    println!(
        "Plasma supply plan for {} (enrollment {}, seed {seed}, {} replicates)",
        protocol.study.id, enrollment, args.replicates
    );
    for p in planned {
        let plan = plan_supply(&p.regimen, p.patients, seed, &options).map_err(|e| match e {
            therapy::supply::SupplyError::Spec(spec) => CliError::input(miette::miette!("{spec}")),
            other => CliError::failure(miette::miette!("{other}")),
        })?;
        print!("{}", render(&p.name, &p.regimen, &plan));
    }
    Ok(())
}

fn render(name: &str, regimen: &PlasmaRegimen, plan: &SupplyPlan) -> String {
    use std::fmt::Write;
    let e = &plan.expected;
    let spec = regimen.spec();
    let mut out = String::new();
    let interval = |s: therapy::supply::Summary| {
        format!("{:>10.0}  ({:.0}–{:.0})", s.median, s.lower, s.upper)
    };
    let _ = writeln!(out, "\nRegimen {name}: {} patients", plan.patients);
    let _ = writeln!(
        out,
        "  {} × {} mL unit(s) per administration, {} administration(s) every {} d{}; threshold ID50 ≥ {} ({:?}); reduction {}",
        spec.units_per_dose,
        spec.unit_volume_ml,
        spec.doses,
        spec.interval_days,
        if spec.conditional_after_first {
            " (after the first: by clinical response)"
        } else {
            ""
        },
        spec.qualification.min_id50,
        spec.qualification.assay,
        spec.pathogen_reduction.name(),
    );
    let _ = writeln!(out, "  closed form (no ABO matching):");
    let _ = writeln!(
        out,
        "    P(volunteer eligible)        {:>10.3}",
        e.eligible_probability
    );
    let _ = writeln!(
        out,
        "    P(eligible donor qualifies)  {:>10.3}",
        e.qualifying_probability
    );
    let _ = writeln!(
        out,
        "    units per donation           {:>10}",
        e.units_per_donation
    );
    let _ = writeln!(
        out,
        "    units needed                 {:>10.0}",
        e.units_needed
    );
    let _ = writeln!(
        out,
        "    donations needed             {:>10.0}",
        e.donations_needed
    );
    let _ = writeln!(
        out,
        "    donors to screen             {:>10.0}",
        e.donors_to_screen
    );
    let _ = writeln!(
        out,
        "  simulated with ABO matching (AB recipients take only AB plasma, so rare groups drive the excess),\n  median (95 % interval):"
    );
    let _ = writeln!(
        out,
        "    donors screened              {}",
        interval(plan.summarize(|r| r.donors_screened as f64))
    );
    let _ = writeln!(
        out,
        "    eligible donors              {}",
        interval(plan.summarize(|r| r.donors_eligible as f64))
    );
    let qualifying = plan.summarize(|r| r.donations as f64 / r.donors_eligible as f64);
    let _ = writeln!(
        out,
        "    fraction qualifying          {:>10.3}  ({:.3}–{:.3})",
        qualifying.median, qualifying.lower, qualifying.upper
    );
    let _ = writeln!(
        out,
        "    donations                    {}",
        interval(plan.summarize(|r| r.donations as f64))
    );
    let _ = writeln!(
        out,
        "    units collected              {}",
        interval(plan.summarize(|r| r.units_collected as f64))
    );
    let _ = writeln!(
        out,
        "    units issued                 {}",
        interval(plan.summarize(|r| r.units_issued as f64))
    );
    let d = plan.delivered_per_patient();
    let _ = writeln!(
        out,
        "  delivered neutralising activity per patient, ID50·mL: median {:.0}, 95 % of patients {:.0}–{:.0}",
        d.median, d.lower, d.upper
    );
    out
}
