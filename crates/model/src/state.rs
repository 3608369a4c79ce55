//! The model state: named fields, converted to and from the integrator's flat array by exactly
//! one pair of functions ([`State::to_array`], [`State::from_array`]).

use crate::derived::Derived;

/// Number of ODE states: the 17 of MODEL.md §8.2 less the viral load (quasi-steady, see
/// [`crate::equations::viral_load`]), plus an oral dexamethasone depot and Λ.
pub const N_STATES: usize = 18;

/// Relative-tolerance multiplier for the dexamethasone compartments (see
/// [`State::relative_tolerance_weights`]).
pub const DEX_RTOL_WEIGHT: f64 = 30.0;

/// The full state of one patient at one time (t = days since infection).
///
/// Epithelial compartments are fractions of the at-risk alveolar epithelium and sum to 1.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct State {
    /// T: susceptible epithelium, fraction.
    pub target: f64,
    /// R: IFN-refractory epithelium, fraction.
    pub refractory: f64,
    /// E: eclipse-phase infected cells, fraction.
    pub eclipse: f64,
    /// I: productively infected cells, fraction.
    pub infected: f64,
    /// D: damaged or denuded epithelium, fraction.
    pub damaged: f64,
    /// M: activated innate myeloid cells, relative.
    pub myeloid: f64,
    /// C: plasma IL-6, pg/mL.
    pub il6: f64,
    /// X: virus-specific effector CD8 T cells in lung, relative to maximum.
    pub effector: f64,
    /// L: blood lymphocytes, 10⁹/L.
    pub lymphocytes: f64,
    /// B: B-cell/plasmablast activation program, 0–1.
    pub bcell: f64,
    /// N: endogenous neutralising titer in plasma, ID50.
    pub titer_endogenous: f64,
    /// A_P: passive antibody in plasma, ID50·mL.
    pub ab_plasma: f64,
    /// A_T: passive antibody, extravascular, ID50·mL.
    pub ab_tissue: f64,
    /// S_M: viable MSCs trapped in lung, 10⁶ cells.
    pub msc_lung: f64,
    /// Q: MSC-induced immunoregulatory state, 0–1.
    pub immunoregulation: f64,
    /// Oral dexamethasone not yet absorbed (bioavailable amount), mg.
    pub dex_gut: f64,
    /// G: dexamethasone plasma concentration, ng/mL.
    pub dex_conc: f64,
    /// Λ: cumulative death hazard since admission, dimensionless.
    pub cum_hazard: f64,
}

impl State {
    /// State at infection (t = 0) for this patient.
    pub fn initial(d: &Derived) -> State {
        let p = &d.params;
        State {
            target: 1.0 - p.e0,
            eclipse: p.e0,
            il6: p.il6_baseline,
            effector: p.x0,
            lymphocytes: p.l0,
            bcell: p.b0,
            ..State::default()
        }
    }

    /// Flatten for the integrator.
    pub fn to_array(&self) -> [f64; N_STATES] {
        [
            self.target,
            self.refractory,
            self.eclipse,
            self.infected,
            self.damaged,
            self.myeloid,
            self.il6,
            self.effector,
            self.lymphocytes,
            self.bcell,
            self.titer_endogenous,
            self.ab_plasma,
            self.ab_tissue,
            self.msc_lung,
            self.immunoregulation,
            self.dex_gut,
            self.dex_conc,
            self.cum_hazard,
        ]
    }

    /// Rebuild from the integrator's array (inverse of [`State::to_array`]).
    pub fn from_array(y: &[f64; N_STATES]) -> State {
        let [
            target,
            refractory,
            eclipse,
            infected,
            damaged,
            myeloid,
            il6,
            effector,
            lymphocytes,
            bcell,
            titer_endogenous,
            ab_plasma,
            ab_tissue,
            msc_lung,
            immunoregulation,
            dex_gut,
            dex_conc,
            cum_hazard,
        ] = *y;
        State {
            target,
            refractory,
            eclipse,
            infected,
            damaged,
            myeloid,
            il6,
            effector,
            lymphocytes,
            bcell,
            titer_endogenous,
            ab_plasma,
            ab_tissue,
            msc_lung,
            immunoregulation,
            dex_gut,
            dex_conc,
            cum_hazard,
        }
    }

    /// Project onto the physical domain after a numerical step: clip round-off below zero (every
    /// state is an amount, count, fraction or concentration) and, if anything was clipped,
    /// rescale the epithelial fractions to sum to 1 again (Runge–Kutta steps conserve that sum
    /// exactly; only the clipping breaks it). Returns whether anything changed.
    pub fn project_physical(&mut self) -> bool {
        let mut y = self.to_array();
        let mut changed = false;
        for v in y.iter_mut().filter(|v| **v < 0.0) {
            *v = 0.0;
            changed = true;
        }
        if changed {
            *self = State::from_array(&y);
            let total = self.epithelium_total();
            if total > 0.0 {
                self.target /= total;
                self.refractory /= total;
                self.eclipse /= total;
                self.infected /= total;
                self.damaged /= total;
            }
        }
        changed
    }

    /// Sum of the epithelial fractions (conserved: 1).
    pub fn epithelium_total(&self) -> f64 {
        self.target + self.refractory + self.eclipse + self.infected + self.damaged
    }

    /// Multipliers on the integrator's relative tolerance per state: 1 except the dexamethasone
    /// compartments. Their only effect is E_G = G/(G + IC50), so 1 % error in G moves E_G by at
    /// most 0.25 %; resolving each oral dose's 40-minute absorption to the default 1e-4 would
    /// otherwise double the steps of a 10-dose course. The convergence test covers this choice.
    pub fn relative_tolerance_weights() -> State {
        State {
            target: 1.0,
            refractory: 1.0,
            eclipse: 1.0,
            infected: 1.0,
            damaged: 1.0,
            myeloid: 1.0,
            il6: 1.0,
            effector: 1.0,
            lymphocytes: 1.0,
            bcell: 1.0,
            titer_endogenous: 1.0,
            ab_plasma: 1.0,
            ab_tissue: 1.0,
            msc_lung: 1.0,
            immunoregulation: 1.0,
            dex_gut: DEX_RTOL_WEIGHT,
            dex_conc: DEX_RTOL_WEIGHT,
            cum_hazard: 1.0,
        }
    }

    /// Absolute error tolerances per state, in the state's own unit, for the integrator at its
    /// default relative tolerance 1e-4 (each about 1e-4 of the state's clinically relevant size,
    /// smaller for the tiny early infected fractions).
    pub fn absolute_tolerances() -> State {
        State {
            target: 1e-7,
            refractory: 1e-7,
            eclipse: 1e-10,
            infected: 1e-10,
            damaged: 1e-7,
            myeloid: 1e-6,
            il6: 1e-4,
            effector: 1e-7,
            lymphocytes: 1e-6,
            bcell: 1e-8,
            titer_endogenous: 1e-4,
            ab_plasma: 1e-1,
            ab_tissue: 1e-1,
            msc_lung: 1e-7,
            immunoregulation: 1e-7,
            dex_gut: 1e-7,
            dex_conc: 1e-4,
            cum_hazard: 1e-8,
        }
    }
}
