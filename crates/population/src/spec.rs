//! Named populations: the distributions of baseline covariates, each with its source, and the
//! sampling of one patient's covariates from that patient's own random stream.
//!
//! Every distribution is a [`Sourced`] value, and [`PopulationSpec::parameter_table`] lists them
//! as (name, distribution, parameters, source) rows, the same table as `docs/population.md`.

use crate::{AboGroup, Covariates, Sex};
use model::Phenotype;
use rand::RngExt;
use rand_distr::StandardNormal;
use streams::{ChaCha8Rng, Purpose};
use thiserror::Error;

/// Youngest age sampled (adult trials), years.
pub const MIN_AGE_YEARS: f64 = 18.0;
/// Oldest age sampled, years.
pub const MAX_AGE_YEARS: f64 = 100.0;
/// Age at which comorbidity prevalences switch to the older band, years (a common reporting
/// cut-off in COVID-19 cohorts).
pub const OLDER_BAND_FROM_YEARS: f64 = 65.0;
/// Youngest age at which pregnancy is sampled is [`MIN_AGE_YEARS`]; the oldest, years
/// (assumption: pregnancy after 50 is negligible for a trial population).
pub const PREGNANCY_MAX_AGE_YEARS: f64 = 50.0;
/// Rejection-sampling attempts for a truncated normal before falling back to clamping. With the
/// bounds used here the mass inside is > 0.98, so the fallback is never reached in practice; it
/// only keeps sampling total.
const MAX_REJECTIONS: usize = 1000;

/// Errors about populations.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PopulationError {
    /// No population of that name.
    #[error("unknown population {given:?}; known: {known}")]
    Unknown {
        /// The name given.
        given: String,
        /// The known names, comma-separated.
        known: String,
    },
}

/// A value with its source (paper and table, or "assumption: …").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it comes from.
    pub source: &'static str,
}

/// A normal distribution truncated to [min, max] (sampled by rejection).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TruncatedNormal {
    /// Mean of the untruncated normal.
    pub mean: f64,
    /// Standard deviation of the untruncated normal.
    pub sd: f64,
    /// Lower bound.
    pub min: f64,
    /// Upper bound.
    pub max: f64,
}

impl TruncatedNormal {
    fn sample(&self, rng: &mut ChaCha8Rng) -> f64 {
        for _ in 0..MAX_REJECTIONS {
            let z: f64 = rng.sample(StandardNormal);
            let x = self.mean + self.sd * z;
            if (self.min..=self.max).contains(&x) {
                return x;
            }
        }
        self.mean.clamp(self.min, self.max)
    }
}

/// A log-normal distribution given by its median and the standard deviation of the log.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogNormal {
    /// Median (= exp(μ)).
    pub median: f64,
    /// Standard deviation of ln X (σ).
    pub sigma_log: f64,
}

impl LogNormal {
    /// The log-normal with a given median and interquartile range (q1, q3):
    /// σ = ln(q3/q1) / (2 · 0.6745), 0.6745 being the standard normal's 75th percentile.
    pub fn from_median_iqr(median: f64, q1: f64, q3: f64) -> Self {
        const Z_75: f64 = 0.674_489_750_196_081_7;
        Self {
            median,
            sigma_log: (q3 / q1).ln() / (2.0 * Z_75),
        }
    }

    fn sample(&self, rng: &mut ChaCha8Rng) -> f64 {
        let z: f64 = rng.sample(StandardNormal);
        self.median * (self.sigma_log * z).exp()
    }
}

/// Prevalence of a condition below and from [`OLDER_BAND_FROM_YEARS`] (the cheap way to carry
/// the age–comorbidity correlation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prevalence {
    /// Probability under 65 years.
    pub under_65: f64,
    /// Probability at 65 years or more.
    pub from_65: f64,
}

impl Prevalence {
    /// Probability at a given age.
    pub fn at_age(&self, age_years: f64) -> f64 {
        if age_years < OLDER_BAND_FROM_YEARS {
            self.under_65
        } else {
            self.from_65
        }
    }
}

/// One row of the parameter table: name, distribution, parameters, source.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    /// Covariate.
    pub name: &'static str,
    /// Distribution family.
    pub distribution: &'static str,
    /// Parameters, as text.
    pub parameters: String,
    /// Source.
    pub source: &'static str,
}

/// The covariate distributions of a named population.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationSpec {
    /// Name, e.g. `hospitalized_severe_2020`.
    pub name: &'static str,
    /// One line on who these patients are.
    pub description: &'static str,
    /// Age, years.
    pub age_years: Sourced<TruncatedNormal>,
    /// Fraction of men.
    pub male_fraction: Sourced<f64>,
    /// Height and BMI (weight = BMI × height²).
    pub body: Body,
    /// ABO frequencies in the order O, A, B, AB (sum 1).
    pub abo_frequencies: Sourced<[f64; 4]>,
    /// Hypertension.
    pub hypertension: Sourced<Prevalence>,
    /// Diabetes.
    pub diabetes: Sourced<Prevalence>,
    /// Obesity.
    pub obesity: Sourced<Prevalence>,
    /// Chronic lung disease.
    pub chronic_lung_disease: Sourced<Prevalence>,
    /// Immunosuppression.
    pub immunosuppression: Sourced<Prevalence>,
    /// Chronic cardiovascular disease.
    pub cardiovascular_disease: Sourced<Prevalence>,
    /// Chronic kidney disease.
    pub chronic_kidney_disease: Sourced<Prevalence>,
    /// History of severe reactions to blood products.
    pub blood_product_hypersensitivity: Sourced<Prevalence>,
    /// Probability that a woman under [`PREGNANCY_MAX_AGE_YEARS`] is pregnant.
    pub pregnant_if_female_under_50: Sourced<f64>,
    /// Incubation period, days.
    pub incubation_days: Sourced<LogNormal>,
    /// Symptom onset to presentation, days.
    pub onset_to_presentation_days: Sourced<LogNormal>,
    /// Where patients are screened (in hospital or as outpatients).
    pub setting: Setting,
    /// Typical model parameters of this population: a phenotype preset, possibly adjusted;
    /// between-patient variability spreads patients around it (see [`crate::iiv`]).
    pub typical: Sourced<TypicalPhysiology>,
}

/// A population's typical model parameters: the parameters of a phenotype preset (which sets
/// the severity drivers IFN competence `f_ifn` and inflammatory propensity `s_myeloid`), with
/// optional multipliers on named parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TypicalPhysiology {
    /// The preset.
    pub anchor: Phenotype,
    /// (parameter name as in `model::PARAM_INFO`, multiplier of the preset's value).
    pub multipliers: &'static [(&'static str, f64)],
}

/// Where a population's patients are when they are screened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// Screened at hospital (or ICU) admission: in hospital at screening.
    Inpatient,
    /// Screened at an outpatient visit: in hospital only if the model already admitted them.
    Outpatient,
}

/// Source of the incubation period (the same for every population).
const LAUER_2020: &str = "Lauer et al., Ann Intern Med 2020;172:577, log-normal fit (meanlog 1.621, sdlog 0.418): median 5.1 d, 97.5th percentile 11.5 d";
/// Italian ABO frequencies (Rh+ and Rh− summed).
const ABO_ITALY: &str = "Italy, blood donors (AVIS) as tabulated in 'Blood type distribution by country': O 46%, A 42%, B 9%, AB 3% (approximate)";
/// Height and BMI by sex and obesity: not from a fitted table.
const HEIGHT_ASSUMPTION: &str = "assumption: approximate Italian adult height (NCD-RisC, eLife 2016;5:e13410, cohorts born 1940-1970); verify";
const BMI_ASSUMPTION: &str =
    "assumption: BMI of adults without / with obesity (BMI < 30 / >= 30); verify";

/// Body size: height by sex, BMI by obesity status; weight = BMI × height². Sampling BMI on the
/// side of 30 that the obesity flag says keeps weight, BMI and the flag consistent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Body {
    /// Height of men, m.
    pub height_m_male: Sourced<TruncatedNormal>,
    /// Height of women, m.
    pub height_m_female: Sourced<TruncatedNormal>,
    /// BMI without obesity, kg/m² (upper bound just under 30).
    pub bmi_not_obese: Sourced<TruncatedNormal>,
    /// BMI with obesity, kg/m² (lower bound 30).
    pub bmi_obese: Sourced<TruncatedNormal>,
}

/// BMI from which a patient counts as obese (WHO), kg/m².
pub const OBESITY_BMI: f64 = 30.0;

/// Adult body size used by every built-in population.
fn adult_body() -> Body {
    let normal = |mean, sd, min, max, source| Sourced {
        value: TruncatedNormal { mean, sd, min, max },
        source,
    };
    Body {
        height_m_male: normal(1.75, 0.07, 1.45, 2.10, HEIGHT_ASSUMPTION),
        height_m_female: normal(1.62, 0.065, 1.40, 1.95, HEIGHT_ASSUMPTION),
        bmi_not_obese: normal(25.5, 2.8, 16.0, OBESITY_BMI - 1e-9, BMI_ASSUMPTION),
        bmi_obese: normal(34.0, 3.5, OBESITY_BMI, 60.0, BMI_ASSUMPTION),
    }
}

/// Rare conditions, the same in every built-in population.
const HYPERSENSITIVITY_ASSUMPTION: &str =
    "assumption: a history of severe reactions to blood products is rare (~0.5%)";
const PREGNANCY_ASSUMPTION: &str =
    "assumption: ~2% of women aged 18-49 in a COVID-19 trial population are pregnant";

fn hypersensitivity() -> Sourced<Prevalence> {
    prevalence(0.005, 0.005, HYPERSENSITIVITY_ASSUMPTION)
}

fn pregnancy() -> Sourced<f64> {
    Sourced {
        value: 0.02,
        source: PREGNANCY_ASSUMPTION,
    }
}

/// Incubation period: Lauer et al. 2020, log-normal with meanlog 1.621 and sdlog 0.418.
fn lauer_incubation() -> Sourced<LogNormal> {
    Sourced {
        value: LogNormal {
            median: 1.621f64.exp(),
            sigma_log: 0.418,
        },
        source: LAUER_2020,
    }
}

fn abo_italy() -> Sourced<[f64; 4]> {
    Sourced {
        value: [0.46, 0.42, 0.09, 0.03],
        source: ABO_ITALY,
    }
}

fn prevalence(under_65: f64, from_65: f64, source: &'static str) -> Sourced<Prevalence> {
    Sourced {
        value: Prevalence { under_65, from_65 },
        source,
    }
}

/// Hospitalised patients with severe COVID-19 in 2020 (RECOVERY-like; the population of the
/// Italian and Brazilian plasma/MSC trials).
pub fn hospitalized_severe_2020() -> PopulationSpec {
    PopulationSpec {
        name: "hospitalized_severe_2020",
        description: "hospitalised adults with severe COVID-19, 2020 (RECOVERY dexamethasone trial baseline)",
        age_years: Sourced {
            value: TruncatedNormal {
                mean: 66.1,
                sd: 15.7,
                min: MIN_AGE_YEARS,
                max: MAX_AGE_YEARS,
            },
            source: "RECOVERY Collaborative Group, N Engl J Med 2021;384:693, Table 1: age 66.1 +/- 15.7 y",
        },
        male_fraction: Sourced {
            value: 0.64,
            source: "RECOVERY, N Engl J Med 2021;384:693, Table 1: 64% male",
        },
        body: adult_body(),
        abo_frequencies: abo_italy(),
        hypertension: prevalence(
            0.35,
            0.62,
            "assumption: overall ~49% as in Grasselli et al., JAMA 2020;323:1574 (Lombardy); split by age band",
        ),
        diabetes: prevalence(
            0.18,
            0.29,
            "RECOVERY, N Engl J Med 2021;384:693, Table 1: diabetes 24% overall; split by age band is an assumption",
        ),
        obesity: prevalence(
            0.30,
            0.20,
            "assumption: ~25% overall, higher under 65 (hospitalised cohorts 2020)",
        ),
        chronic_lung_disease: prevalence(
            0.15,
            0.26,
            "RECOVERY, N Engl J Med 2021;384:693, Table 1: chronic lung disease 21% overall; split by age band is an assumption",
        ),
        immunosuppression: prevalence(0.04, 0.06, "assumption: ~5% overall"),
        cardiovascular_disease: prevalence(
            0.15,
            0.38,
            "RECOVERY, N Engl J Med 2021;384:693, Table 1: chronic heart disease ~27% overall (approximate); split by age band is an assumption",
        ),
        chronic_kidney_disease: prevalence(
            0.04,
            0.11,
            "RECOVERY, N Engl J Med 2021;384:693, Table 1: severe kidney impairment ~8% overall (approximate); split by age band is an assumption",
        ),
        blood_product_hypersensitivity: hypersensitivity(),
        pregnant_if_female_under_50: pregnancy(),
        incubation_days: lauer_incubation(),
        onset_to_presentation_days: Sourced {
            value: LogNormal::from_median_iqr(8.0, 6.0, 11.0),
            source: "MODEL.md 8.7: symptom onset to hospital admission median 8 d (IQR 6-11)",
        },
        setting: Setting::Inpatient,
        typical: Sourced {
            value: TypicalPhysiology {
                anchor: Phenotype::Severe,
                multipliers: &[],
            },
            source: "assumption: hospitalised severe patients centred on the model's severe preset (P/F nadir 100-200, WHO peak 5-7)",
        },
    }
}

/// Critically ill patients admitted to intensive care (Lombardy, spring 2020).
pub fn icu_critical() -> PopulationSpec {
    PopulationSpec {
        name: "icu_critical",
        description: "critically ill adults admitted to ICU (Lombardy ICU network, Feb-Mar 2020)",
        age_years: Sourced {
            // IQR 56-70 → SD = 14 / 1.349.
            value: TruncatedNormal {
                mean: 63.0,
                sd: 14.0 / 1.349,
                min: MIN_AGE_YEARS,
                max: MAX_AGE_YEARS,
            },
            source: "Grasselli et al., JAMA 2020;323:1574: median age 63 (IQR 56-70), normal with SD = IQR/1.349",
        },
        male_fraction: Sourced {
            value: 0.82,
            source: "Grasselli et al., JAMA 2020;323:1574: 82% male",
        },
        body: adult_body(),
        abo_frequencies: abo_italy(),
        hypertension: prevalence(
            0.38,
            0.64,
            "Grasselli et al., JAMA 2020;323:1574: hypertension 49% overall; split by age band is an assumption",
        ),
        diabetes: prevalence(
            0.13,
            0.22,
            "Grasselli et al., JAMA 2020;323:1574: diabetes 17% overall; split by age band is an assumption",
        ),
        obesity: prevalence(
            0.30,
            0.22,
            "assumption: ~27% overall (not reported by Grasselli 2020); verify",
        ),
        chronic_lung_disease: prevalence(
            0.03,
            0.05,
            "Grasselli et al., JAMA 2020;323:1574: COPD 4% overall; split by age band is an assumption",
        ),
        immunosuppression: prevalence(
            0.05,
            0.07,
            "assumption: ~6% overall (malignancy 8% in Grasselli 2020)",
        ),
        cardiovascular_disease: prevalence(
            0.14,
            0.31,
            "Grasselli et al., JAMA 2020;323:1574: cardiovascular disease 21% overall; split by age band is an assumption",
        ),
        chronic_kidney_disease: prevalence(
            0.02,
            0.045,
            "Grasselli et al., JAMA 2020;323:1574: chronic kidney disease 3% overall; split by age band is an assumption",
        ),
        blood_product_hypersensitivity: hypersensitivity(),
        pregnant_if_female_under_50: pregnancy(),
        incubation_days: lauer_incubation(),
        onset_to_presentation_days: Sourced {
            value: LogNormal::from_median_iqr(12.0, 8.0, 15.0),
            source: "Zhou et al., Lancet 2020;395:1054: illness onset to ICU admission median 12 d (IQR 8-15)",
        },
        setting: Setting::Inpatient,
        typical: Sourced {
            value: TypicalPhysiology {
                anchor: Phenotype::Critical,
                multipliers: &[("rho_x", 0.6)],
            },
            source: "assumption: ICU patients centred on the model's critical preset (P/F nadir < 100, invasive ventilation) with a slower CD8 expansion (rho_x x 0.6: the delayed, lymphopenic adaptive response of critical patients), so that courses screened ~12 d after onset are still critical; calibrated to the severity ordering outpatient < hospitalised < ICU",
        },
    }
}

/// Adult outpatients seen early after symptom onset (early-treatment trials).
pub fn outpatient_early() -> PopulationSpec {
    PopulationSpec {
        name: "outpatient_early",
        description: "adult outpatients within a few days of symptom onset (early-treatment trials)",
        age_years: Sourced {
            value: TruncatedNormal {
                mean: 50.0,
                sd: 15.0,
                min: MIN_AGE_YEARS,
                max: MAX_AGE_YEARS,
            },
            source: "assumption: adult outpatients of early-treatment trials; verify against the target trial",
        },
        male_fraction: Sourced {
            value: 0.45,
            source: "assumption: outpatient trials enrolled slightly more women; verify",
        },
        body: adult_body(),
        abo_frequencies: abo_italy(),
        hypertension: prevalence(
            0.20,
            0.45,
            "assumption: general adult prevalence by age band",
        ),
        diabetes: prevalence(
            0.08,
            0.18,
            "assumption: general adult prevalence by age band",
        ),
        obesity: prevalence(
            0.25,
            0.20,
            "assumption: general adult prevalence by age band",
        ),
        chronic_lung_disease: prevalence(
            0.08,
            0.12,
            "assumption: general adult prevalence by age band",
        ),
        immunosuppression: prevalence(
            0.02,
            0.03,
            "assumption: general adult prevalence by age band",
        ),
        cardiovascular_disease: prevalence(
            0.05,
            0.20,
            "assumption: general adult prevalence by age band",
        ),
        chronic_kidney_disease: prevalence(
            0.02,
            0.06,
            "assumption: general adult prevalence by age band",
        ),
        blood_product_hypersensitivity: hypersensitivity(),
        pregnant_if_female_under_50: pregnancy(),
        incubation_days: lauer_incubation(),
        onset_to_presentation_days: Sourced {
            value: LogNormal::from_median_iqr(3.0, 2.0, 4.0),
            source: "assumption: enrollment within about 3 days of onset (e.g. Libster et al., N Engl J Med 2021;384:610 enrolled within 72 h)",
        },
        setting: Setting::Outpatient,
        typical: Sourced {
            value: TypicalPhysiology {
                anchor: Phenotype::Mild,
                multipliers: &[("f_ifn", 0.8125), ("s_myeloid", 1.5)],
            },
            source: "assumption: early outpatients centred halfway between the model's mild and moderate presets (f_ifn 0.8 x 0.8125 = 0.65, s_myeloid 0.3 x 1.5 = 0.45), so that with between-patient variability most courses are mild or moderate and a few need oxygen",
        },
    }
}

/// Other spellings accepted by [`PopulationSpec::named`]: (alias, population name).
pub const ALIASES: &[(&str, &str)] = &[("hospitalized_severe", "hospitalized_severe_2020")];

/// Every named population, by name.
pub fn all() -> Vec<PopulationSpec> {
    vec![
        hospitalized_severe_2020(),
        outpatient_early(),
        icu_critical(),
    ]
}

impl PopulationSpec {
    /// The population called `name`.
    ///
    /// Aliases: `hospitalized_severe` (the seed protocols' spelling) is
    /// `hospitalized_severe_2020`.
    pub fn named(name: &str) -> Result<PopulationSpec, PopulationError> {
        let name = ALIASES
            .iter()
            .find(|(alias, _)| *alias == name)
            .map_or(name, |(_, target)| *target);
        all()
            .into_iter()
            .find(|p| p.name == name)
            .ok_or_else(|| PopulationError::Unknown {
                given: name.to_owned(),
                known: all().iter().map(|p| p.name).collect::<Vec<_>>().join(", "),
            })
    }

    /// Samples patient `patient_id`'s covariates from `streams::stream(seed, Patient, id)`.
    ///
    /// Draw order (part of the reproducibility contract; append new covariates at the end):
    /// sex, age, hypertension, diabetes, obesity, chronic lung disease, immunosuppression,
    /// cardiovascular disease, chronic kidney disease, blood-product hypersensitivity,
    /// pregnancy, height, BMI, ABO, incubation, onset to presentation. Every draw is made for
    /// every patient (a man's pregnancy draw is discarded), so each covariate uses the same
    /// position of the stream in every patient.
    pub fn sample(&self, seed: u64, patient_id: u64) -> Covariates {
        let mut rng = streams::stream(seed, Purpose::Patient, patient_id);
        self.sample_from(patient_id, &mut rng)
    }

    /// Samples covariates from `rng` in the documented draw order of [`PopulationSpec::sample`],
    /// leaving `rng` just after the last covariate draw (the physiology is drawn next, from the
    /// same stream: see [`crate::VirtualPatient::generate`]).
    pub(crate) fn sample_from(&self, patient_id: u64, rng: &mut ChaCha8Rng) -> Covariates {
        let sex = if rng.random::<f64>() < self.male_fraction.value {
            Sex::Male
        } else {
            Sex::Female
        };
        let age_years = self.age_years.value.sample(rng);
        let mut has = |p: &Sourced<Prevalence>| rng.random::<f64>() < p.value.at_age(age_years);
        let hypertension = has(&self.hypertension);
        let diabetes = has(&self.diabetes);
        let obesity = has(&self.obesity);
        let chronic_lung_disease = has(&self.chronic_lung_disease);
        let immunosuppression = has(&self.immunosuppression);
        let cardiovascular_disease = has(&self.cardiovascular_disease);
        let chronic_kidney_disease = has(&self.chronic_kidney_disease);
        let blood_product_hypersensitivity = has(&self.blood_product_hypersensitivity);
        let pregnancy_draw = rng.random::<f64>();
        let pregnant = sex == Sex::Female
            && age_years < PREGNANCY_MAX_AGE_YEARS
            && pregnancy_draw < self.pregnant_if_female_under_50.value;
        let height = match sex {
            Sex::Male => self.body.height_m_male.value,
            Sex::Female => self.body.height_m_female.value,
        };
        let height_m = height.sample(rng);
        let bmi = if obesity {
            self.body.bmi_obese.value
        } else {
            self.body.bmi_not_obese.value
        };
        let bmi_kg_m2 = bmi.sample(rng);
        let abo = draw_abo(&self.abo_frequencies.value, rng);
        let incubation_days = self.incubation_days.value.sample(rng);
        let onset_to_presentation_days = self.onset_to_presentation_days.value.sample(rng);
        Covariates {
            patient_id,
            age_years,
            sex,
            height_m,
            bmi_kg_m2,
            weight_kg: bmi_kg_m2 * height_m * height_m,
            abo,
            hypertension,
            diabetes,
            obesity,
            chronic_lung_disease,
            immunosuppression,
            cardiovascular_disease,
            chronic_kidney_disease,
            blood_product_hypersensitivity,
            pregnant,
            incubation_days,
            onset_to_presentation_days,
        }
    }

    /// The (name, distribution, parameters, source) table of this population.
    pub fn parameter_table(&self) -> Vec<SourceRow> {
        let normal = |name, d: &Sourced<TruncatedNormal>, unit| SourceRow {
            name,
            distribution: "truncated normal",
            parameters: format!(
                "mean {} {unit}, SD {} {unit}, [{}, {}]",
                short(d.value.mean),
                short(d.value.sd),
                short(d.value.min),
                short(d.value.max)
            ),
            source: d.source,
        };
        let log_normal = |name, d: &Sourced<LogNormal>| SourceRow {
            name,
            distribution: "log-normal",
            parameters: format!(
                "median {:.2} d, sdlog {:.3}",
                d.value.median, d.value.sigma_log
            ),
            source: d.source,
        };
        let bernoulli = |name, d: &Sourced<Prevalence>| SourceRow {
            name,
            distribution: "Bernoulli by age band",
            parameters: format!("<65 y: {}, >=65 y: {}", d.value.under_65, d.value.from_65),
            source: d.source,
        };
        let [o, a, b, ab] = self.abo_frequencies.value;
        vec![
            normal("age", &self.age_years, "y"),
            SourceRow {
                name: "sex",
                distribution: "Bernoulli",
                parameters: format!("P(male) = {}", self.male_fraction.value),
                source: self.male_fraction.source,
            },
            normal("height (men)", &self.body.height_m_male, "m"),
            normal("height (women)", &self.body.height_m_female, "m"),
            normal("BMI without obesity", &self.body.bmi_not_obese, "kg/m2"),
            normal("BMI with obesity", &self.body.bmi_obese, "kg/m2"),
            SourceRow {
                name: "ABO group",
                distribution: "categorical",
                parameters: format!("O {o}, A {a}, B {b}, AB {ab}"),
                source: self.abo_frequencies.source,
            },
            bernoulli("hypertension", &self.hypertension),
            bernoulli("diabetes", &self.diabetes),
            bernoulli("obesity", &self.obesity),
            bernoulli("chronic lung disease", &self.chronic_lung_disease),
            bernoulli("immunosuppression", &self.immunosuppression),
            bernoulli("cardiovascular disease", &self.cardiovascular_disease),
            bernoulli("chronic kidney disease", &self.chronic_kidney_disease),
            bernoulli(
                "blood-product hypersensitivity",
                &self.blood_product_hypersensitivity,
            ),
            SourceRow {
                name: "pregnancy",
                distribution: "Bernoulli (women 18-49 y)",
                parameters: format!("P = {}", self.pregnant_if_female_under_50.value),
                source: self.pregnant_if_female_under_50.source,
            },
            log_normal("incubation period", &self.incubation_days),
            log_normal("onset to presentation", &self.onset_to_presentation_days),
            SourceRow {
                name: "typical physiology",
                distribution: "phenotype preset",
                parameters: self.typical_text(),
                source: self.typical.source,
            },
        ]
    }
}

impl PopulationSpec {
    /// The typical physiology as text: preset name and multipliers.
    fn typical_text(&self) -> String {
        let typical = self.typical.value;
        let mut text = format!("{} preset", typical.anchor);
        for (name, multiplier) in typical.multipliers {
            text.push_str(&format!(", {name} x {}", short(*multiplier)));
        }
        text
    }
}

/// A number with at most 3 decimals and no trailing zeros, for the parameter table.
fn short(x: f64) -> String {
    let text = format!("{x:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Draws an ABO group from frequencies in the order of [`AboGroup::ALL`].
fn draw_abo(frequencies: &[f64; 4], rng: &mut ChaCha8Rng) -> AboGroup {
    let u: f64 = rng.random::<f64>() * frequencies.iter().sum::<f64>();
    let mut cumulative = 0.0;
    for (group, &f) in AboGroup::ALL.iter().zip(frequencies) {
        cumulative += f;
        if u < cumulative {
            return *group;
        }
    }
    AboGroup::AB
}

#[cfg(test)]
mod tests;
