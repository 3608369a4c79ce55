//! Every model parameter in one place: [`Params`] (named fields) and [`PARAM_INFO`] (name, unit,
//! default, bounds, description, source, provenance), generated together by one macro so the two
//! can never drift apart.

use std::fmt;

/// Where a parameter value comes from (the tags of MODEL.md §0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// Read from the authors' public code or parameter files.
    VCode,
    /// Read from an abstract, table or figure caption.
    VAbs,
    /// From memory in the literature brief; not verified here (no web access).
    Memory,
    /// Our assumption or derivation; a calibration target, not a literature value.
    Assumption,
}

impl Provenance {
    /// Short tag as printed in the parameter table.
    pub fn tag(self) -> &'static str {
        match self {
            Provenance::VCode => "V-code",
            Provenance::VAbs => "V-abs",
            Provenance::Memory => "M (not verified here)",
            Provenance::Assumption => "A",
        }
    }
}

/// One row of the parameter table.
#[derive(Debug, Clone, Copy)]
pub struct ParamInfo {
    /// Name used by `--set NAME=VALUE` and by calibration.
    pub name: &'static str,
    /// Unit, `-` for dimensionless.
    pub unit: &'static str,
    /// Default value (the "moderate" reference patient).
    pub default: f64,
    /// Smallest allowed value.
    pub lower: f64,
    /// Largest allowed value.
    pub upper: f64,
    /// What it means.
    pub description: &'static str,
    /// Paper + table/figure, or "assumption: calibrated to …".
    pub source: &'static str,
    /// Provenance tag.
    pub provenance: Provenance,
}

/// Why a parameter could not be set.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamError {
    /// No parameter has this name.
    #[error("unknown parameter `{name}`{}", suggestion_text(.suggestion))]
    Unknown {
        /// The name given.
        name: String,
        /// The closest known name, if any is close.
        suggestion: Option<&'static str>,
    },
    /// The value is outside the parameter's bounds (or not finite).
    #[error("parameter `{name}` = {value} is outside its bounds [{lower}, {upper}] {unit}")]
    OutOfBounds {
        /// Parameter name.
        name: &'static str,
        /// The value given.
        value: f64,
        /// Lower bound.
        lower: f64,
        /// Upper bound.
        upper: f64,
        /// Unit.
        unit: &'static str,
    },
}

fn suggestion_text(s: &Option<&'static str>) -> String {
    match s {
        Some(name) => format!(" (did you mean `{name}`?)"),
        None => String::new(),
    }
}

macro_rules! define_params {
    ($( $field:ident : $unit:literal = $default:expr, [$lo:expr, $hi:expr], $prov:ident,
        $desc:literal, $source:literal; )*) => {
        /// All model parameters of one patient, named. Defaults are the moderate reference
        /// patient; see [`PARAM_INFO`] for units, bounds and sources.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct Params {
            $( #[doc = $desc] #[doc = concat!("Unit: ", $unit, ".")] pub $field: f64, )*
        }

        impl Default for Params {
            fn default() -> Self {
                Params { $( $field: $default, )* }
            }
        }

        /// The parameter table: one row per field of [`Params`], in declaration order.
        pub const PARAM_INFO: &[ParamInfo] = &[
            $( ParamInfo {
                name: stringify!($field),
                unit: $unit,
                default: $default,
                lower: $lo,
                upper: $hi,
                description: $desc,
                source: $source,
                provenance: Provenance::$prov,
            }, )*
        ];

        impl Params {
            /// Value of the parameter called `name`, if there is one.
            pub fn get(&self, name: &str) -> Option<f64> {
                match name {
                    $( stringify!($field) => Some(self.$field), )*
                    _ => None,
                }
            }

            /// Mutable access by name (bounds are checked by [`Params::set`]).
            fn slot_mut(&mut self, name: &str) -> Option<&mut f64> {
                match name {
                    $( stringify!($field) => Some(&mut self.$field), )*
                    _ => None,
                }
            }
        }
    };
}

define_params! {
    // ---- viral kinetics -------------------------------------------------------------------
    r0: "-" = 11.0, [2.0, 30.0], Memory,
        "within-host basic reproduction number (T0 = 1)",
        "human R0 7-12 (Goncalves 2020 / Neant 2021, from memory); 11 (MODEL.md 8.6: 12) recalibrated after the quasi-steady viral load so all presets meet MODEL.md 8.8 at ages 45 and 72";
    delta: "1/d" = 0.6, [0.1, 3.0], Memory,
        "loss rate of productively infected cells (under 65 years)",
        "Neant 2021 PNAS / Goncalves 2020 CPT:PSP, delta ~0.6 (from memory)";
    infected_loss_age65_factor: "-" = 0.75, [0.3, 1.0], VAbs,
        "multiplier on infected-cell loss (cytopathic delta and effector killing kappa_x) at age >= 65",
        "Neant 2021 PNAS abstract: infected cells lost more slowly at >= 65, clearance 16 vs 13 dpo (direction); size assumption 0.45/0.6 (MODEL.md 8.6)";
    k_eclipse: "1/d" = 4.0, [1.0, 10.0], Memory,
        "eclipse-to-productive transition rate",
        "Goncalves 2020 / Neant 2021 fixed k = 4 (from memory)";
    c_virus: "1/d" = 10.0, [1.0, 30.0], Memory,
        "virion clearance rate",
        "Goncalves 2020 / Neant 2021 fixed c = 10 (from memory); Goyal 2020 code uses 15";
    p_virus: "copies/mL/d per unit infected fraction" = 3.0e9, [1.0e7, 1.0e11], Assumption,
        "viral production rate per productively infected fraction",
        "assumption: calibrated to peak VL 1e6-1e8 copies/mL (MODEL.md 8.6)";
    e0: "fraction" = 1.0e-7, [1.0e-10, 1.0e-4], Assumption,
        "initially infected (eclipse) fraction of epithelium at infection",
        "assumption: ~10-100 cells of 1e8-1e9 (MODEL.md 8.6)";
    f_ifn: "-" = 0.5, [0.0, 1.0], Assumption,
        "type-I IFN competence (main severity driver)",
        "Jenner 2021 PLoS Pathog abstract: low/late IFN drives severity (direction); value assumption";
    k_ifn: "fraction" = 1.0e-3, [1.0e-5, 1.0e-1], Assumption,
        "infected fraction giving half-maximal IFN activity",
        "assumption (MODEL.md 8.6)";
    phi_ifn: "1/d" = 3.0, [0.0, 20.0], Assumption,
        "rate at which IFN makes target cells refractory",
        "Ke 2022 Nat Microbiol refractory-cell structure; value assumption";
    rho_refractory: "1/d" = 0.05, [0.0, 1.0], Assumption,
        "reversion of refractory cells to susceptible",
        "assumption (MODEL.md 8.6)";
    kappa_c: "-" = 1.0, [0.0, 10.0], Assumption,
        "antibody-enhanced virion clearance at full neutralisation",
        "assumption (MODEL.md 8.6)";
    vl_lod: "copies/mL" = 100.0, [1.0, 1000.0], Memory,
        "viral-load limit of detection",
        "MODEL.md 8.5: LOD 1e2-1e3 copies/mL (from memory); 1e2 matches the clearance definition of 8.8";
    // ---- damage and repair ----------------------------------------------------------------
    k_repair: "1/d" = 0.15, [0.0, 1.0], VCode,
        "epithelial repair rate of damaged epithelium",
        "Dai 2021 openPfizer Initialize.xlsx: AT2 regeneration 2.67e-4/h x up to 31-fold ~0.2/d";
    k_bystander: "1/d per unit M" = 0.05, [0.0, 1.0], Assumption,
        "inflammatory bystander damage rate per unit myeloid activation",
        "assumption: calibrated to severe P/F nadir 100-200 (MODEL.md 8.8)";
    omega_i: "-" = 1.0, [0.0, 1.0], Assumption,
        "weight of productively infected cells in lung injury",
        "assumption: infected cells are non-functional (MODEL.md 8.5)";
    // ---- innate inflammation and IL-6 -----------------------------------------------------
    s_myeloid: "1/d" = 0.6, [0.05, 3.0], Assumption,
        "inflammatory propensity: maximal myeloid recruitment rate",
        "assumption: main IIV driver; mild 0.3, severe 0.9, critical 1.2 (MODEL.md 8.6)";
    k_pamp: "fraction" = 0.05, [1.0e-3, 1.0], Assumption,
        "half-saturation of the PAMP/DAMP activation signal",
        "assumption (MODEL.md 8.6)";
    omega_damp: "-" = 0.03, [0.0, 1.0], Assumption,
        "weight of damaged epithelium (DAMPs) relative to infected cells",
        "assumption: 0.1 in MODEL.md 8.6 sustains inflammation indefinitely; 0.03 calibrated to severe discharge ~3 weeks after onset (docs/model.md)";
    a_il6_myeloid: "-" = 0.5, [0.0, 5.0], VCode,
        "maximal IL-6 amplification of myeloid recruitment",
        "Jenner 2021 code: IL-6 drives macrophage differentiation (structure); value assumption";
    k_il6_myeloid: "pg/mL" = 30.0, [1.0, 500.0], Assumption,
        "IL-6 giving half-maximal amplification of myeloid recruitment",
        "assumption (MODEL.md 8.6)";
    d_myeloid: "1/d" = 0.5, [0.05, 3.0], VCode,
        "myeloid deactivation rate",
        "Jenner 2021 code: between neutrophil 1.28/d and macrophage 0.3/d";
    il6_baseline: "pg/mL" = 3.0, [0.5, 10.0], Memory,
        "healthy plasma IL-6",
        "healthy IL-6 ~3 pg/mL (MODEL.md 8.6, from memory)";
    il6_per_myeloid: "pg/mL per unit M" = 50.0, [1.0, 500.0], VAbs,
        "IL-6 steady-state contribution per unit myeloid activation",
        "calibrated to severe/critical mean IL-6 36.7 (21.6-62.3) pg/mL (MODEL.md 3.6 meta-analysis abstract)";
    il6_per_infected: "pg/mL" = 10.0, [0.0, 200.0], Assumption,
        "maximal IL-6 from infected epithelium",
        "assumption (MODEL.md 8.6)";
    k_il6_infected: "fraction" = 0.01, [1.0e-4, 1.0], Assumption,
        "infected fraction giving half-maximal epithelial IL-6",
        "assumption (MODEL.md 8.6)";
    k_il6: "1/d" = 1.06, [0.1, 20.0], VCode,
        "IL-6 turnover rate",
        "Dai 2021 openPfizer Initialize.xlsx b_il6 = 0.044/h";
    // ---- adaptive cellular ----------------------------------------------------------------
    x0: "-" = 1.0e-3, [1.0e-6, 0.1], Assumption,
        "naive-level virus-specific CD8 effectors (relative to maximum)",
        "assumption (MODEL.md 8.6)";
    rho_x: "1/d" = 1.2, [0.1, 5.0], VAbs,
        "maximal CD8 effector expansion rate",
        "Goyal 2020 Sci Adv three-phase immune expansion; calibrated to clearance 13-16 dpo (Neant 2021 abstract)";
    k_x: "fraction" = 1.0e-3, [1.0e-6, 0.1], Assumption,
        "infected fraction giving half-maximal T-cell stimulation",
        "assumption (MODEL.md 8.6)";
    k_il6_tcell: "pg/mL" = 100.0, [1.0, 1000.0], VCode,
        "IL-6 inhibiting T-cell expansion by half",
        "Jenner 2021 code/abstract: IL-6 inhibits T-cell recruitment";
    d_x: "1/d" = 0.1, [0.01, 1.0], Assumption,
        "effector turnover rate",
        "assumption (MODEL.md 8.6)";
    kappa_x: "1/d per unit X" = 3.0, [0.0, 20.0], VCode,
        "maximal effector killing rate of infected cells",
        "Goyal 2020 code: max effector killing 2.9-4.1/d";
    // ---- blood lymphocytes ----------------------------------------------------------------
    l0: "1e9/L" = 1.8, [0.5, 4.0], Memory,
        "healthy blood lymphocyte count",
        "healthy median ~1.8e9/L (MODEL.md 8.6, from memory)";
    k_lymph: "1/d" = 0.5, [0.05, 5.0], Assumption,
        "lymphocyte return rate to baseline",
        "assumption (MODEL.md 8.6)";
    k_lymph_il6: "1/d" = 1.5, [0.0, 10.0], Assumption,
        "maximal IL-6-driven lymphocyte loss rate",
        "assumption: calibrated to L ~0.9 (moderate) and ~0.5 (severe) x1e9/L (MODEL.md 8.9)";
    k_lymph_il6_half: "pg/mL" = 20.0, [1.0, 500.0], Assumption,
        "excess IL-6 giving half-maximal lymphocyte loss",
        "assumption (MODEL.md 8.6)";
    k_lymph_steroid: "1/d" = 0.3, [0.0, 5.0], Assumption,
        "maximal steroid-induced lymphocyte redistribution rate",
        "assumption (MODEL.md 8.6)";
    // ---- endogenous antibodies ------------------------------------------------------------
    b0: "-" = 1.0e-4, [1.0e-8, 0.1], Assumption,
        "initial B-cell activation program",
        "assumption (MODEL.md 8.6)";
    rho_b: "1/d" = 0.7, [0.05, 5.0], VAbs,
        "B-cell program expansion rate",
        "calibrated to seroconversion median ~12 dpo (Borremans 2020 eLife abstract)";
    k_b_virus: "copies/mL" = 1.0e3, [1.0, 1.0e8], Assumption,
        "viral load giving half-maximal B-cell stimulation",
        "assumption (MODEL.md 8.6)";
    pi_n: "ID50/d" = 20.0, [1.0, 500.0], VAbs,
        "neutralising-antibody production at full B activation",
        "calibrated to PRNT50 mostly >= 160 at 31-35 dpo (Lee 2020 JID abstract)";
    k_n: "1/d" = 0.033, [0.005, 0.5], Memory,
        "endogenous IgG decay rate (t1/2 21 d)",
        "IgG1 half-life ~21 d (from memory)";
    phi_lung: "-" = 0.1, [0.001, 1.0], Assumption,
        "lung lining-fluid to plasma neutralising-titer partition",
        "assumption: key CP sensitivity parameter, range 0.01-0.2 (MODEL.md 8.6)";
    hill_nab: "-" = 1.0, [0.3, 4.0], Assumption,
        "Hill slope of polyclonal neutralisation",
        "assumption (MODEL.md 4.1)";
    // ---- passive antibody PK --------------------------------------------------------------
    plasma_ml_per_kg: "mL/kg" = 40.0, [30.0, 55.0], Memory,
        "plasma volume per kg body weight",
        "~40 mL/kg (MODEL.md 4.4, from memory)";
    k_ab_pt: "1/d" = 0.25, [0.01, 5.0], Assumption,
        "passive antibody plasma -> extravascular rate",
        "assumption derived from distribution t1/2 ~1.5 d, 45 % intravascular (MODEL.md 8.6)";
    k_ab_tp: "1/d" = 0.21, [0.01, 5.0], Assumption,
        "passive antibody extravascular -> plasma rate",
        "assumption derived from distribution t1/2 ~1.5 d, 45 % intravascular (MODEL.md 8.6)";
    k_ab_el: "1/d" = 0.073, [0.01, 0.5], Memory,
        "passive antibody elimination from plasma (terminal t1/2 ~21 d)",
        "IgG t1/2 ~21 d (from memory); 15.1 d measured in children given CP (MODEL.md 4.4 abstract)";
    // ---- mesenchymal stromal cells --------------------------------------------------------
    f_trap: "-" = 0.9, [0.0, 1.0], VAbs,
        "fraction of infused MSCs trapped in the lung",
        "Eggenhofer 2012 Front Immunol: most cells in lung within 1 h (direction); value assumption";
    k_msc: "1/d" = 1.4, [0.1, 10.0], VAbs,
        "loss rate of viable lung-trapped MSCs",
        "Eggenhofer 2012: viable cells gone after ~24 h (mouse); value assumption";
    msc_half_per_kg: "1e6 cells/kg" = 0.35, [0.01, 10.0], Assumption,
        "trapped MSCs per kg giving half-maximal immunoregulation",
        "assumption: 1e6 cells/kg gives ~0.7 of maximal activation (MODEL.md 8.6)";
    k_q_on: "1/d" = 2.0, [0.0, 20.0], Assumption,
        "activation rate of the MSC-induced immunoregulatory state",
        "assumption: effects seen at days 5-17 in trials (MODEL.md 5.2)";
    k_q_off: "1/d" = 0.23, [0.01, 5.0], Assumption,
        "decay of the immunoregulatory state (t1/2 3 d)",
        "assumption (MODEL.md 8.6)";
    e_q_myeloid: "-" = 0.4, [0.0, 1.0], Assumption,
        "maximal MSC reduction of myeloid recruitment",
        "assumption: direction from IL-6/TNF falls after MSC (MODEL.md 5.2)";
    e_q_il6: "-" = 0.5, [0.0, 1.0], Assumption,
        "maximal MSC reduction of IL-6 production",
        "assumption: direction from IL-6 falls after MSC (MODEL.md 5.2)";
    e_q_repair: "-" = 1.0, [0.0, 5.0], Assumption,
        "maximal MSC enhancement of epithelial repair",
        "assumption (MODEL.md 8.6)";
    eta_q: "-" = 0.4, [0.0, 1.0], Assumption,
        "maximal MSC protection against bystander damage",
        "assumption (MODEL.md 8.6)";
    e_q_tcell: "-" = 0.2, [0.0, 1.0], Assumption,
        "maximal MSC suppression of T-cell expansion",
        "assumption: GVHD mechanism (MODEL.md 8.6)";
    // ---- dexamethasone --------------------------------------------------------------------
    dex_volume: "L" = 27.7, [5.0, 100.0], VAbs,
        "dexamethasone volume (V1 + V2)",
        "Li 2023 J Crit Care popPK: V1 15.4 L + V2 12.3 L";
    dex_clearance: "L/h" = 2.85, [0.5, 10.0], VAbs,
        "dexamethasone clearance, hospitalised COVID-19",
        "Li 2023 J Crit Care popPK: CL 2.85 L/h";
    dex_ka: "1/d" = 36.0, [1.0, 200.0], VAbs,
        "oral dexamethasone absorption rate",
        "label Tmax 1-2 h (MODEL.md 6); value assumption";
    dex_ic50: "ng/mL" = 8.0, [0.1, 100.0], Memory,
        "dexamethasone concentration for half-maximal effect",
        "in-vitro IC50 1-10 nM free (from memory); check Swierczek & Jusko 2023 Table 2";
    imax_dex_myeloid: "-" = 0.5, [0.0, 1.0], Assumption,
        "maximal steroid inhibition of myeloid recruitment",
        "assumption: calibrate to RECOVERY RR 0.64 (IMV) / 0.82 (O2)";
    imax_dex_il6: "-" = 0.6, [0.0, 1.0], Assumption,
        "maximal steroid inhibition of IL-6 production",
        "assumption: calibrate to RECOVERY RR 0.64 / 0.82";
    imax_dex_tcell: "-" = 0.5, [0.0, 1.0], Assumption,
        "maximal steroid inhibition of T-cell expansion",
        "assumption: RR ~1.2 without O2 and slower clearance (MODEL.md 6)";
    imax_dex_bcell: "-" = 0.2, [0.0, 1.0], Assumption,
        "maximal steroid inhibition of B-cell expansion",
        "assumption (MODEL.md 8.6)";
    imax_dex_ifn: "-" = 0.3, [0.0, 1.0], Assumption,
        "maximal steroid inhibition of IFN activity",
        "assumption (MODEL.md 8.6)";
    // ---- lung function and death hazard ---------------------------------------------------
    j_scale: "fraction" = 0.33, [0.05, 1.0], Assumption,
        "lung-injury scale of the P/F decline, P/F = PF0 exp(-J/J_s)",
        "assumption: P/F 300/200/100 at J ~0.08/0.21/0.44 for age 70 (MODEL.md 8.5)";
    h0: "1/d" = 0.002243, [0.0, 0.1], Assumption,
        "baseline death hazard after admission",
        "assumption: calibrated to RECOVERY usual-care 28-day mortality 41.4/26.2/14.0 % on IMV/oxygen/none (immunotrial calibrate stage 1, 1000 patients per replica; docs/validation.md); starting value 0.002";
    theta_pf: "per 100 mmHg" = 0.3661, [0.0, 3.0], Assumption,
        "log-hazard per 100 mmHg of P/F below the reference",
        "assumption: calibrated with h0 to RECOVERY usual-care mortality by support (docs/validation.md); starting value 0.9 (MODEL.md 8.6)";
    pf_ref: "mmHg" = 350.0, [200.0, 500.0], Assumption,
        "P/F below which the hazard rises",
        "assumption (MODEL.md 8.6)";
    theta_vl: "per log10 copies/mL" = 0.27, [0.0, 2.0], VAbs,
        "log-hazard per log10 viral load above 1e3 copies/mL",
        "Neant 2021 PNAS abstract: HR 1.31 per log10";
    theta_il6: "per ln(IL-6/baseline)" = 0.0, [0.0, 2.0], Assumption,
        "log-hazard per unit log IL-6 excess (off by default)",
        "assumption (MODEL.md 8.5 optional term)";
    hr_age65: "-" = 2.0, [1.0, 10.0], VAbs,
        "hazard ratio at age >= 65",
        "Neant 2021 PNAS abstract: HR > 2";
    hr_male: "-" = 2.0, [1.0, 10.0], VAbs,
        "hazard ratio for male sex",
        "Neant 2021 PNAS abstract: HR > 2";
}

impl Params {
    /// Set parameter `name` to `value`, checking the name and the bounds.
    pub fn set(&mut self, name: &str, value: f64) -> Result<(), ParamError> {
        let info = param_info(name).ok_or_else(|| ParamError::Unknown {
            name: name.to_string(),
            suggestion: closest_name(name),
        })?;
        if !value.is_finite() || value < info.lower || value > info.upper {
            return Err(ParamError::OutOfBounds {
                name: info.name,
                value,
                lower: info.lower,
                upper: info.upper,
                unit: info.unit,
            });
        }
        if let Some(slot) = self.slot_mut(name) {
            *slot = value;
        }
        Ok(())
    }

    /// Check every parameter against its bounds; the first offender is returned.
    pub fn validate(&self) -> Result<(), ParamError> {
        for info in PARAM_INFO {
            let value = self.get(info.name).unwrap_or(f64::NAN);
            if !value.is_finite() || value < info.lower || value > info.upper {
                return Err(ParamError::OutOfBounds {
                    name: info.name,
                    value,
                    lower: info.lower,
                    upper: info.upper,
                    unit: info.unit,
                });
            }
        }
        Ok(())
    }
}

/// The table row for `name`.
pub fn param_info(name: &str) -> Option<&'static ParamInfo> {
    PARAM_INFO.iter().find(|info| info.name == name)
}

/// The known parameter name closest to `name` (Jaro–Winkler ≥ 0.8), for did-you-mean errors.
pub fn closest_name(name: &str) -> Option<&'static str> {
    PARAM_INFO
        .iter()
        .map(|info| (strsim::jaro_winkler(name, info.name), info.name))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
}

/// Biological sex, for the hazard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Sex::Female => "female",
            Sex::Male => "male",
        })
    }
}

/// Patient covariates the model uses (the population crate samples them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Covariates {
    /// Age, years: sets PF0 (Sorbini), the age ≥ 65 hazard ratio and slower infected-cell loss.
    pub age_years: f64,
    /// Sex: male hazard ratio.
    pub sex: Sex,
    /// Body weight, kg: plasma volume and MSC dose scaling.
    pub weight_kg: f64,
    /// Product of comorbidity hazard ratios (e.g. chronic lung disease 2.0), ≥ 1 usually.
    pub hr_comorbidity: f64,
}

impl Default for Covariates {
    fn default() -> Self {
        Covariates {
            age_years: 60.0,
            sex: Sex::Female,
            weight_kg: 75.0,
            hr_comorbidity: 1.0,
        }
    }
}

/// Why covariates are invalid.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CovariateError {
    /// Age outside 18–110 years.
    #[error("age {0} years is outside 18-110")]
    Age(f64),
    /// Weight outside 30–250 kg.
    #[error("weight {0} kg is outside 30-250")]
    Weight(f64),
    /// Comorbidity hazard ratio outside 0.1–100.
    #[error("comorbidity hazard ratio {0} is outside 0.1-100")]
    HazardRatio(f64),
}

impl Covariates {
    /// Check the covariates are in the ranges the model was built for.
    pub fn validate(&self) -> Result<(), CovariateError> {
        if !(18.0..=110.0).contains(&self.age_years) {
            return Err(CovariateError::Age(self.age_years));
        }
        if !(30.0..=250.0).contains(&self.weight_kg) {
            return Err(CovariateError::Weight(self.weight_kg));
        }
        if !(0.1..=100.0).contains(&self.hr_comorbidity) {
            return Err(CovariateError::HazardRatio(self.hr_comorbidity));
        }
        Ok(())
    }
}

/// The parameter table as Markdown, one row per [`PARAM_INFO`] entry (docs/model.md embeds it;
/// a test fails when the two differ).
pub fn markdown_table() -> String {
    let mut s = String::from(
        "| name | unit | default | lower | upper | description | source | provenance |\n|---|---|---|---|---|---|---|---|\n",
    );
    for p in PARAM_INFO {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
            p.name,
            p.unit,
            p.default,
            p.lower,
            p.upper,
            p.description,
            p.source,
            p.provenance.tag()
        ));
    }
    s
}
