//! From physiology to care: oxygen support, the WHO Clinical Progression Scale (0–10), and the
//! rules for admission, intubation, extubation, discharge and death (MODEL.md §7, §8.5).
//!
//! The rules are a pure state machine driven by threshold crossings of P/F (found by the
//! solver by root-finding) and by the timers the machine itself schedules (hysteresis). The
//! physiology does not depend on the care level, so the machine never feeds back into the ODE.

/// Target PaO₂ for titrating oxygen (SpO₂ ≈ 92–94 %), mmHg. MODEL.md §8.5 [A].
pub const PAO2_TARGET_MMHG: f64 = 65.0;
/// Highest FiO₂ on room air.
pub const FIO2_ROOM_AIR: f64 = crate::derived::FIO2_ROOM_AIR;
/// Highest FiO₂ deliverable by mask or nasal prongs (WHO 5). MODEL.md §8.5 [A].
pub const FIO2_LOW_FLOW_MAX: f64 = 0.40;
/// Highest FiO₂ accepted on high-flow oxygen or NIV before intubation (WHO 6). MODEL.md §8.5 [A].
pub const FIO2_HIGH_FLOW_MAX: f64 = 0.60;

/// P/F below which oxygen is needed (FiO₂_req > 0.21): ≈ 309.5 mmHg.
pub const PF_OXYGEN: f64 = PAO2_TARGET_MMHG / FIO2_ROOM_AIR;
/// P/F below which low-flow oxygen is not enough (FiO₂_req > 0.40): 162.5 mmHg.
pub const PF_HIGH_FLOW: f64 = PAO2_TARGET_MMHG / FIO2_LOW_FLOW_MAX;
/// P/F below which high-flow oxygen is failing (FiO₂_req > 0.60): ≈ 108.3 mmHg.
pub const PF_HIGH_FLOW_FAILING: f64 = PAO2_TARGET_MMHG / FIO2_HIGH_FLOW_MAX;
/// P/F below which the patient is intubated at once (Berlin severe ARDS). MODEL.md §8.5 [A].
pub const PF_INTUBATE_NOW: f64 = 100.0;
/// How long high-flow must be failing before intubation, days (12 h). MODEL.md §8.5 [A].
pub const HIGH_FLOW_FAILURE_DAYS: f64 = 0.5;
/// P/F above which a ventilated patient is ready for extubation. MODEL.md §8.5 [A].
pub const PF_EXTUBATE: f64 = 200.0;
/// How long P/F must stay above [`PF_EXTUBATE`] before extubation, days (48 h). MODEL.md §8.5 [A].
pub const EXTUBATION_STABLE_DAYS: f64 = 2.0;
/// How long a hospitalised patient must be off oxygen before discharge, days (48 h) [A].
pub const DISCHARGE_STABLE_DAYS: f64 = 2.0;
/// WHO 7 vs 8 boundary on mechanical ventilation, P/F mmHg (WHO CPS definition).
pub const PF_WHO8: f64 = 150.0;
/// IL-6 above which a ventilated patient with P/F < 150 is scored WHO 9: proxy for shock
/// (vasopressors) or dialysis, pg/mL. MODEL.md §8.5 item 6 [A].
pub const IL6_ORGAN_FAILURE_PG_ML: f64 = 100.0;

/// The P/F thresholds whose crossings drive the care rules, highest first.
pub const PF_THRESHOLDS: [f64; 4] = [
    PF_OXYGEN,
    PF_EXTUBATE,
    PF_HIGH_FLOW_FAILING,
    PF_INTUBATE_NOW,
];

/// FiO₂ needed to reach the target PaO₂ at P/F `pf`.
pub fn fio2_required(pf: f64) -> f64 {
    PAO2_TARGET_MMHG / pf.max(f64::MIN_POSITIVE)
}

/// Oxygen support level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Support {
    /// No oxygen.
    RoomAir,
    /// Mask or nasal prongs.
    LowFlow,
    /// High-flow nasal oxygen or non-invasive ventilation.
    HighFlow,
    /// Intubation and mechanical ventilation.
    Invasive,
}

impl Support {
    /// Lower-case name for tables and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Support::RoomAir => "room_air",
            Support::LowFlow => "low_flow",
            Support::HighFlow => "high_flow",
            Support::Invasive => "invasive",
        }
    }
}

/// Oxygen device a non-ventilated patient needs at P/F `pf`.
pub fn oxygen_need(pf: f64) -> Support {
    if pf >= PF_OXYGEN {
        Support::RoomAir
    } else if pf >= PF_HIGH_FLOW {
        Support::LowFlow
    } else {
        Support::HighFlow
    }
}

/// Where the patient is in the care pathway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CareStatus {
    /// Admitted and not yet discharged.
    pub hospitalised: bool,
    /// Intubated and not yet extubated.
    pub ventilated: bool,
    /// Dead.
    pub dead: bool,
    /// Symptom onset has happened.
    pub symptomatic: bool,
}

/// Support level given the care status and P/F.
pub fn support(status: CareStatus, pf: f64) -> Support {
    if status.ventilated {
        Support::Invasive
    } else if status.hospitalised {
        oxygen_need(pf)
    } else {
        Support::RoomAir
    }
}

/// WHO Clinical Progression Scale score (Marshall 2020): 0–10.
///
/// Outside hospital: 0 when viral RNA is undetectable, 1 before symptom onset, 2 after.
/// In hospital: 4 room air, 5 low-flow, 6 high-flow/NIV; ventilated: 7 (P/F ≥ 150), 8 (P/F < 150),
/// 9 (P/F < 150 and the organ-failure proxy IL-6 > 100 pg/mL); 10 dead.
pub fn who_score(status: CareStatus, pf: f64, il6_pg_ml: f64, viral_rna_detected: bool) -> u8 {
    if status.dead {
        return 10;
    }
    match support(status, pf) {
        Support::Invasive => {
            if pf >= PF_WHO8 {
                7
            } else if il6_pg_ml > IL6_ORGAN_FAILURE_PG_ML {
                9
            } else {
                8
            }
        }
        Support::HighFlow => 6,
        Support::LowFlow => 5,
        Support::RoomAir if status.hospitalised => 4,
        Support::RoomAir if !viral_rna_detected => 0,
        Support::RoomAir if status.symptomatic => 2,
        Support::RoomAir => 1,
    }
}

/// A change in the care pathway, with its exact time (days since infection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CareTransition {
    /// Admitted to hospital (scheduled admission, or earlier because oxygen is needed).
    Admission,
    /// Intubated (P/F < 100, or high-flow failing for 12 h).
    Intubation,
    /// Extubated (P/F > 200 for 48 h).
    Extubation,
    /// Discharged (off oxygen for 48 h, not ventilated).
    Discharge,
    /// Died (cumulative hazard reached the caller's threshold).
    Death,
}

/// The care-pathway state machine for one patient.
///
/// Feed it every crossing of [`PF_THRESHOLDS`] in time order with [`CareMachine::on_pf_crossing`],
/// ask for the next timer with [`CareMachine::next_due`] before each crossing (and fire it with
/// [`CareMachine::fire`] if it comes first), and call [`CareMachine::admit`] at the scheduled
/// admission time and [`CareMachine::die`] at death.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CareMachine {
    /// Current status.
    pub status: CareStatus,
    /// For each of [`PF_THRESHOLDS`]: the time P/F last went below it, if it is below now.
    below_since: [Option<f64>; 4],
    /// For each of [`PF_THRESHOLDS`]: the time P/F last went above it, if it is above now.
    above_since: [Option<f64>; 4],
    /// Time of the last admission, intubation and extubation.
    admitted_at: f64,
    intubated_at: f64,
    extubated_at: f64,
}

const IDX_OXYGEN: usize = 0;
const IDX_EXTUBATE: usize = 1;
const IDX_HIGH_FLOW_FAILING: usize = 2;

impl CareMachine {
    /// A patient at time `t` with P/F `pf`, not in hospital.
    pub fn new(t: f64, pf: f64) -> CareMachine {
        let mut below_since = [None; 4];
        let mut above_since = [None; 4];
        for (i, thr) in PF_THRESHOLDS.iter().enumerate() {
            if pf < *thr {
                below_since[i] = Some(t);
            } else {
                above_since[i] = Some(t);
            }
        }
        CareMachine {
            status: CareStatus {
                hospitalised: false,
                ventilated: false,
                dead: false,
                symptomatic: false,
            },
            below_since,
            above_since,
            admitted_at: f64::NEG_INFINITY,
            intubated_at: f64::NEG_INFINITY,
            extubated_at: f64::NEG_INFINITY,
        }
    }

    /// Symptom onset (changes the WHO score outside hospital only).
    pub fn onset(&mut self) {
        self.status.symptomatic = true;
    }

    /// Scheduled admission at `t`; returns the transition if it happened (not already admitted).
    pub fn admit(&mut self, t: f64) -> Option<CareTransition> {
        if self.status.dead || self.status.hospitalised {
            return None;
        }
        self.status.hospitalised = true;
        self.admitted_at = t;
        Some(CareTransition::Admission)
    }

    /// Death at `t`.
    pub fn die(&mut self) -> Option<CareTransition> {
        if self.status.dead {
            return None;
        }
        self.status.dead = true;
        Some(CareTransition::Death)
    }

    /// P/F crossed `PF_THRESHOLDS[index]` at `t`, going below it if `downward`. Returns the
    /// transition it causes at once (admission when oxygen becomes needed outside hospital,
    /// intubation when P/F falls below 100).
    pub fn on_pf_crossing(
        &mut self,
        t: f64,
        index: usize,
        downward: bool,
    ) -> Option<CareTransition> {
        if downward {
            self.below_since[index] = Some(t);
            self.above_since[index] = None;
        } else {
            self.above_since[index] = Some(t);
            self.below_since[index] = None;
        }
        if self.status.dead || !downward {
            return None;
        }
        if index == IDX_OXYGEN && !self.status.hospitalised {
            return self.admit(t);
        }
        if PF_THRESHOLDS[index] == PF_INTUBATE_NOW && !self.status.ventilated {
            self.intubate(t);
            return Some(CareTransition::Intubation);
        }
        None
    }

    fn intubate(&mut self, t: f64) {
        self.status.hospitalised = true;
        self.status.ventilated = true;
        self.intubated_at = t;
    }

    /// The next timer-driven transition and its time, assuming no further crossing.
    pub fn next_due(&self) -> Option<(f64, CareTransition)> {
        let s = self.status;
        if s.dead {
            return None;
        }
        if s.ventilated {
            return self.above_since[IDX_EXTUBATE].map(|since| {
                (
                    since.max(self.intubated_at) + EXTUBATION_STABLE_DAYS,
                    CareTransition::Extubation,
                )
            });
        }
        if let Some(since) = self.below_since[IDX_HIGH_FLOW_FAILING] {
            return Some((since + HIGH_FLOW_FAILURE_DAYS, CareTransition::Intubation));
        }
        if s.hospitalised {
            return self.above_since[IDX_OXYGEN].map(|since| {
                let start = since.max(self.admitted_at).max(self.extubated_at);
                (start + DISCHARGE_STABLE_DAYS, CareTransition::Discharge)
            });
        }
        None
    }

    /// Apply the transition `what` at `t` (as returned by [`CareMachine::next_due`]).
    pub fn fire(&mut self, t: f64, what: CareTransition) -> CareTransition {
        match what {
            CareTransition::Intubation => self.intubate(t),
            CareTransition::Extubation => {
                self.status.ventilated = false;
                self.extubated_at = t;
            }
            CareTransition::Discharge => self.status.hospitalised = false,
            CareTransition::Admission => {
                self.status.hospitalised = true;
                self.admitted_at = t;
            }
            CareTransition::Death => self.status.dead = true,
        }
        what
    }
}
