//! The right-hand side: named effects, named fluxes, then the derivative of each state as a sum
//! of fluxes (MODEL.md §8.3; deviations in docs/model.md).

use crate::derived::Derived;
use crate::observables::{lung_injury, pf_ratio};
use crate::state::State;

/// Therapy and clock inputs that are constant between two consecutive breakpoints of the
/// dosing schedule (zero-order infusions, time-limited drug effects, the hazard clock).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Inputs {
    /// Passive antibody infusion into plasma, ID50·mL/d.
    pub antibody_rate: f64,
    /// MSC infusion, 10⁶ viable cells/d.
    pub msc_rate: f64,
    /// Dexamethasone infusion into plasma (bioavailable), mg/d.
    pub dex_rate: f64,
    /// Antiviral block of production, 0–1 (combined: 1 − Π(1 − εᵢ)).
    pub antiviral: f64,
    /// IL-6 signalling blockade, 0–1 (combined like `antiviral`).
    pub il6_blockade: f64,
    /// Whether the death hazard accumulates (from admission on).
    pub hazard_active: bool,
}

/// Dimensionless drug and antibody effects at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effects {
    /// E_G: dexamethasone effect, 0–1.
    pub steroid: f64,
    /// F: type-I IFN activity.
    pub ifn: f64,
    /// Effective neutralising titer at the infection site, ID50.
    pub titer_site: f64,
    /// ε_Ab: fraction of virions neutralised.
    pub neutralised: f64,
    /// V: viral load, copies/mL (quasi-steady state).
    pub virus: f64,
    /// A_in: PAMP/DAMP activation signal, 0–1.
    pub activation: f64,
    /// IL-6 as seen by its targets (after blockade), pg/mL.
    pub il6_signal: f64,
    /// Excess IL-6 signal above baseline, pg/mL.
    pub il6_excess: f64,
}

/// Every flux of the model, per day, in the unit of the state it moves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fluxes {
    /// T → E: new infections.
    pub infection: f64,
    /// T → R: IFN-induced refractoriness.
    pub refractory_on: f64,
    /// R → T: reversion.
    pub refractory_off: f64,
    /// T → D: bystander damage of susceptible cells.
    pub bystander_target: f64,
    /// R → D: bystander damage of refractory cells.
    pub bystander_refractory: f64,
    /// E → I: end of eclipse.
    pub eclipse_end: f64,
    /// I → D: cytopathic loss.
    pub infected_death: f64,
    /// I → D: effector killing.
    pub infected_killed: f64,
    /// D → T: repair.
    pub repair: f64,
    /// Myeloid recruitment.
    pub myeloid_recruitment: f64,
    /// Myeloid deactivation.
    pub myeloid_loss: f64,
    /// IL-6 production, pg/mL/d.
    pub il6_production: f64,
    /// IL-6 clearance, pg/mL/d.
    pub il6_clearance: f64,
    /// Effector homeostatic supply.
    pub effector_supply: f64,
    /// Effector antigen-driven expansion.
    pub effector_expansion: f64,
    /// Effector turnover.
    pub effector_loss: f64,
    /// Lymphocyte homeostatic return to L0 (signed), 10⁹/L/d.
    pub lymph_homeostasis: f64,
    /// Lymphocyte loss driven by excess IL-6.
    pub lymph_il6_loss: f64,
    /// Lymphocyte redistribution by steroid.
    pub lymph_steroid_loss: f64,
    /// B-cell program expansion.
    pub bcell_expansion: f64,
    /// Endogenous titer production, ID50/d.
    pub titer_production: f64,
    /// Endogenous titer decay, ID50/d.
    pub titer_decay: f64,
    /// Passive antibody infusion, ID50·mL/d.
    pub ab_infusion: f64,
    /// Plasma → tissue.
    pub ab_to_tissue: f64,
    /// Tissue → plasma.
    pub ab_to_plasma: f64,
    /// Elimination from plasma.
    pub ab_elimination: f64,
    /// MSC trapping in lung, 10⁶ cells/d.
    pub msc_trapping: f64,
    /// MSC loss, 10⁶ cells/d.
    pub msc_loss: f64,
    /// Immunoregulatory state activation.
    pub immunoreg_on: f64,
    /// Immunoregulatory state decay.
    pub immunoreg_off: f64,
    /// Oral dexamethasone absorption, mg/d.
    pub dex_absorption: f64,
    /// Dexamethasone input to plasma concentration, ng/mL/d.
    pub dex_input: f64,
    /// Dexamethasone elimination, ng/mL/d.
    pub dex_elimination: f64,
    /// Death hazard, 1/d.
    pub hazard: f64,
}

/// Effects at state `s` under inputs `u`.
pub fn effects(d: &Derived, s: &State, u: &Inputs) -> Effects {
    let p = &d.params;
    let dex = s.dex_conc.max(0.0);
    let steroid = dex / (dex + p.dex_ic50);
    let infected = s.infected.max(0.0);
    let ifn = p.f_ifn * (1.0 - p.imax_dex_ifn * steroid) * infected / (infected + p.k_ifn);
    let titer_site =
        p.phi_lung * (s.titer_endogenous.max(0.0) + s.ab_plasma.max(0.0) / d.plasma_ml);
    // Hill slope 1 is the default: skip the (slow) general power.
    let th = if p.hill_nab == 1.0 {
        titer_site
    } else {
        titer_site.powf(p.hill_nab)
    };
    let neutralised = th / (1.0 + th);
    let virus = quasi_steady_virus(d, infected, neutralised, u.antiviral);
    let signal = infected + p.omega_damp * s.damaged.max(0.0);
    let activation = signal / (signal + p.k_pamp);
    let il6_signal = s.il6.max(0.0) * (1.0 - u.il6_blockade);
    let il6_excess = (s.il6 - p.il6_baseline).max(0.0) * (1.0 - u.il6_blockade);
    Effects {
        steroid,
        ifn,
        titer_site,
        neutralised,
        virus,
        activation,
        il6_signal,
        il6_excess,
    }
}

/// All fluxes at state `s`, time-independent apart from `u`.
pub fn fluxes(d: &Derived, s: &State, u: &Inputs) -> Fluxes {
    let p = &d.params;
    let e = effects(d, s, u);
    let q = s.immunoregulation;
    let bystander_rate = p.k_bystander * s.myeloid * (1.0 - p.eta_q * q);
    let infected = s.infected.max(0.0);

    let myeloid_recruitment = p.s_myeloid
        * e.activation
        * (1.0 + p.a_il6_myeloid * e.il6_signal / (e.il6_signal + p.k_il6_myeloid))
        * (1.0 - p.imax_dex_myeloid * e.steroid)
        * (1.0 - p.e_q_myeloid * q);
    let il6_target = p.il6_baseline
        + (p.il6_per_myeloid * s.myeloid
            + p.il6_per_infected * infected / (infected + p.k_il6_infected))
            * (1.0 - p.imax_dex_il6 * e.steroid)
            * (1.0 - p.e_q_il6 * q);
    let effector_expansion = p.rho_x
        * (infected / (infected + p.k_x))
        * s.effector
        * (1.0 - s.effector) // X_max = 1 (effectors are relative to their maximum)
        * (1.0 - p.imax_dex_tcell * e.steroid)
        * (1.0 - p.e_q_tcell * q)
        / (1.0 + e.il6_signal / p.k_il6_tcell);
    let virus = e.virus;
    let dex_absorption = p.dex_ka * s.dex_gut;
    let pf = pf_ratio(d, lung_injury(d, s));
    let hazard = if u.hazard_active {
        death_hazard(d, pf, virus, s.il6)
    } else {
        0.0
    };

    Fluxes {
        infection: d.beta * (1.0 - e.neutralised) * virus * s.target,
        refractory_on: p.phi_ifn * e.ifn * s.target,
        refractory_off: p.rho_refractory * s.refractory,
        bystander_target: bystander_rate * s.target,
        bystander_refractory: bystander_rate * s.refractory,
        eclipse_end: p.k_eclipse * s.eclipse,
        infected_death: d.delta * s.infected,
        infected_killed: d.kappa_x * s.effector * s.infected,
        repair: p.k_repair * (1.0 + p.e_q_repair * q) * s.damaged,
        myeloid_recruitment,
        myeloid_loss: p.d_myeloid * s.myeloid,
        il6_production: p.k_il6 * il6_target,
        il6_clearance: p.k_il6 * s.il6,
        effector_supply: p.d_x * p.x0,
        effector_expansion,
        effector_loss: p.d_x * s.effector,
        lymph_homeostasis: p.k_lymph * (p.l0 - s.lymphocytes),
        lymph_il6_loss: p.k_lymph_il6 * e.il6_excess / (e.il6_excess + p.k_lymph_il6_half)
            * s.lymphocytes,
        lymph_steroid_loss: p.k_lymph_steroid * e.steroid * s.lymphocytes,
        bcell_expansion: p.rho_b
            * (virus / (virus + p.k_b_virus))
            * s.bcell
            * (1.0 - s.bcell)
            * (1.0 - p.imax_dex_bcell * e.steroid),
        titer_production: p.pi_n * s.bcell,
        titer_decay: p.k_n * s.titer_endogenous,
        ab_infusion: u.antibody_rate,
        ab_to_tissue: p.k_ab_pt * s.ab_plasma,
        ab_to_plasma: p.k_ab_tp * s.ab_tissue,
        ab_elimination: p.k_ab_el * s.ab_plasma,
        msc_trapping: p.f_trap * u.msc_rate,
        msc_loss: p.k_msc * s.msc_lung,
        immunoreg_on: p.k_q_on * s.msc_lung.max(0.0) / (s.msc_lung.max(0.0) + d.msc_half)
            * (1.0 - q),
        immunoreg_off: p.k_q_off * q,
        dex_absorption,
        dex_input: (dex_absorption + u.dex_rate) * d.dex_conc_per_mg(),
        dex_elimination: d.dex_kel * s.dex_conc,
        hazard,
    }
}

/// Instantaneous death hazard (1/d) at P/F `pf` (mmHg), viral load `virus` (copies/mL) and
/// IL-6 `il6` (pg/mL): a Cox-type joint-model hazard in the spirit of Néant 2021 (MODEL.md §8.5).
pub fn death_hazard(d: &Derived, pf: f64, virus: f64, il6: f64) -> f64 {
    let p = &d.params;
    let pf_term = p.theta_pf * (p.pf_ref - pf).max(0.0) / PF_HAZARD_UNIT_MMHG;
    // Logarithms only where their term is non-zero (this runs inside every right-hand side).
    let vl_term = if virus > HAZARD_VL_FLOOR {
        p.theta_vl * (virus.log10() - HAZARD_VL_FLOOR_LOG10)
    } else {
        0.0
    };
    let il6_term = if p.theta_il6 > 0.0 && il6 > p.il6_baseline {
        p.theta_il6 * (il6 / p.il6_baseline).ln()
    } else {
        0.0
    };
    p.h0 * d.hazard_ratio * (pf_term + vl_term + il6_term).exp()
}

/// θ_PF is per 100 mmHg of P/F (MODEL.md §8.5).
pub const PF_HAZARD_UNIT_MMHG: f64 = 100.0;
/// Viral load (log10 copies/mL) above which the viral term of the hazard starts (MODEL.md §8.5).
pub const HAZARD_VL_FLOOR_LOG10: f64 = 3.0;
/// The same floor in copies/mL.
pub const HAZARD_VL_FLOOR: f64 = 1e3;
/// Smallest viral load reported on the log scale, copies/mL (log10 = 0).
pub const VL_LOG_FLOOR: f64 = 1.0;

/// Viral load (copies/mL) in quasi-steady state with the productively infected cells:
/// dV/dt = p(1−ε_AV)·I − c(1+κ_c·ε_Ab)·V = 0 (MODEL.md §8.3 keeps V as a state; virions turn
/// over in 1/c ≈ 2.4 h, much faster than anything else, see docs/model.md).
pub fn quasi_steady_virus(d: &Derived, infected: f64, neutralised: f64, antiviral: f64) -> f64 {
    let p = &d.params;
    p.p_virus * (1.0 - antiviral) * infected.max(0.0)
        / (p.c_virus * (1.0 + p.kappa_c * neutralised))
}

/// Viral load (copies/mL) of state `s` under inputs `u`.
pub fn viral_load(d: &Derived, s: &State, u: &Inputs) -> f64 {
    effects(d, s, u).virus
}

/// log10 of the viral load, floored at 1 copy/mL (0 on the log scale).
pub fn log10_viral_load(virus: f64) -> f64 {
    virus.max(VL_LOG_FLOOR).log10()
}

/// Time derivative of the state: each state's balance of its named fluxes.
pub fn derivative(d: &Derived, s: &State, u: &Inputs) -> State {
    let f = fluxes(d, s, u);
    State {
        target: f.repair + f.refractory_off - f.infection - f.refractory_on - f.bystander_target,
        refractory: f.refractory_on - f.refractory_off - f.bystander_refractory,
        eclipse: f.infection - f.eclipse_end,
        infected: f.eclipse_end - f.infected_death - f.infected_killed,
        damaged: f.infected_death + f.infected_killed + f.bystander_target + f.bystander_refractory
            - f.repair,
        myeloid: f.myeloid_recruitment - f.myeloid_loss,
        il6: f.il6_production - f.il6_clearance,
        effector: f.effector_supply + f.effector_expansion - f.effector_loss,
        lymphocytes: f.lymph_homeostasis - f.lymph_il6_loss - f.lymph_steroid_loss,
        bcell: f.bcell_expansion,
        titer_endogenous: f.titer_production - f.titer_decay,
        ab_plasma: f.ab_infusion + f.ab_to_plasma - f.ab_to_tissue - f.ab_elimination,
        ab_tissue: f.ab_to_tissue - f.ab_to_plasma,
        msc_lung: f.msc_trapping - f.msc_loss,
        immunoregulation: f.immunoreg_on - f.immunoreg_off,
        dex_gut: -f.dex_absorption,
        dex_conc: f.dex_input - f.dex_elimination,
        cum_hazard: f.hazard,
    }
}
