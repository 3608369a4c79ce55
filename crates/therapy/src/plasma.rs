//! Convalescent / hyperimmune plasma from donor to dose: unit titer, volume, ABO, pathogen
//! reduction, and the passive-antibody dose events they make.
//!
//! Dose arithmetic (MODEL.md §8.4): a unit delivers titer × volume × (1 − pathogen-reduction
//! loss) ID50·mL of neutralising activity, infused at a constant rate over the unit's infusion
//! time into the passive-antibody compartment ([`DoseInput::PassiveAntibody`]). The units of one
//! administration run one after another.

use crate::abo::{AboFrequencies, AboGroup};
use crate::bounds::{SpecError, check};
use crate::donor::{DonorPopulation, DonorPopulationSpec, Qualification};
use crate::patient::PatientContext;
use crate::reduction::PathogenReduction;
use crate::schedule::{ConditionalDoses, Schedule};
use model::dosing::{DoseEvent, DoseInput};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use thiserror::Error;

/// Hours per day, for infusion times given in hours.
const HOURS_PER_DAY: f64 = 24.0;

/// Most donor draws tried when issuing one unit before giving up (a population in which fewer
/// than about 1 in 10^5 volunteers give a qualifying, compatible unit is a specification error).
const MAX_DONOR_DRAWS_PER_UNIT: u32 = 1_000_000;

/// A plasma regimen as written in a protocol or on the command line (raw; validate with
/// [`PlasmaRegimen::new`]). Defaults follow NCT04321421/NCT04385043 where the records say, and
/// MODEL.md §4 otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlasmaSpec {
    /// First administration, days since symptom onset. Default 0. Bounds [0, 60].
    pub first_day: f64,
    /// Number of administrations. Default 1. Bounds [1, 10].
    pub doses: u32,
    /// Days between administrations. Default 2 (NCT04321421: days 1, 3, 5). Bounds [0.04, 30].
    pub interval_days: f64,
    /// Administrations after the first depend on clinical response (NCT04321421). Default false.
    pub conditional_after_first: bool,
    /// Units per administration. Default 1 (NCT04321421: one 250–300 mL unit each time).
    /// Bounds [1, 6]. Ignored when `ml_per_kg` is set.
    pub units_per_dose: u32,
    /// Volume per administration by body weight, mL/kg; rounded to whole units (at least one).
    /// Default none. Bounds [1, 30] (Li 2020 gave 4–13 mL/kg, MODEL.md §4.4).
    pub ml_per_kg: Option<f64>,
    /// Volume of one unit, mL. Default 250 (200–300 mL, MODEL.md §4.4; Libster 250). Bounds
    /// [50, 600].
    pub unit_volume_ml: f64,
    /// Infusion time of one unit, hours. Default 1.5 (1–2 h, MODEL.md §8.4). Bounds [0.25, 6].
    pub infusion_hours: f64,
    /// Every unit has this ID50 (hyperimmune product of known titer); when absent, unit titers
    /// come from `donors` and `qualification`. Bounds [1, 1e6].
    pub titer_id50: Option<f64>,
    /// The donor population units come from.
    pub donors: DonorPopulationSpec,
    /// Titer threshold a donation must meet.
    pub qualification: Qualification,
    /// Pathogen reduction of every unit. Default none.
    pub pathogen_reduction: PathogenReduction,
    /// Donations pooled per solvent/detergent unit (titers are averaged). Default 50 \[A\]
    /// (commercial S/D plasma pools hundreds of donations; convalescent pools were smaller).
    /// Bounds [2, 2000]. Used only with `solvent_detergent`.
    pub pool_size: u32,
    /// Apheresis volume collected per donation, mL. Default 600 (NCT04321421: 500–600 mL split
    /// into two units). Bounds [200, 900].
    pub collection_volume_ml: f64,
}

impl Default for PlasmaSpec {
    fn default() -> Self {
        Self {
            first_day: 0.0,
            doses: 1,
            interval_days: 2.0,
            conditional_after_first: false,
            units_per_dose: 1,
            ml_per_kg: None,
            unit_volume_ml: 250.0,
            infusion_hours: 1.5,
            titer_id50: None,
            donors: DonorPopulationSpec::default(),
            qualification: Qualification::default(),
            pathogen_reduction: PathogenReduction::None,
            pool_size: 50,
            collection_volume_ml: 600.0,
        }
    }
}

/// A validated plasma regimen.
#[derive(Debug, Clone, PartialEq)]
pub struct PlasmaRegimen {
    spec: PlasmaSpec,
    donors: DonorPopulation,
    schedule: Schedule,
}

/// Why no unit could be issued.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum IssueError {
    /// The inventory (or donor population) has no compatible, qualifying unit left.
    #[error("no {recipient:?}-compatible qualifying plasma unit available")]
    NoCompatibleUnit {
        /// Recipient group.
        recipient: AboGroup,
    },
}

impl PlasmaRegimen {
    /// Validates `spec`; donors' ABO groups follow `abo`.
    pub fn new(spec: PlasmaSpec, abo: AboFrequencies) -> Result<Self, SpecError> {
        let schedule = Schedule {
            first_day: spec.first_day,
            doses: spec.doses,
            interval_days: spec.interval_days,
            conditional_after_first: spec.conditional_after_first,
        };
        schedule.validate()?;
        check("doses", f64::from(spec.doses), 1.0, 10.0, "administrations")?;
        check(
            "units_per_dose",
            f64::from(spec.units_per_dose),
            1.0,
            6.0,
            "units",
        )?;
        if let Some(v) = spec.ml_per_kg {
            check("ml_per_kg", v, 1.0, 30.0, "mL/kg")?;
        }
        check("unit_volume_ml", spec.unit_volume_ml, 50.0, 600.0, "mL")?;
        check("infusion_hours", spec.infusion_hours, 0.25, 6.0, "h")?;
        if let Some(t) = spec.titer_id50 {
            check("titer_id50", t, 1.0, 1e6, "ID50")?;
        }
        spec.qualification.validate()?;
        check(
            "pool_size",
            f64::from(spec.pool_size),
            2.0,
            2000.0,
            "donations",
        )?;
        check(
            "collection_volume_ml",
            spec.collection_volume_ml,
            200.0,
            900.0,
            "mL",
        )?;
        if spec.collection_volume_ml < spec.unit_volume_ml {
            return Err(SpecError::Inconsistent(format!(
                "collection_volume_ml ({}) is smaller than one unit ({} mL)",
                spec.collection_volume_ml, spec.unit_volume_ml
            )));
        }
        let donors = DonorPopulation::new(spec.donors.clone(), abo)?;
        Ok(Self {
            spec,
            donors,
            schedule,
        })
    }

    /// The validated spec.
    pub fn spec(&self) -> &PlasmaSpec {
        &self.spec
    }

    /// The donor population.
    pub fn donors(&self) -> &DonorPopulation {
        &self.donors
    }

    /// The administration schedule.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// Whole units one donation yields: ⌊collection volume / unit volume⌋.
    pub fn units_per_donation(&self) -> u32 {
        // Both volumes are validated (collection ≥ unit ≥ 50 mL, collection ≤ 900), so the
        // quotient is in [1, 18].
        (self.spec.collection_volume_ml / self.spec.unit_volume_ml).floor() as u32
    }

    /// Units given at each administration to a patient of `body_weight_kg`.
    pub fn units_per_administration(&self, body_weight_kg: f64) -> u32 {
        match self.spec.ml_per_kg {
            // ml_per_kg ≤ 30 and weight ≤ 250 kg keep this far inside u32.
            Some(ml_per_kg) => {
                ((ml_per_kg * body_weight_kg / self.spec.unit_volume_ml).round() as u32).max(1)
            }
            None => self.spec.units_per_dose,
        }
    }

    /// Infusion time of one unit, days.
    pub fn infusion_days(&self) -> f64 {
        self.spec.infusion_hours / HOURS_PER_DAY
    }

    /// Issues one unit for `recipient` from the donor population: draws volunteers from `rng`
    /// until one is eligible, qualifies and is ABO-compatible (so unit titers follow the
    /// qualified-donor distribution and the donor group follows the population frequencies
    /// among compatible groups), then applies pathogen reduction. With a fixed `titer_id50` the
    /// donor still fixes the ABO group. With solvent/detergent the titer is the mean of
    /// `pool_size` qualifying donations.
    pub fn issue_unit<R: rand::Rng + ?Sized>(
        &self,
        recipient: AboGroup,
        rng: &mut R,
    ) -> Result<PlasmaUnit, IssueError> {
        let first = self.draw_qualifying_donor(recipient, rng)?;
        let mut titer_id50 = match self.spec.titer_id50 {
            Some(fixed) => fixed,
            None => first.titer_id50,
        };
        if self.spec.pathogen_reduction.is_pooled() && self.spec.titer_id50.is_none() {
            let mut sum = first.titer_id50;
            for _ in 1..self.spec.pool_size {
                sum += self.draw_qualifying_donor(recipient, rng)?.titer_id50;
            }
            titer_id50 = sum / f64::from(self.spec.pool_size);
        }
        let reduction_loss = self.spec.pathogen_reduction.sample_loss(rng);
        Ok(PlasmaUnit {
            donor_id: first.id,
            abo: first.abo,
            titer_id50,
            volume_ml: self.spec.unit_volume_ml,
            reduction_loss,
        })
    }

    fn draw_qualifying_donor<R: rand::Rng + ?Sized>(
        &self,
        recipient: AboGroup,
        rng: &mut R,
    ) -> Result<crate::donor::Donor, IssueError> {
        for attempt in 0..MAX_DONOR_DRAWS_PER_UNIT {
            let donor = self.donors.sample_donor(u64::from(attempt), rng);
            let qualifies =
                self.spec.titer_id50.is_some() || self.spec.qualification.qualifies(&donor);
            if self.donors.ineligibility(&donor).is_none()
                && qualifies
                && donor.abo.plasma_compatible_with(recipient)
            {
                return Ok(donor);
            }
        }
        Err(IssueError::NoCompatibleUnit { recipient })
    }

    /// The units and dose events of this regimen for one patient. `rng` is the patient's
    /// `Purpose::PlasmaIssue` stream. Each unit is one zero-order infusion of
    /// [`PlasmaUnit::delivered_id50_ml`] over [`infusion_days`](Self::infusion_days); the units
    /// of an administration follow each other from its scheduled time.
    pub fn realize<R: rand::Rng + ?Sized>(
        &self,
        patient: &PatientContext,
        conditional: ConditionalDoses,
        rng: &mut R,
    ) -> Result<Vec<IssuedAdministration>, IssueError> {
        let units = self.units_per_administration(patient.body_weight_kg);
        let duration = self.infusion_days();
        self.schedule
            .dose_days(conditional)
            .into_iter()
            .map(|day| {
                let start = patient.model_time(day);
                let mut issued = Vec::with_capacity(units as usize);
                let mut events = Vec::with_capacity(units as usize);
                for k in 0..units {
                    let unit = self.issue_unit(patient.abo, rng)?;
                    events.push(DoseEvent {
                        time_days: start + f64::from(k) * duration,
                        duration_days: duration,
                        input: DoseInput::PassiveAntibody {
                            amount_id50_ml: unit.delivered_id50_ml(),
                        },
                    });
                    issued.push(unit);
                }
                Ok(IssuedAdministration {
                    day_since_onset: day,
                    units: issued,
                    events,
                })
            })
            .collect()
    }
}

/// One administration of plasma: the units issued and their infusions.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuedAdministration {
    /// Scheduled day, days since symptom onset.
    pub day_since_onset: f64,
    /// Units given, in infusion order.
    pub units: Vec<PlasmaUnit>,
    /// One passive-antibody infusion per unit.
    pub events: Vec<DoseEvent>,
}

/// One plasma unit as issued.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlasmaUnit {
    /// Donor id: in a supply simulation the donor's stream key; when issued per patient, the
    /// index of the accepted draw in the patient's stream (first donor of a pool for S/D).
    pub donor_id: u64,
    /// Donor ABO group.
    pub abo: AboGroup,
    /// Neutralising ID50 before pathogen reduction.
    pub titer_id50: f64,
    /// Volume, mL.
    pub volume_ml: f64,
    /// Fraction of titer lost to pathogen reduction.
    pub reduction_loss: f64,
}

impl PlasmaUnit {
    /// Neutralising activity delivered, ID50·mL: titer × volume × (1 − loss).
    pub fn delivered_id50_ml(&self) -> f64 {
        self.titer_id50 * self.volume_ml * (1.0 - self.reduction_loss)
    }
}

/// Units on the shelf, by ABO group in collection order. Issues the same units as
/// [`issue_from_inventory`] would from the units in a `Vec`, but each issue costs the units
/// issued rather than a scan and sort of the whole shelf plus a shift per unit removed: a
/// trial's supply plan issues to thousands of recipients from thousands of units, which the
/// `Vec` version makes quadratic.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// (collection index, unit) per group, in [`AboGroup::ALL`] order, oldest first.
    shelves: [VecDeque<(usize, PlasmaUnit)>; 4],
}

impl Inventory {
    /// The units of `units`, their order in it being the collection order.
    pub fn from_units(units: Vec<PlasmaUnit>) -> Self {
        let mut inventory = Inventory::default();
        for (index, unit) in units.into_iter().enumerate() {
            inventory.shelves[unit.abo as usize].push_back((index, unit));
        }
        inventory
    }

    /// Units left.
    pub fn len(&self) -> usize {
        self.shelves.iter().map(VecDeque::len).sum()
    }

    /// No unit left.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes `count` units for `recipient`, as [`issue_from_inventory`] does: own group first,
    /// then the other compatible groups except AB (oldest first across them), AB last; the
    /// units are returned in collection order. Fails, and leaves the shelves unchanged, when
    /// not enough compatible units are left.
    pub fn issue(
        &mut self,
        recipient: AboGroup,
        count: usize,
    ) -> Result<Vec<PlasmaUnit>, IssueError> {
        let compatible: usize = AboGroup::ALL
            .iter()
            .filter(|g| g.plasma_compatible_with(recipient))
            .map(|&g| self.shelves[g as usize].len())
            .sum();
        if compatible < count {
            return Err(IssueError::NoCompatibleUnit { recipient });
        }
        let mut chosen: Vec<(usize, PlasmaUnit)> = Vec::with_capacity(count);
        let own = recipient as usize;
        while chosen.len() < count {
            let Some(unit) = self.shelves[own].pop_front() else {
                break;
            };
            chosen.push(unit);
        }
        // Other compatible groups but AB, the oldest unit among their fronts first.
        let others: Vec<usize> = AboGroup::ALL
            .iter()
            .filter(|&&g| {
                g != recipient && g != AboGroup::AB && g.plasma_compatible_with(recipient)
            })
            .map(|&g| g as usize)
            .collect();
        while chosen.len() < count {
            let oldest = others
                .iter()
                .filter_map(|&g| self.shelves[g].front().map(|&(index, _)| (index, g)))
                .min();
            let Some((_, g)) = oldest else { break };
            chosen.extend(self.shelves[g].pop_front());
        }
        let ab = AboGroup::AB as usize;
        while chosen.len() < count {
            let Some(unit) = self.shelves[ab].pop_front() else {
                break;
            };
            chosen.push(unit);
        }
        chosen.sort_unstable_by_key(|&(index, _)| index);
        Ok(chosen.into_iter().map(|(_, unit)| unit).collect())
    }
}

/// Takes `count` units for `recipient` out of `inventory`: the recipient's own group first,
/// then other compatible groups, AB last (AB plasma is the universal and scarcest). Fails, and
/// leaves the inventory unchanged, when not enough compatible units are left.
pub fn issue_from_inventory(
    inventory: &mut Vec<PlasmaUnit>,
    recipient: AboGroup,
    count: usize,
) -> Result<Vec<PlasmaUnit>, IssueError> {
    let preference = |group: AboGroup| -> u8 {
        if group == recipient {
            0
        } else if group == AboGroup::AB {
            2
        } else {
            1
        }
    };
    let mut candidates: Vec<usize> = (0..inventory.len())
        .filter(|&i| inventory[i].abo.plasma_compatible_with(recipient))
        .collect();
    if candidates.len() < count {
        return Err(IssueError::NoCompatibleUnit { recipient });
    }
    candidates.sort_by_key(|&i| (preference(inventory[i].abo), i));
    let mut chosen: Vec<usize> = candidates.into_iter().take(count).collect();
    chosen.sort_unstable();
    let mut issued: Vec<PlasmaUnit> = chosen.iter().rev().map(|&i| inventory.remove(i)).collect();
    issued.reverse();
    Ok(issued)
}
