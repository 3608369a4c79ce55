//! What a clinician or a trial would measure, computed from the state (MODEL.md §8.5).
//! Measurement noise is the caller's business: these are the noise-free values.

use crate::derived::{Derived, FIO2_ROOM_AIR};
use crate::equations::{Inputs, log10_viral_load, viral_load};
use crate::state::State;

/// Severinghaus 1979 oxygen dissociation curve constant (MODEL.md §7.2, from memory):
/// SaO₂ = 1 / (1 + 23400 / (PO₂³ + 150·PO₂)).
pub const SEVERINGHAUS_A: f64 = 23400.0;
/// Severinghaus linear coefficient, mmHg².
pub const SEVERINGHAUS_B: f64 = 150.0;

/// Lung injury J = D + ω_I·I (fraction of epithelium not exchanging gas).
pub fn lung_injury(d: &Derived, s: &State) -> f64 {
    (s.damaged + d.params.omega_i * s.infected).max(0.0)
}

/// PaO₂/FiO₂ (mmHg) at lung injury `j`: PF0·exp(−J/J_s).
pub fn pf_ratio(d: &Derived, j: f64) -> f64 {
    d.pf0 * (-j / d.params.j_scale).exp()
}

/// Lung injury at which P/F equals `pf` (inverse of [`pf_ratio`]).
pub fn lung_injury_at_pf(d: &Derived, pf: f64) -> f64 {
    -d.params.j_scale * (pf / d.pf0).ln()
}

/// SpO₂ on room air (%), from PaO₂ = (P/F)·0.21 through the Severinghaus curve.
pub fn spo2_room_air(pf: f64) -> f64 {
    let po2 = (pf * FIO2_ROOM_AIR).max(0.0);
    100.0 / (1.0 + SEVERINGHAUS_A / (po2 * po2 * po2 + SEVERINGHAUS_B * po2))
}

/// The noise-free observables at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observables {
    /// Viral load, log10 copies/mL (floored at 0).
    pub viral_load_log10: f64,
    /// Viral load, copies/mL.
    pub viral_load_copies_ml: f64,
    /// Whether the viral load is at or above the limit of detection.
    pub viral_load_detectable: bool,
    /// Plasma IL-6, pg/mL.
    pub il6_pg_ml: f64,
    /// Blood lymphocytes, 10⁹/L.
    pub lymphocytes_1e9_l: f64,
    /// Plasma neutralising titer, endogenous + passive, ID50.
    pub titer_id50: f64,
    /// Endogenous part of the titer, ID50.
    pub titer_endogenous_id50: f64,
    /// Passive (transfused) part of the titer, ID50.
    pub titer_passive_id50: f64,
    /// Lung injury J, fraction of epithelium.
    pub lung_injury: f64,
    /// PaO₂/FiO₂, mmHg.
    pub pf_ratio: f64,
    /// SpO₂ on room air, %.
    pub spo2: f64,
    /// FiO₂ needed to reach the target PaO₂ (may exceed 1: not reachable without ventilation).
    pub fio2_required: f64,
    /// Dexamethasone plasma concentration, ng/mL.
    pub dexamethasone_ng_ml: f64,
    /// MSC-induced immunoregulatory state, 0–1.
    pub immunoregulation: f64,
    /// Cumulative death hazard Λ since admission.
    pub cumulative_hazard: f64,
    /// Cumulative death probability 1 − exp(−Λ).
    pub death_probability: f64,
}

impl Observables {
    /// Observables of state `s` under inputs `u` (the viral load depends on a running antiviral).
    pub fn of(d: &Derived, s: &State, u: &Inputs) -> Observables {
        let virus = viral_load(d, s, u);
        let j = lung_injury(d, s);
        let pf = pf_ratio(d, j);
        let titer_passive = s.ab_plasma.max(0.0) / d.plasma_ml;
        let titer_endogenous = s.titer_endogenous.max(0.0);
        let cum = s.cum_hazard.max(0.0);
        Observables {
            viral_load_log10: log10_viral_load(virus),
            viral_load_copies_ml: virus,
            viral_load_detectable: virus >= d.params.vl_lod,
            il6_pg_ml: s.il6.max(0.0),
            lymphocytes_1e9_l: s.lymphocytes.max(0.0),
            titer_id50: titer_endogenous + titer_passive,
            titer_endogenous_id50: titer_endogenous,
            titer_passive_id50: titer_passive,
            lung_injury: j,
            pf_ratio: pf,
            spo2: spo2_room_air(pf),
            fio2_required: crate::clinical::fio2_required(pf),
            dexamethasone_ng_ml: s.dex_conc.max(0.0),
            immunoregulation: s.immunoregulation,
            cumulative_hazard: cum,
            death_probability: -(-cum).exp_m1(),
        }
    }
}
