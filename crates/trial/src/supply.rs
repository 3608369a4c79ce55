//! Plasma received by each patient, and the plasma supply of a trial.
//!
//! [`received`] sums what one patient's issued plasma delivered (units, neutralising dose);
//! the trial engine stores it on the course and ADSL shows it (PLUNITS, PLNABDOS).
//! [`plan_regimens`] maps a protocol's plasma regimens to the therapy crate's supply planning
//! (`immunotrial supply` prints the plan); [`summary`] is `summary.json` `supply`: the plan for
//! the simulated enrollment and the neutralising dose the trial's patients received.

use crate::datasets::{Dataset, Values};
use serde::{Deserialize, Serialize};
use therapy::PlasmaRegimen;
use therapy::abo::AboFrequencies;
use therapy::plasma::IssuedAdministration;
use therapy::supply::{SupplyOptions, plan_supply, quantile};

/// Plasma a patient received.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PlasmaReceived {
    /// Units infused.
    pub units: u32,
    /// Neutralising dose delivered, ID50·mL (Σ titer × volume × (1 − pathogen-reduction
    /// loss) over the units infused).
    pub delivered_id50_ml: f64,
}

/// The plasma of `administrations` given up to `until_days_since_onset` (a patient who dies
/// before a scheduled administration does not receive it; `None`: all of them).
pub fn received(
    administrations: &[IssuedAdministration],
    until_days_since_onset: Option<f64>,
) -> PlasmaReceived {
    administrations
        .iter()
        .filter(|a| until_days_since_onset.is_none_or(|end| a.day_since_onset <= end))
        .flat_map(|a| &a.units)
        .fold(PlasmaReceived::default(), |sum, unit| PlasmaReceived {
            units: sum.units + 1,
            delivered_id50_ml: sum.delivered_id50_ml + unit.delivered_id50_ml(),
        })
}

/// Whether the protocol gives plasma in any arm.
pub fn has_plasma(protocol: &protocol::Protocol) -> bool {
    protocol.arms.iter().any(|arm| {
        protocol
            .arm_regimens(arm)
            .any(|r| matches!(r.product, protocol::Product::Plasma(_)))
    })
}

/// A plasma regimen of the protocol and how many patients receive it.
#[derive(Debug, Clone)]
pub struct PlannedRegimen {
    /// Regimen name and the arms that give it.
    pub name: String,
    /// The therapy crate's regimen.
    pub regimen: PlasmaRegimen,
    /// Patients on it.
    pub patients: u32,
}

/// The protocol's plasma regimens, each with the number of `enrollment` patients whose arm
/// holds it (by allocation ratio); recipients weigh `weight_kg` for mL/kg doses. The error is
/// a message for the user.
pub fn plan_regimens(
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
        let items = crate::regimens::items_of(regimen, weight_kg, 0.0)
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
pub fn patients_on_regimen(enrollment: u32, ratio: u32, total_ratio: u32) -> u32 {
    ((f64::from(enrollment) * f64::from(ratio) / f64::from(total_ratio)).round()) as u32
}

/// Simulated collection campaigns behind `summary.json` `supply` (the therapy crate's
/// default, [`SupplyOptions::default`]: 200).
pub const SUPPLY_CAMPAIGNS: u32 = 200;

/// `summary.json` `supply`: plasma supply of a trial with a plasma arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplySummary {
    /// The supply plan of each plasma regimen for the simulated enrollment.
    pub regimens: Vec<RegimenSupply>,
    /// Neutralising dose the trial's treated patients received (ADSL PLNABDOS > 0).
    pub delivered_id50_ml: Option<Spread>,
}

/// The supply plan of one plasma regimen: closed-form expectations and the medians of
/// simulated campaigns with ABO matching.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegimenSupply {
    /// Regimen and arms.
    pub regimen: String,
    /// Patients on it (share of the simulated enrollment by allocation ratio).
    pub patients: u32,
    /// Volunteers screened, median over campaigns.
    pub donors_screened: f64,
    /// Share of eligible donors whose titer qualifies (closed form).
    pub share_qualifying: f64,
    /// Donations, median over campaigns.
    pub donations: f64,
    /// Units needed (closed form: patients × units per patient).
    pub units_needed: f64,
    /// Units collected, median over campaigns.
    pub units_collected: f64,
    /// Simulated campaigns.
    pub campaigns: u32,
}

/// Median and interquartile range (R type 7) of a quantity over patients.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// Patients.
    pub n: u64,
    /// Median.
    pub median: f64,
    /// First quartile.
    pub q1: f64,
    /// Third quartile.
    pub q3: f64,
}

/// The supply summary of a protocol with a plasma arm (`None` without one); regimens whose plan
/// is infeasible are left out. `adsl` gives the delivered doses (PLNABDOS).
pub fn summary(protocol: &protocol::Protocol, adsl: &Dataset) -> Option<SupplySummary> {
    Some(summary_with(campaigns(protocol)?, adsl))
}

/// The supply summary from campaigns already simulated by [`campaigns`] (they depend on the
/// protocol only, so a run simulates them while it simulates the patients).
pub fn summary_with(regimens: Vec<RegimenSupply>, adsl: &Dataset) -> SupplySummary {
    let mut doses: Vec<f64> = match adsl.column("PLNABDOS").map(|c| &c.values) {
        Some(Values::Float(v)) => v.iter().flatten().copied().filter(|&d| d > 0.0).collect(),
        _ => Vec::new(),
    };
    doses.sort_by(f64::total_cmp);
    let delivered_id50_ml = (!doses.is_empty()).then(|| Spread {
        n: doses.len() as u64,
        median: quantile(&doses, 0.5),
        q1: quantile(&doses, 0.25),
        q3: quantile(&doses, 0.75),
    });
    SupplySummary {
        regimens,
        delivered_id50_ml,
    }
}

/// The simulated collection campaigns of each plasma regimen of the protocol (`None` without
/// a plasma arm); regimens whose plan is infeasible are left out.
pub fn campaigns(protocol: &protocol::Protocol) -> Option<Vec<RegimenSupply>> {
    if !has_plasma(protocol) {
        return None;
    }
    let options = SupplyOptions {
        replicates: SUPPLY_CAMPAIGNS,
        recipient_abo: AboFrequencies::ITALY,
        ..SupplyOptions::default()
    };
    let planned = plan_regimens(
        protocol,
        protocol.simulation.patients,
        options.body_weight_kg,
    )
    .unwrap_or_default();
    let regimens = planned
        .iter()
        .filter_map(|p| {
            let plan =
                plan_supply(&p.regimen, p.patients, protocol.simulation.seed, &options).ok()?;
            Some(RegimenSupply {
                regimen: p.name.clone(),
                patients: p.patients,
                donors_screened: plan.summarize(|r| r.donors_screened as f64).median,
                share_qualifying: plan.expected.qualifying_probability,
                donations: plan.summarize(|r| r.donations as f64).median,
                units_needed: plan.expected.units_needed,
                units_collected: plan.summarize(|r| r.units_collected as f64).median,
                campaigns: options.replicates,
            })
        })
        .collect();
    Some(regimens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use therapy::plasma::PlasmaUnit;

    const SEED_PROTOCOL: &str =
        include_str!("../../../protocols/nct04385043-hyperimmune-plasma.toml");

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
        let msc = include_str!("../../../protocols/nct04467047-msc-phase1.toml");
        let protocol = protocol::parse_protocol("msc.toml", msc).unwrap();
        assert!(
            plan_regimens(&protocol, 10, 70.0)
                .unwrap_err()
                .contains("no arm")
        );
        assert!(!has_plasma(&protocol));
    }

    #[test]
    fn patients_follow_allocation_ratio() {
        assert_eq!(patients_on_regimen(400, 1, 2), 200);
        assert_eq!(patients_on_regimen(90, 2, 3), 60);
    }

    fn unit(titer_id50: f64, volume_ml: f64, reduction_loss: f64) -> PlasmaUnit {
        PlasmaUnit {
            donor_id: 0,
            abo: therapy::AboGroup::O,
            titer_id50,
            volume_ml,
            reduction_loss,
        }
    }

    #[test]
    fn received_counts_units_given_before_death() {
        let given = vec![
            IssuedAdministration {
                day_since_onset: 10.0,
                units: vec![unit(320.0, 300.0, 0.1)],
                events: Vec::new(),
            },
            IssuedAdministration {
                day_since_onset: 12.0,
                units: vec![unit(160.0, 250.0, 0.0), unit(640.0, 200.0, 0.5)],
                events: Vec::new(),
            },
        ];
        // All: 320·300·0.9 + 160·250 + 640·200·0.5 = 86 400 + 40 000 + 64 000.
        let all = received(&given, None);
        assert_eq!(all.units, 3);
        assert!((all.delivered_id50_ml - 190_400.0).abs() < 1e-6);
        // Death on day 11 since onset: the second administration is never given.
        let first = received(&given, Some(11.0));
        assert_eq!(first.units, 1);
        assert!((first.delivered_id50_ml - 86_400.0).abs() < 1e-6);
        assert_eq!(received(&[], None), PlasmaReceived::default());
    }
}
