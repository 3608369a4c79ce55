//! `immunotrial supply PROTOCOL`: plasma supply plan for a protocol's plasma regimen(s).
//!
//! Until the `protocol` crate lands, this module reads the few fields it needs with a small
//! serde struct of its own (`[study].enrollment`, `[simulation].seed`, `[[arm]]` ratios and
//! regimen names, `[[regimen]]` tables with `product = "plasma"`); at merge time it switches to
//! the validated `protocol::Protocol` types.

use crate::exit::CliError;
use clap::Args;
use serde::Deserialize;
use std::path::PathBuf;
use therapy::abo::AboFrequencies;
use therapy::supply::{SupplyOptions, SupplyPlan, plan_supply};
use therapy::{PlasmaRegimen, PlasmaSpec};

/// Arguments of `immunotrial supply`.
#[derive(Args, Debug)]
pub struct SupplyArgs {
    /// Protocol TOML file.
    pub protocol: PathBuf,
    /// Master seed (default: the protocol's `[simulation].seed`, else 1).
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

/// The protocol fields the supply planner needs; other fields are ignored here (the protocol
/// crate validates them).
#[derive(Debug, Deserialize)]
struct SupplyProtocol {
    study: Study,
    #[serde(default)]
    simulation: Option<Simulation>,
    #[serde(default, rename = "arm")]
    arms: Vec<Arm>,
    #[serde(default, rename = "regimen")]
    regimens: Vec<toml::Table>,
}

#[derive(Debug, Deserialize)]
struct Study {
    #[serde(default)]
    id: Option<String>,
    enrollment: u32,
}

#[derive(Debug, Deserialize)]
struct Simulation {
    #[serde(default)]
    seed: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct Arm {
    label: String,
    #[serde(default = "one")]
    ratio: u32,
    #[serde(default)]
    regimens: Vec<String>,
}

fn one() -> u32 {
    1
}

/// A plasma regimen of the protocol and how many patients receive it.
#[derive(Debug)]
struct PlannedRegimen {
    name: String,
    regimen: PlasmaRegimen,
    patients: u32,
}

/// Default seed when neither the command line nor the protocol gives one.
const DEFAULT_SEED: u64 = 1;

/// Runs the command.
pub fn run(args: SupplyArgs) -> Result<(), CliError> {
    let text = std::fs::read_to_string(&args.protocol).map_err(|e| {
        CliError::input(miette::miette!(
            "cannot read {}: {e}",
            args.protocol.display()
        ))
    })?;
    let (protocol, planned) = read_protocol(&text).map_err(|message| {
        CliError::input(miette::miette!("{}: {message}", args.protocol.display()))
    })?;
    let seed = args
        .seed
        .or(protocol.simulation.as_ref().and_then(|s| s.seed))
        .unwrap_or(DEFAULT_SEED);
    let options = SupplyOptions {
        replicates: args.replicates,
        recipient_abo: AboFrequencies::ITALY,
        body_weight_kg: args.weight_kg,
        conditional_dose_probability: args.conditional_probability,
    };
    println!(
        "Plasma supply plan for {} (enrollment {}, seed {seed}, {} replicates)",
        protocol.study.id.as_deref().unwrap_or("protocol"),
        protocol.study.enrollment,
        args.replicates
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

/// Parses the protocol text and validates its plasma regimens; the error is a message for the
/// user.
fn read_protocol(text: &str) -> Result<(SupplyProtocol, Vec<PlannedRegimen>), String> {
    let protocol: SupplyProtocol = toml::from_str(text).map_err(|e| e.to_string())?;
    let total_ratio: u32 = protocol.arms.iter().map(|a| a.ratio).sum();
    let mut planned = Vec::new();
    for table in &protocol.regimens {
        if table.get("product").and_then(|p| p.as_str()) != Some("plasma") {
            continue;
        }
        let name = table
            .get("name")
            .and_then(|n| n.as_str())
            .ok_or("a [[regimen]] with product = \"plasma\" has no name")?
            .to_string();
        let mut fields = table.clone();
        fields.remove("name");
        fields.remove("product");
        let spec: PlasmaSpec = toml::Value::Table(fields)
            .try_into()
            .map_err(|e| format!("regimen `{name}`: {e}"))?;
        let regimen = PlasmaRegimen::new(spec, AboFrequencies::ITALY)
            .map_err(|e| format!("regimen `{name}`: {e}"))?;
        let ratio: u32 = protocol
            .arms
            .iter()
            .filter(|a| a.regimens.contains(&name))
            .map(|a| a.ratio)
            .sum();
        if ratio == 0 {
            return Err(format!("plasma regimen `{name}` is used by no arm"));
        }
        let arms: Vec<&str> = protocol
            .arms
            .iter()
            .filter(|a| a.regimens.contains(&name))
            .map(|a| a.label.as_str())
            .collect();
        let patients = patients_on_regimen(protocol.study.enrollment, ratio, total_ratio);
        planned.push(PlannedRegimen {
            name: format!("{name} ({})", arms.join(", ")),
            regimen,
            patients,
        });
    }
    if planned.is_empty() {
        return Err("the protocol has no [[regimen]] with product = \"plasma\"".into());
    }
    Ok((protocol, planned))
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
    let _ = writeln!(
        out,
        "    fraction qualifying          {:>10.3}  ({:.3}–{:.3})",
        plan.summarize(|r| r.donations as f64 / r.donors_eligible as f64)
            .median,
        plan.summarize(|r| r.donations as f64 / r.donors_eligible as f64)
            .lower,
        plan.summarize(|r| r.donations as f64 / r.donors_eligible as f64)
            .upper
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
        include_str!("../../../therapy/tests/fixtures/nct04385043_supply.toml");

    #[test]
    fn seed_protocol_gives_half_the_enrollment_on_plasma() {
        let (protocol, planned) = read_protocol(SEED_PROTOCOL).unwrap();
        assert_eq!(protocol.simulation.unwrap().seed, Some(20200501));
        assert_eq!(planned.len(), 1);
        // 400 enrolled, arms 1:1 → 200 on plasma; 600 mL apheresis / 300 mL units = 2 units.
        assert_eq!(planned[0].patients, 200);
        assert_eq!(planned[0].regimen.units_per_donation(), 2);
        assert_eq!(planned[0].regimen.spec().doses, 3);
    }

    #[test]
    fn bad_regimen_fields_are_reported_with_the_regimen_name() {
        let bad = SEED_PROTOCOL.replace("unit_volume_ml = 300", "unit_volum_ml = 300");
        let message = read_protocol(&bad).unwrap_err();
        assert!(
            message.contains("hyperimmune_plasma") && message.contains("unit_volum_ml"),
            "{message}"
        );
        let out_of_range = SEED_PROTOCOL.replace("unit_volume_ml = 300", "unit_volume_ml = 3000");
        assert!(
            read_protocol(&out_of_range)
                .unwrap_err()
                .contains("unit_volume_ml")
        );
    }

    #[test]
    fn patients_follow_allocation_ratio() {
        assert_eq!(patients_on_regimen(400, 1, 2), 200);
        assert_eq!(patients_on_regimen(90, 2, 3), 60);
    }
}
