//! Adverse events: per product, literature rates, severity (CDISC AESEV) and seriousness
//! (AESER), sampled per patient from `streams::stream(seed, Purpose::AdverseEvents, patient)`.
//!
//! TRALI also injures the lung: its event carries the fraction of epithelium the trial should
//! add to the model's damaged compartment ([`AdverseEvent::lung_injury_fraction`]).

use crate::regimen::Administration;
use rand::RngExt;

/// CDISC AESEV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// MILD.
    Mild,
    /// MODERATE.
    Moderate,
    /// SEVERE.
    Severe,
}

impl Severity {
    /// The CDISC controlled term.
    pub fn aesev(self) -> &'static str {
        match self {
            Severity::Mild => "MILD",
            Severity::Moderate => "MODERATE",
            Severity::Severe => "SEVERE",
        }
    }
}

/// CDISC AESER.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Seriousness {
    /// Y: a serious adverse event.
    Serious,
    /// N.
    NotSerious,
}

impl Seriousness {
    /// The CDISC code, "Y" or "N".
    pub fn aeser(self) -> &'static str {
        match self {
            Seriousness::Serious => "Y",
            Seriousness::NotSerious => "N",
        }
    }
}

/// When an event counts as serious.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriousWhen {
    /// Always (reported as serious in the source, e.g. TACO and TRALI in the US expanded-access
    /// programme).
    Always,
    /// When its severity is SEVERE [A: the simulator ties seriousness to severity].
    Severe,
    /// Never.
    Never,
}

/// What one risk is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskBasis {
    /// Each administration record (a plasma unit, an MSC infusion).
    PerAdministration,
    /// Each course (drawn once, at the course's first administration).
    PerCourse,
}

/// One adverse-event risk of a product.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdverseEventRisk {
    /// Reported term (MedDRA preferred term where one fits).
    pub term: &'static str,
    /// Probability per basis unit. Bounds [0, 1].
    pub probability: f64,
    /// What the probability is counted against.
    pub basis: RiskBasis,
    /// P(MILD), P(MODERATE), P(SEVERE).
    pub severity_probabilities: [f64; 3],
    /// Seriousness rule.
    pub serious_when: SeriousWhen,
    /// Onset window after the administration starts, days [from, to].
    pub onset_days: [f64; 2],
    /// Fraction of alveolar epithelium injured (added to the model's damaged state), if any.
    pub lung_injury_fraction: f64,
    /// Source of the rate.
    pub source: &'static str,
}

/// TRALI lung injury, fraction of epithelium [A: chosen so a patient at P/F 300 falls to about
/// 190 (P/F × exp(−0.15/0.33), MODEL.md §8.5), i.e. TRALI's new hypoxaemia (P/F ≤ 300) needing
/// more oxygen; TRALI resolves in 48–96 h in most patients, as the model's repair does].
pub const TRALI_LUNG_INJURY_FRACTION: f64 = 0.15;

/// Six hours, days: the definitional window of TRALI and TACO.
const SIX_HOURS: f64 = 0.25;

const JOYNER: &str =
    "Joyner 2020 Mayo Clin Proc, 20,000 US expanded-access CP recipients, SAEs within 4 h";

/// Risks of a plasma unit.
pub const PLASMA_RISKS: &[AdverseEventRisk] = &[
    AdverseEventRisk {
        term: "Allergic transfusion reaction",
        probability: 0.01,
        basis: RiskBasis::PerAdministration,
        severity_probabilities: [0.70, 0.17, 0.13],
        serious_when: SeriousWhen::Severe,
        onset_days: [0.0, SIX_HOURS],
        lung_injury_fraction: 0.0,
        source: "[M] 1–3 % of plasma transfusions (mostly urticaria); severe share 0.13 = Joyner 2020 severe allergic 26/20,000",
    },
    AdverseEventRisk {
        term: "Febrile non-haemolytic transfusion reaction",
        probability: 0.002,
        basis: RiskBasis::PerAdministration,
        severity_probabilities: [0.80, 0.20, 0.0],
        serious_when: SeriousWhen::Never,
        onset_days: [0.0, SIX_HOURS],
        lung_injury_fraction: 0.0,
        source: "[M] haemovigilance: about 0.1–0.2 % of plasma units (far rarer than with platelets)",
    },
    AdverseEventRisk {
        term: "Transfusion-associated circulatory overload",
        probability: 37.0 / 20_000.0,
        basis: RiskBasis::PerAdministration,
        severity_probabilities: [0.0, 0.5, 0.5],
        serious_when: SeriousWhen::Always,
        onset_days: [0.0, SIX_HOURS],
        lung_injury_fraction: 0.0,
        source: JOYNER,
    },
    AdverseEventRisk {
        term: "Transfusion-related acute lung injury",
        probability: 20.0 / 20_000.0,
        basis: RiskBasis::PerAdministration,
        severity_probabilities: [0.0, 0.0, 1.0],
        serious_when: SeriousWhen::Always,
        onset_days: [0.0, SIX_HOURS],
        lung_injury_fraction: TRALI_LUNG_INJURY_FRACTION,
        source: JOYNER,
    },
];

/// Risks of an MSC infusion.
pub const MSC_RISKS: &[AdverseEventRisk] = &[
    AdverseEventRisk {
        term: "Infusion related reaction",
        probability: 0.05,
        basis: RiskBasis::PerAdministration,
        severity_probabilities: [0.80, 0.20, 0.0],
        serious_when: SeriousWhen::Never,
        onset_days: [0.0, 1.0],
        lung_injury_fraction: 0.0,
        source: "[A] Lalu 2012 PLoS One meta-analysis: transient fever with MSCs (OR 2.48), no acute infusional \
                 toxicity; Lanzoni 2021: no excess infusion AEs",
    },
    AdverseEventRisk {
        term: "Thromboembolism",
        probability: 0.01,
        basis: RiskBasis::PerAdministration,
        severity_probabilities: [0.0, 0.5, 0.5],
        serious_when: SeriousWhen::Always,
        onset_days: [0.0, 3.0],
        lung_injury_fraction: 0.0,
        source: "[A] MSCs express tissue factor (Moll 2019); rare thromboses in trials, Lanzoni gave heparin",
    },
];

/// Risks of a corticosteroid course (dexamethasone, methylprednisolone).
pub const CORTICOSTEROID_RISKS: &[AdverseEventRisk] = &[
    AdverseEventRisk {
        term: "Hyperglycaemia",
        probability: 0.25,
        basis: RiskBasis::PerCourse,
        severity_probabilities: [0.5, 0.4, 0.1],
        serious_when: SeriousWhen::Severe,
        onset_days: [1.0, 3.0],
        lung_injury_fraction: 0.0,
        source: "[M] 20–30 % of hospitalised COVID-19 patients on dexamethasone need insulin for hyperglycaemia",
    },
    AdverseEventRisk {
        term: "Secondary infection",
        probability: 0.08,
        basis: RiskBasis::PerCourse,
        severity_probabilities: [0.0, 0.4, 0.6],
        serious_when: SeriousWhen::Severe,
        onset_days: [5.0, 15.0],
        lung_injury_fraction: 0.0,
        source: "[M] COVID STEROID 2 (JAMA 2021): septic shock or invasive fungal infection in ≈ 10 % of both arms",
    },
];

/// Risks of a lopinavir/ritonavir course.
pub const LOPINAVIR_RISKS: &[AdverseEventRisk] = &[AdverseEventRisk {
    term: "Gastrointestinal disorder",
    probability: 0.14,
    basis: RiskBasis::PerCourse,
    severity_probabilities: [0.6, 0.35, 0.05],
    serious_when: SeriousWhen::Severe,
    onset_days: [1.0, 5.0],
    lung_injury_fraction: 0.0,
    source: "[M] Cao 2020 NEJM: GI adverse events more common with lopinavir/ritonavir; 13.8 % stopped early",
}];

/// The risks of the product called `product` (empty if none are modelled).
pub fn risks_for(product: &str) -> &'static [AdverseEventRisk] {
    match product {
        "plasma" => PLASMA_RISKS,
        "msc" => MSC_RISKS,
        "dexamethasone" | "methylprednisolone" => CORTICOSTEROID_RISKS,
        "lopinavir_ritonavir" => LOPINAVIR_RISKS,
        _ => &[],
    }
}

/// One adverse event as the trial reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct AdverseEvent {
    /// Product it is attributed to.
    pub product: &'static str,
    /// Reported term.
    pub term: &'static str,
    /// Onset, days since infection (model clock; the trial converts to study day).
    pub time_days: f64,
    /// AESEV.
    pub severity: Severity,
    /// AESER.
    pub seriousness: Seriousness,
    /// Fraction of epithelium injured (TRALI); 0 otherwise.
    pub lung_injury_fraction: f64,
}

/// Samples the adverse events of `administrations` (in their order) from `rng`, the patient's
/// `Purpose::AdverseEvents` stream. Each risk is a Bernoulli draw per administration (or per
/// course, at the course's first administration); an event then draws its severity and its
/// onset uniformly within the risk's window.
pub fn sample_adverse_events<R: rand::Rng + ?Sized>(
    administrations: &[Administration],
    rng: &mut R,
) -> Vec<AdverseEvent> {
    let mut events = Vec::new();
    for administration in administrations {
        for risk in risks_for(administration.product) {
            let applies = match risk.basis {
                RiskBasis::PerAdministration => true,
                RiskBasis::PerCourse => administration.course_start,
            };
            if !applies || rng.random::<f64>() >= risk.probability {
                continue;
            }
            let severity = draw_severity(risk.severity_probabilities, rng.random());
            let seriousness = match (risk.serious_when, severity) {
                (SeriousWhen::Always, _) | (SeriousWhen::Severe, Severity::Severe) => {
                    Seriousness::Serious
                }
                _ => Seriousness::NotSerious,
            };
            let [from, to] = risk.onset_days;
            events.push(AdverseEvent {
                product: administration.product,
                term: risk.term,
                time_days: administration.time_days + from + (to - from) * rng.random::<f64>(),
                severity,
                seriousness,
                lung_injury_fraction: risk.lung_injury_fraction,
            });
        }
    }
    events
}

fn draw_severity(p: [f64; 3], u: f64) -> Severity {
    if u < p[0] {
        Severity::Mild
    } else if u < p[0] + p[1] {
        Severity::Moderate
    } else {
        Severity::Severe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_risk_is_a_probability_with_severity_shares_summing_to_one() {
        for risks in [
            PLASMA_RISKS,
            MSC_RISKS,
            CORTICOSTEROID_RISKS,
            LOPINAVIR_RISKS,
        ] {
            for r in risks {
                assert!((0.0..=1.0).contains(&r.probability), "{}", r.term);
                assert!(
                    (r.severity_probabilities.iter().sum::<f64>() - 1.0).abs() < 1e-12,
                    "{}",
                    r.term
                );
                assert!(r.onset_days[0] <= r.onset_days[1], "{}", r.term);
            }
        }
    }
}
