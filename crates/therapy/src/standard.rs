//! Standard therapy of 2020 as selectable components, each with its modelled effect (or the
//! reason it has none) and named bundles.
//!
//! | product | modelled effect | evidence for the choice |
//! |---|---|---|
//! | dexamethasone | `Dexamethasone` PK/PD (MODEL.md §6) | RECOVERY: 28-d RR 0.83 overall, 0.64 on IMV |
//! | methylprednisolone | as dexamethasone-equivalent mg | glucocorticoid class effect; potency 4 mg MP ≡ 0.75 mg dex |
//! | remdesivir | `Antiviral` (p × (1 − ε)) | ACTT-1: recovery 10 vs 15 d; SOLIDARITY: no mortality effect |
//! | lopinavir/ritonavir | none | RECOVERY and SOLIDARITY null; Cao 2020 null |
//! | interferon-α | none | no randomised evidence for α; SOLIDARITY IFN-β null |
//! | ribavirin | none | no clinical evidence; EC50 far above achievable levels |
//! | immunoglobulin (IVIG, 2020 lots) | none | pre-pandemic donors: no SARS-CoV-2 neutralising titer |
//! | antibiotics (meropenem) | none | bacterial co-infection is not in the model |
//!
//! A product with no modelled effect makes no dose event but is recorded as an administration
//! and can carry adverse events.

use crate::bounds::{SpecError, check, check_fraction};
use crate::patient::PatientContext;
use crate::schedule::{ConditionalDoses, Schedule};
use model::dosing::{DoseEvent, DoseInput};
use serde::{Deserialize, Serialize};

/// Oral bioavailability of dexamethasone in pneumonia: 0.81 (Spoorenberg, MODEL.md §6).
pub const DEXAMETHASONE_ORAL_BIOAVAILABILITY: f64 = 0.81;

/// Dexamethasone-equivalent mg per mg of methylprednisolone: 0.75/4 (standard glucocorticoid
/// equivalence tables: 0.75 mg dexamethasone ≡ 4 mg methylprednisolone ≡ 20 mg hydrocortisone).
pub const METHYLPREDNISOLONE_TO_DEXAMETHASONE: f64 = 0.75 / 4.0;

/// A standard-therapy product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StandardProduct {
    /// Dexamethasone, default 6 mg once daily × 10 d (RECOVERY).
    Dexamethasone,
    /// Methylprednisolone, default 40 mg IV daily × 5 d [M: Chinese guideline 2020, 1–2 mg/kg/d
    /// for 3–5 d], as given in the Peng 2020 case report (dose not reported).
    Methylprednisolone,
    /// Remdesivir-like antiviral, default 200 mg then 100 mg daily, 5 d (SIMPLE: 5 d ≡ 10 d).
    Remdesivir,
    /// Lopinavir/ritonavir 400/100 mg twice daily × 14 d (Cao 2020 NEJM; RECOVERY).
    LopinavirRitonavir,
    /// Interferon-α, 5 MU nebulised twice daily × 10 d [M: Chinese guideline 2020].
    InterferonAlpha,
    /// Ribavirin 500 mg IV 2–3 times daily × 10 d [M: Chinese guideline 2020].
    Ribavirin,
    /// Non-specific intravenous immunoglobulin 0.4 g/kg/d × 5 d \[M\].
    Immunoglobulin,
    /// Empirical antibiotics (meropenem 1 g every 8 h × 7 d in the case report) \[M\].
    Antibiotics,
}

/// Route of a corticosteroid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// By mouth (bioavailability 0.81 for dexamethasone).
    Oral,
    /// Intravenous (bioavailability 1).
    Intravenous,
}

impl StandardProduct {
    /// All products.
    pub const ALL: [StandardProduct; 8] = [
        StandardProduct::Dexamethasone,
        StandardProduct::Methylprednisolone,
        StandardProduct::Remdesivir,
        StandardProduct::LopinavirRitonavir,
        StandardProduct::InterferonAlpha,
        StandardProduct::Ribavirin,
        StandardProduct::Immunoglobulin,
        StandardProduct::Antibiotics,
    ];

    /// Name in protocols and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            StandardProduct::Dexamethasone => "dexamethasone",
            StandardProduct::Methylprednisolone => "methylprednisolone",
            StandardProduct::Remdesivir => "remdesivir",
            StandardProduct::LopinavirRitonavir => "lopinavir_ritonavir",
            StandardProduct::InterferonAlpha => "interferon_alpha",
            StandardProduct::Ribavirin => "ribavirin",
            StandardProduct::Immunoglobulin => "immunoglobulin",
            StandardProduct::Antibiotics => "antibiotics",
        }
    }

    /// The product called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Whether the model has an entry point for this product.
    pub fn has_modelled_effect(self) -> bool {
        matches!(
            self,
            StandardProduct::Dexamethasone
                | StandardProduct::Methylprednisolone
                | StandardProduct::Remdesivir
        )
    }

    /// Default course length, days.
    pub fn default_days(self) -> u32 {
        match self {
            StandardProduct::Dexamethasone => 10,
            StandardProduct::Methylprednisolone => 5,
            StandardProduct::Remdesivir => 5,
            StandardProduct::LopinavirRitonavir => 14,
            StandardProduct::InterferonAlpha | StandardProduct::Ribavirin => 10,
            StandardProduct::Immunoglobulin => 5,
            StandardProduct::Antibiotics => 7,
        }
    }

    /// Default daily dose, mg (only where the model uses it: corticosteroids).
    pub fn default_daily_mg(self) -> Option<f64> {
        match self {
            StandardProduct::Dexamethasone => Some(6.0),
            StandardProduct::Methylprednisolone => Some(40.0),
            _ => None,
        }
    }
}

/// Default remdesivir antiviral efficacy ε (production × (1 − ε)): 0.5, the low end of
/// 0.5–0.8 [M, Gonçalves-type estimate, MODEL.md §8.4], chosen low because SOLIDARITY found no
/// mortality effect.
pub const REMDESIVIR_DEFAULT_EFFICACY: f64 = 0.5;

/// A course of one standard product (raw; validate with [`StandardCourse::new`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardCourseSpec {
    /// Product.
    pub product: StandardProduct,
    /// First day, days since symptom onset. Bounds [0, 60].
    pub first_day: f64,
    /// Course length, days. Default per product. Bounds [1, 30].
    pub days: Option<u32>,
    /// Daily dose, mg (corticosteroids only). Bounds [0.5, 1000].
    pub daily_mg: Option<f64>,
    /// Route (corticosteroids only). Default oral for dexamethasone, intravenous for
    /// methylprednisolone.
    pub route: Option<Route>,
    /// Antiviral efficacy ε (remdesivir only). Default 0.5. Bounds [0, 1].
    pub efficacy: Option<f64>,
}

impl StandardCourseSpec {
    /// The default course of `product` starting on `first_day`.
    pub fn default_for(product: StandardProduct, first_day: f64) -> Self {
        Self {
            product,
            first_day,
            days: None,
            daily_mg: None,
            route: None,
            efficacy: None,
        }
    }
}

/// A validated course.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StandardCourse {
    product: StandardProduct,
    schedule: Schedule,
    daily_mg: Option<f64>,
    route: Route,
    efficacy: Option<f64>,
}

impl StandardCourse {
    /// Validates a course and fills product defaults.
    pub fn new(spec: StandardCourseSpec) -> Result<Self, SpecError> {
        let product = spec.product;
        let days = spec.days.unwrap_or(product.default_days());
        check("days", f64::from(days), 1.0, 30.0, "d")?;
        let schedule = Schedule::daily(spec.first_day, days);
        schedule.validate()?;
        let is_steroid = product.default_daily_mg().is_some();
        let daily_mg = match (spec.daily_mg, product.default_daily_mg()) {
            (Some(mg), Some(_)) => Some(check("mg", mg, 0.5, 1000.0, "mg/d")?),
            (None, default) => default,
            (Some(_), None) => {
                return Err(SpecError::Inconsistent(format!(
                    "a daily dose (mg) is only modelled for corticosteroids, not {}",
                    product.name()
                )));
            }
        };
        if spec.route.is_some() && !is_steroid {
            return Err(SpecError::Inconsistent(format!(
                "a route is only modelled for corticosteroids, not {}",
                product.name()
            )));
        }
        let route = spec.route.unwrap_or(match product {
            StandardProduct::Dexamethasone => Route::Oral,
            _ => Route::Intravenous,
        });
        let efficacy = match (spec.efficacy, product) {
            (Some(e), StandardProduct::Remdesivir) => Some(check_fraction("efficacy", e)?),
            (None, StandardProduct::Remdesivir) => Some(REMDESIVIR_DEFAULT_EFFICACY),
            (Some(_), _) => {
                return Err(SpecError::Inconsistent(format!(
                    "an antiviral efficacy is only modelled for remdesivir, not {}",
                    product.name()
                )));
            }
            (None, _) => None,
        };
        Ok(Self {
            product,
            schedule,
            daily_mg,
            route,
            efficacy,
        })
    }

    /// The product.
    pub fn product(&self) -> StandardProduct {
        self.product
    }

    /// Daily schedule of the course.
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    /// Dose events: one corticosteroid bolus per day (dexamethasone-equivalent mg, with its
    /// bioavailability; absorption is the model's), or one `Antiviral` exposure spanning the
    /// course; none for products without a modelled effect.
    pub fn dose_events(&self, patient: &PatientContext) -> Vec<DoseEvent> {
        let days = self.schedule.dose_days(ConditionalDoses::Give);
        let bioavailability = match self.route {
            Route::Oral => DEXAMETHASONE_ORAL_BIOAVAILABILITY,
            Route::Intravenous => 1.0,
        };
        let steroid = |dex_equivalent_mg: f64| -> Vec<DoseEvent> {
            days.iter()
                .map(|&day| DoseEvent {
                    time_days: patient.model_time(day),
                    duration_days: 0.0,
                    input: DoseInput::Dexamethasone {
                        dose_mg: dex_equivalent_mg,
                        bioavailability,
                    },
                })
                .collect()
        };
        match (self.product, self.daily_mg, self.efficacy) {
            (StandardProduct::Dexamethasone, Some(mg), _) => steroid(mg),
            (StandardProduct::Methylprednisolone, Some(mg), _) => {
                steroid(mg * METHYLPREDNISOLONE_TO_DEXAMETHASONE)
            }
            (StandardProduct::Remdesivir, _, Some(efficacy)) => vec![DoseEvent {
                time_days: patient.model_time(self.schedule.first_day),
                duration_days: f64::from(self.schedule.doses),
                input: DoseInput::Antiviral { efficacy },
            }],
            _ => Vec::new(),
        }
    }
}

/// A named bundle of standard products.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bundle {
    /// Name in protocols and on the command line.
    pub name: &'static str,
    /// Products, each with its default course.
    pub products: &'static [StandardProduct],
    /// Where the bundle comes from.
    pub source: &'static str,
}

/// Named bundles.
pub const BUNDLES: [Bundle; 2] = [
    Bundle {
        name: "standard_therapy_2020",
        products: &[StandardProduct::Dexamethasone, StandardProduct::Remdesivir],
        source: "hospital standard of care from mid-2020: dexamethasone 6 mg × 10 d (RECOVERY, June 2020) and \
                 remdesivir 5 d (FDA EUA May 2020, EMA conditional approval July 2020)",
    },
    Bundle {
        name: "case_report_2020",
        products: &[
            StandardProduct::LopinavirRitonavir,
            StandardProduct::InterferonAlpha,
            StandardProduct::Ribavirin,
            StandardProduct::Antibiotics,
            StandardProduct::Methylprednisolone,
            StandardProduct::Immunoglobulin,
        ],
        source: "Peng 2020 Stem Cell Res Ther 11:291 (Loudi): lopinavir/ritonavir, interferon-α, ribavirin, \
                 meropenem, methylprednisolone and immunoglobulin before plasma and MSCs",
    },
];

/// The bundle called `name`.
pub fn bundle(name: &str) -> Option<Bundle> {
    BUNDLES.into_iter().find(|b| b.name == name)
}
