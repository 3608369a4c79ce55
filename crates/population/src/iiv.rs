//! Between-patient variability (IIV) of model parameters and their covariate effects.
//!
//! The individual value of a parameter is built the usual population-PK way:
//!
//! 1. typical value θ: the model default ([`model::Params::default`]), except the two severity
//!    drivers `f_ifn` and `s_myeloid`, which take the values of the population's anchor
//!    phenotype, and any multipliers the population sets ([`PopulationSpec::typical`]);
//! 2. covariate effects on θ ([`COVARIATE_EFFECTS`]; age and chronic lung disease);
//! 3. a random effect η ~ N(0, ω²) drawn from the patient's stream, in [`IIV`] order:
//!    log-normal P = θ·exp(η) with ω = √ln(1 + CV²), or logit-normal
//!    logit P = logit θ + η with ω the SD on the logit scale;
//! 4. clamping to the parameter's [`model::PARAM_INFO`] bounds (clamping rather than
//!    truncation keeps one draw per parameter, so every parameter uses the same position in
//!    every patient's stream). Over 10,000 patients per population it touches `s_myeloid` in
//!    1.4 % of `icu_critical` patients (upper bound 3/d) and 0.3 %, `l0` in 0.3-0.7 % (lower
//!    bound 0.5·10⁹/L) and `r0` in 0.04 %; nothing else.
//!
//! Effects the model already carries are not repeated here: slower infected-cell loss at age
//! ≥ 65 (`infected_loss_age65_factor`, applied to δ and κ_X in [`model::Derived`]) and the
//! healthy P/F by age (Sorbini PF0 in [`model::Derived`]).

use crate::Covariates;
use crate::spec::PopulationSpec;
use model::Params;
use rand_distr::StandardNormal;
use streams::ChaCha8Rng;

use rand::RngExt;

/// How a parameter varies between patients.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// P = θ·exp(η), η ~ N(0, ω²), ω = √ln(1 + CV²): median θ, coefficient of variation CV.
    LogNormal {
        /// Coefficient of variation (e.g. 0.3 for 30 %).
        cv: f64,
    },
    /// logit P = logit θ + η, η ~ N(0, sd²): for fractions in (0, 1).
    LogitNormal {
        /// SD of η on the logit scale.
        sd_logit: f64,
    },
}

impl Distribution {
    /// SD ω of the random effect η.
    pub fn omega(self) -> f64 {
        match self {
            Distribution::LogNormal { cv } => (1.0 + cv * cv).ln().sqrt(),
            Distribution::LogitNormal { sd_logit } => sd_logit,
        }
    }

    /// The individual value for typical value `typical` and random effect `eta`.
    pub fn apply(self, typical: f64, eta: f64) -> f64 {
        match self {
            Distribution::LogNormal { .. } => typical * eta.exp(),
            Distribution::LogitNormal { .. } => inv_logit(logit(typical) + eta),
        }
    }

    /// Family name for the docs table.
    pub fn family(self) -> &'static str {
        match self {
            Distribution::LogNormal { .. } => "log-normal",
            Distribution::LogitNormal { .. } => "logit-normal",
        }
    }

    /// Spread, as text for the docs table.
    pub fn spread(self) -> String {
        match self {
            Distribution::LogNormal { cv } => {
                format!("CV {:.0} % (ω {:.3})", cv * 100.0, self.omega())
            }
            Distribution::LogitNormal { sd_logit } => format!("SD {sd_logit} on logit scale"),
        }
    }
}

/// ln(p / (1 − p)).
pub fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// 1 / (1 + e^(−x)).
pub fn inv_logit(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// One row of the IIV table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IivRow {
    /// Parameter name, as in [`model::PARAM_INFO`].
    pub parameter: &'static str,
    /// Distribution of the individual value around the typical value.
    pub distribution: Distribution,
    /// Source, or "assumption: …".
    pub source: &'static str,
}

/// Every random effect, in draw order (part of the reproducibility contract: append new rows
/// at the end).
pub const IIV: &[IivRow] = &[
    IivRow {
        parameter: "r0",
        distribution: Distribution::LogNormal { cv: 0.30 },
        source: "MODEL.md 8.7 (log-normal, CV 30-50 %); CV 30 % keeps R0 mostly within the human range 7-15 of MODEL.md 8.6",
    },
    IivRow {
        parameter: "delta",
        distribution: Distribution::LogNormal { cv: 0.30 },
        source: "MODEL.md 8.7 (log-normal, CV 30-50 %); assumption: lower end, as delta sets clearance at 13-16 dpo (Neant 2021)",
    },
    IivRow {
        parameter: "rho_x",
        distribution: Distribution::LogNormal { cv: 0.30 },
        source: "MODEL.md 8.7 (log-normal, CV 30-50 %); assumption: lower end",
    },
    IivRow {
        parameter: "s_myeloid",
        distribution: Distribution::LogNormal { cv: 0.40 },
        source: "MODEL.md 8.7 (log-normal, CV 30-50 %); assumption: CV 40 % so neighbouring phenotype presets (0.3/0.6/0.9/1.2) overlap",
    },
    IivRow {
        parameter: "pi_n",
        distribution: Distribution::LogNormal { cv: 0.50 },
        source: "MODEL.md 8.7 (log-normal, CV 30-50 %); assumption: upper end, as neutralising titers span over a log10 between patients",
    },
    IivRow {
        parameter: "j_scale",
        distribution: Distribution::LogNormal { cv: 0.30 },
        source: "MODEL.md 8.6: J_s IIV CV 30 %",
    },
    IivRow {
        parameter: "f_ifn",
        distribution: Distribution::LogitNormal { sd_logit: 0.8 },
        source: "MODEL.md 8.7 (logit-normal); assumption: SD 0.8 puts 95 % of a severe population (typical 0.2) within 0.05-0.55",
    },
    IivRow {
        parameter: "l0",
        distribution: Distribution::LogNormal { cv: 0.30 },
        source: "MODEL.md 8.7 (L0 is a driver); assumption: CV 30 % spans the healthy lymphocyte range ~1-3 x1e9/L",
    },
];

/// Reference age of the continuous age effects, years (the median age of hospitalised
/// COVID-19 cohorts, e.g. RECOVERY 66 y, Grasselli 63 y, rounded).
pub const REFERENCE_AGE_YEARS: f64 = 60.0;

/// Years per decade (age effects are per decade from [`REFERENCE_AGE_YEARS`]).
const YEARS_PER_DECADE: f64 = 10.0;

/// What a covariate effect multiplies or shifts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Effect {
    /// θ·exp(slope·(age − 60)/10): log-scale shift per decade of age.
    LogPerDecade(f64),
    /// logit θ + slope·(age − 60)/10: logit-scale shift per decade of age.
    LogitPerDecade(f64),
    /// θ·factor with chronic lung disease.
    ChronicLungFactor(f64),
}

/// One covariate effect on a typical value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CovariateEffect {
    /// Parameter name, as in [`model::PARAM_INFO`].
    pub parameter: &'static str,
    /// The effect.
    pub effect: Effect,
    /// Source, or "assumption: …".
    pub source: &'static str,
}

/// Covariate effects on typical values, applied in this order before the random effects.
pub const COVARIATE_EFFECTS: &[CovariateEffect] = &[
    CovariateEffect {
        parameter: "f_ifn",
        effect: Effect::LogitPerDecade(-0.15),
        source: "MODEL.md 8.7: f_F lower with age (Ke 2022 age association, direction); size assumption",
    },
    CovariateEffect {
        parameter: "s_myeloid",
        effect: Effect::LogPerDecade(0.10),
        source: "MODEL.md 8.7: s_M higher with age (direction, from memory); size assumption",
    },
    CovariateEffect {
        parameter: "l0",
        effect: Effect::LogPerDecade(-0.05),
        source: "MODEL.md 8.7: L0 lower with age (from memory); size assumption (-5 % per decade)",
    },
    CovariateEffect {
        parameter: "j_scale",
        effect: Effect::ChronicLungFactor(0.75),
        source: "MODEL.md 8.6: J_s lower with chronic lung disease; size assumption (-25 %)",
    },
];

impl CovariateEffect {
    /// The typical value after this effect, for `covariates`.
    pub fn apply(&self, typical: f64, covariates: &Covariates) -> f64 {
        let decades = (covariates.age_years - REFERENCE_AGE_YEARS) / YEARS_PER_DECADE;
        match self.effect {
            Effect::LogPerDecade(slope) => typical * (slope * decades).exp(),
            Effect::LogitPerDecade(slope) => inv_logit(logit(typical) + slope * decades),
            Effect::ChronicLungFactor(factor) if covariates.chronic_lung_disease => {
                typical * factor
            }
            Effect::ChronicLungFactor(_) => typical,
        }
    }

    /// The effect as text for the docs table.
    pub fn describe(&self) -> String {
        match self.effect {
            Effect::LogPerDecade(s) => format!("x exp({s} per decade of age from 60)"),
            Effect::LogitPerDecade(s) => format!("logit + {s} per decade of age from 60"),
            Effect::ChronicLungFactor(f) => format!("x {f} with chronic lung disease"),
        }
    }
}

/// One patient's random effect.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Eta {
    /// Parameter name, as in [`IIV`].
    pub parameter: &'static str,
    /// η, on the distribution's scale (log or logit).
    pub eta: f64,
}

/// The population's typical parameters before covariate effects: its anchor phenotype's
/// parameters times its multipliers (clamped to bounds). A multiplier naming no parameter is
/// skipped (the built-in populations name only real ones: tested).
pub fn typical_params(spec: &PopulationSpec) -> Params {
    let typical = spec.typical.value;
    let mut params = typical.anchor.params();
    for &(name, multiplier) in typical.multipliers {
        if let Some(value) = params.get(name) {
            set_clamped(&mut params, name, value * multiplier);
        }
    }
    params
}

/// Draws one η per [`IIV`] row from `rng` (in table order) and builds the patient's parameters.
pub(crate) fn draw_params(
    spec: &PopulationSpec,
    covariates: &Covariates,
    rng: &mut ChaCha8Rng,
) -> (Params, Vec<Eta>) {
    let mut params = typical_params(spec);
    for effect in COVARIATE_EFFECTS {
        let typical = get(&params, effect.parameter);
        set_clamped(
            &mut params,
            effect.parameter,
            effect.apply(typical, covariates),
        );
    }
    let mut etas = Vec::with_capacity(IIV.len());
    for row in IIV {
        let z: f64 = rng.sample(StandardNormal);
        let eta = row.distribution.omega() * z;
        let typical = get(&params, row.parameter);
        set_clamped(
            &mut params,
            row.parameter,
            row.distribution.apply(typical, eta),
        );
        etas.push(Eta {
            parameter: row.parameter,
            eta,
        });
    }
    (params, etas)
}

/// Value of a parameter named in one of this module's constant tables.
fn get(params: &Params, name: &str) -> f64 {
    params
        .get(name)
        .expect("IIV and covariate-effect tables name PARAM_INFO parameters (tested)")
}

/// Sets a parameter named in one of this module's tables, clamped to its bounds.
fn set_clamped(params: &mut Params, name: &str, value: f64) {
    let info = model::params::param_info(name)
        .expect("IIV and covariate-effect tables name PARAM_INFO parameters (tested)");
    params
        .set(name, value.clamp(info.lower, info.upper))
        .expect("a clamped value of a known parameter is accepted");
}

/// The IIV, covariate-effect and comorbidity hazard-ratio tables as Markdown (the body of the
/// "Physiology" section of `docs/population.md`; a test checks the two agree).
pub fn markdown_tables() -> String {
    let mut s = String::from(
        "| parameter | distribution | spread | model default | bounds (clamped) | source |\n|---|---|---|---|---|---|\n",
    );
    for row in IIV {
        let (default, bounds) = match model::params::param_info(row.parameter) {
            Some(info) => (
                format!("{} {}", info.default, info.unit),
                format!("[{}, {}]", info.lower, info.upper),
            ),
            None => (String::from("?"), String::from("?")),
        };
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            row.parameter,
            row.distribution.family(),
            row.distribution.spread(),
            default,
            bounds,
            row.source
        ));
    }
    s.push_str("\n| parameter | covariate effect on the typical value | source |\n|---|---|---|\n");
    for effect in COVARIATE_EFFECTS {
        s.push_str(&format!(
            "| `{}` | {} | {} |\n",
            effect.parameter,
            effect.describe(),
            effect.source
        ));
    }
    s.push_str("\n| condition | hazard ratio of death | source | checked against the paper here |\n|---|---|---|---|\n");
    for h in crate::comorbidity::COMORBIDITY_HAZARDS {
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            h.name,
            h.hazard_ratio,
            h.source,
            if h.verified {
                "yes"
            } else {
                "no (from memory)"
            }
        ));
    }
    s
}
