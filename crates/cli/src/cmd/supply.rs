//! `immunotrial supply PROTOCOL`: plasma supply plan for a protocol's plasma regimen(s).
//!
//! The protocol is read and validated by the `protocol` crate; its plasma regimens are mapped to
//! the therapy crate's `PlasmaRegimen` by the same function the trial engine uses.

use crate::exit::CliError;
use clap::Args;
use std::path::PathBuf;
use therapy::PlasmaRegimen;
use therapy::abo::AboFrequencies;
use therapy::supply::{SupplyOptions, SupplyPlan, plan_supply};

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

/// A plasma regimen of the protocol and how many patients receive it.
#[derive(Debug)]
struct PlannedRegimen {
    name: String,
    regimen: PlasmaRegimen,
    patients: u32,
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

/// The protocol's plasma regimens, each with the number of enrolled patients whose arm holds it
/// (by allocation ratio); the error is a message for the user.
fn plan_regimens(
    protocol: &protocol::Protocol,
    enrollment: u32,
    weight_kg: f64,
) -> Result<Vec<PlannedRegimen>, String> {
    let total_ratio: u32 = protocol.arms.iter().map(|a| a.ratio).sum();
    let mut planned = Vec::new();
    for (index, regimen) in protocol.regimens.iter().enumerate() {
        if !matches!(regimen.product, protocol::Product::Plasma(_)) {
            continue;
        }
        let arms: Vec<&protocol::Arm> = protocol
            .arms
            .iter()
            .filter(|a| a.regimens.contains(&index))
            .collect();
        let ratio: u32 = arms.iter().map(|a| a.ratio).sum();
        if ratio == 0 {
            continue;
        }
        // Supply does not depend on when the plasma is given: day 0 of the schedule.
        let items = trial::regimens::items_of(regimen, weight_kg, 0.0)
            .map_err(|e| format!("regimen `{}`: {e}", regimen.name))?;
        for item in items {
            if let therapy::regimen::RegimenItem::Plasma(plasma) = item {
                let labels: Vec<&str> = arms.iter().map(|a| a.label.as_str()).collect();
                planned.push(PlannedRegimen {
                    name: format!("{} ({})", regimen.name, labels.join(", ")),
                    regimen: *plasma,
                    patients: patients_on_regimen(enrollment, ratio, total_ratio),
                });
            }
        }
    }
    if planned.is_empty() {
        return Err("the protocol gives plasma in no arm (no [[regimen]] with a [regimen.plasma] table used by an arm)".into());
    }
    Ok(planned)
}

/// Patients allocated to arms holding a share `ratio / total_ratio` of `enrollment`, rounded.
fn patients_on_regimen(enrollment: u32, ratio: u32, total_ratio: u32) -> u32 {
    ((f64::from(enrollment) * f64::from(ratio) / f64::from(total_ratio)).round()) as u32
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

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_PROTOCOL: &str =
        include_str!("../../../../protocols/nct04385043-hyperimmune-plasma.toml");

    #[test]
    fn seed_protocol_gives_half_the_enrollment_on_plasma() {
        let protocol = protocol::parse_protocol("seed.toml", SEED_PROTOCOL).unwrap();
        let planned = plan_regimens(&protocol, 400, 70.0).unwrap();
        assert_eq!(planned.len(), 1);
        // 400 enrolled, arms 1:1 → 200 on plasma; two 300 mL units given 2 days apart.
        assert_eq!(planned[0].patients, 200);
        assert_eq!(planned[0].regimen.spec().doses, 2);
        assert_eq!(planned[0].regimen.spec().units_per_dose, 1);
        assert_eq!(planned[0].regimen.spec().unit_volume_ml, 300.0);
    }

    #[test]
    fn a_protocol_without_plasma_is_reported() {
        let msc = include_str!("../../../../protocols/nct04467047-msc-phase1.toml");
        let protocol = protocol::parse_protocol("msc.toml", msc).unwrap();
        assert!(
            plan_regimens(&protocol, 10, 70.0)
                .unwrap_err()
                .contains("no arm")
        );
    }

    #[test]
    fn patients_follow_allocation_ratio() {
        assert_eq!(patients_on_regimen(400, 1, 2), 200);
        assert_eq!(patients_on_regimen(90, 2, 3), 60);
    }
}
