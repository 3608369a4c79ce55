//! Protocol regimens → `therapy` regimens for one patient.
//!
//! A protocol schedules a regimen relative to randomization or to symptom onset; the therapy
//! crate counts days since symptom onset. The patient's randomization day (days since onset)
//! turns one into the other, so regimens are built per patient.
//!
//! Mapping choices (where the protocol and therapy vocabularies differ):
//! - hyperimmune plasma is a product of known titer: every unit carries the protocol's donor
//!   median ID50; convalescent plasma draws donors with the protocol's median and GSD and keeps
//!   units at or above the qualification threshold;
//! - plasma given with `interval_days = 0` is one administration of `units` units;
//! - ABO matching is the therapy crate's compatible matching whatever the protocol says;
//! - tocilizumab has no therapy model yet and is recorded as a no-effect regimen.
//!
//! Start delays: a regimen with a `start_delay` starts F⁻¹(u) days after its scheduled first
//! day (its whole schedule moves), where F is the delay distribution and u the patient's one
//! uniform draw from `stream(seed, FollowUp, 2·id)` ([`delay_uniform`]). The same u serves every
//! regimen of every arm, so counterfactual twins are delayed alike.

use population::Covariates;
use protocol::schema::{MscSource, PlasmaKind, Route, ScheduleReference, StartDelay};
use protocol::{Product, Protocol, Regimen as ProtocolRegimen};
use rand::RngExt;
use statrs::distribution::{ContinuousCDF, Gamma, Normal};
use streams::{Purpose, stream};
use therapy::msc::MscDose;
use therapy::regimen::RegimenItem;
use therapy::standard::{StandardCourseSpec, StandardProduct};
use therapy::{MscRegimen, MscSpec, PlasmaRegimen, PlasmaSpec, SpecError, StandardCourse};

/// Smallest spacing between plasma administrations the therapy crate accepts, days.
const MIN_PLASMA_INTERVAL_DAYS: f64 = 0.04;
/// Smallest spacing between MSC infusions the therapy crate accepts, days.
const MIN_MSC_INTERVAL_DAYS: f64 = 0.5;
/// Unit volume bounds of the therapy crate, mL.
const UNIT_VOLUME_ML: (f64, f64) = (50.0, 600.0);
/// Viability bounds of the therapy crate.
const MSC_VIABILITY: (f64, f64) = (0.5, 1.0);

/// The patient's uniform draw for start delays: `stream(seed, FollowUp, 2·id)`, in [0, 1).
pub fn delay_uniform(seed: u64, patient_id: u64) -> f64 {
    stream(seed, Purpose::FollowUp, 2 * patient_id).random()
}

/// The delay F⁻¹(u) in days for a uniform `u` in [0, 1): uniform by linear interpolation,
/// gamma by statrs' inverse CDF, log-normal as median · exp(sdlog · Φ⁻¹(u)).
pub fn start_delay_days(delay: &StartDelay, u: f64) -> f64 {
    let u = u.clamp(0.0, 1.0);
    match *delay {
        StartDelay::Uniform { min_days, max_days } => min_days + u * (max_days - min_days),
        StartDelay::Gamma { shape, scale_days } => Gamma::new(shape, 1.0 / scale_days)
            .map_or(0.0, |g| g.inverse_cdf(u))
            .max(0.0),
        StartDelay::Lognormal { median_days, sdlog } => {
            if u <= 0.0 {
                return 0.0;
            }
            let z = Normal::standard().inverse_cdf(u);
            median_days * (sdlog * z).exp()
        }
    }
}

/// The therapy regimen of arm `arm` for a patient randomized `randomization_day` days after
/// symptom onset, with no start delay.
pub fn arm_regimen(
    protocol: &Protocol,
    arm: usize,
    covariates: &Covariates,
    randomization_day: f64,
) -> Result<therapy::Regimen, SpecError> {
    arm_regimen_delayed(protocol, arm, covariates, randomization_day, 0.0)
}

/// As [`arm_regimen`], each regimen with a `start_delay` moved F⁻¹(`delay_u`) days later.
pub fn arm_regimen_delayed(
    protocol: &Protocol,
    arm: usize,
    covariates: &Covariates,
    randomization_day: f64,
    delay_u: f64,
) -> Result<therapy::Regimen, SpecError> {
    let arm = &protocol.arms[arm];
    let mut items = Vec::new();
    for regimen in protocol.arm_regimens(arm) {
        let delay = regimen
            .start_delay
            .as_ref()
            .map_or(0.0, |d| start_delay_days(d, delay_u));
        items.extend(items_at(
            regimen,
            covariates.weight_kg,
            randomization_day,
            delay,
        )?);
    }
    Ok(therapy::Regimen {
        name: arm.label.clone(),
        items,
    })
}

fn standard(
    product: StandardProduct,
    first_day: f64,
    days: Option<u32>,
    daily_mg: Option<f64>,
    route: Option<therapy::standard::Route>,
) -> Result<RegimenItem, SpecError> {
    StandardCourse::new(StandardCourseSpec {
        product,
        first_day,
        days,
        daily_mg,
        route,
        efficacy: None,
    })
    .map(RegimenItem::Standard)
}

/// The therapy crate's method for the protocol's spelling (an exhaustive match: a new method
/// in either crate is a compile error here, never a silent fallback to "none").
fn pathogen_reduction(r: protocol::schema::PathogenReduction) -> therapy::PathogenReduction {
    use protocol::schema::PathogenReduction as P;
    match r {
        P::None => therapy::PathogenReduction::None,
        P::MethyleneBlue => therapy::PathogenReduction::MethyleneBlue,
        P::AmotosalenUva => therapy::PathogenReduction::Amotosalen,
        P::RiboflavinUv => therapy::PathogenReduction::Riboflavin,
        P::SolventDetergent => therapy::PathogenReduction::SolventDetergent,
    }
}

fn route(r: Route) -> therapy::standard::Route {
    match r {
        Route::Oral => therapy::standard::Route::Oral,
        // Nebulised and subcutaneous routes have no steroid model: treated as intravenous.
        Route::Intravenous | Route::Subcutaneous | Route::Nebulized => {
            therapy::standard::Route::Intravenous
        }
    }
}

/// The therapy items of one protocol regimen, for a patient of `weight_kg` randomized
/// `randomization_day` days after symptom onset.
pub fn items_of(
    regimen: &ProtocolRegimen,
    weight_kg: f64,
    randomization_day: f64,
) -> Result<Vec<RegimenItem>, SpecError> {
    items_at(regimen, weight_kg, randomization_day, 0.0)
}

/// As [`items_of`], with the schedule moved `delay_days` later.
fn items_at(
    regimen: &ProtocolRegimen,
    weight_kg: f64,
    randomization_day: f64,
    delay_days: f64,
) -> Result<Vec<RegimenItem>, SpecError> {
    let first_day = f64::from(regimen.start_day)
        + delay_days
        + match regimen.relative_to {
            ScheduleReference::Randomization => randomization_day,
            ScheduleReference::SymptomOnset => 0.0,
        };
    let one = |item: Result<RegimenItem, SpecError>| item.map(|i| vec![i]);
    match &regimen.product {
        Product::Bundle(name) => {
            let name = protocol::schema::spelling(name);
            let products = therapy::standard::bundle(&name).map_or(&[][..], |b| b.products);
            products
                .iter()
                .map(|&p| standard(p, first_day, None, None, None))
                .collect()
        }
        Product::Dexamethasone(d) => one(standard(
            StandardProduct::Dexamethasone,
            first_day,
            Some(d.days),
            Some(d.mg_per_day),
            Some(route(d.route)),
        )),
        Product::Methylprednisolone(m) => {
            let mg = m.mg_per_day.or(m.mg_per_kg_per_day.map(|k| k * weight_kg));
            one(standard(
                StandardProduct::Methylprednisolone,
                first_day,
                Some(m.days),
                mg,
                None,
            ))
        }
        Product::Remdesivir(r) => one(standard(
            StandardProduct::Remdesivir,
            first_day,
            Some(r.days),
            None,
            None,
        )),
        Product::LopinavirRitonavir(x) => one(standard(
            StandardProduct::LopinavirRitonavir,
            first_day,
            Some(x.days),
            None,
            None,
        )),
        Product::InterferonAlpha(x) => one(standard(
            StandardProduct::InterferonAlpha,
            first_day,
            Some(x.days),
            None,
            None,
        )),
        Product::Ribavirin(x) => one(standard(
            StandardProduct::Ribavirin,
            first_day,
            Some(x.days),
            None,
            None,
        )),
        Product::Immunoglobulin(x) => one(standard(
            StandardProduct::Immunoglobulin,
            first_day,
            Some(x.days),
            None,
            None,
        )),
        Product::Antibiotics(x) => one(standard(
            StandardProduct::Antibiotics,
            first_day,
            Some(x.days),
            None,
            None,
        )),
        Product::Tocilizumab(_) => Ok(Vec::new()),
        Product::Plasma(p) => {
            let unit_volume_ml = p
                .unit_volume_ml
                .or(p.unit_volume_ml_per_kg.map(|k| k * weight_kg))
                .unwrap_or(PlasmaSpec::default().unit_volume_ml)
                .clamp(UNIT_VOLUME_ML.0, UNIT_VOLUME_ML.1);
            let mut spec = PlasmaSpec {
                first_day,
                unit_volume_ml,
                ..PlasmaSpec::default()
            };
            if p.interval_days == 0 {
                spec.doses = 1;
                spec.units_per_dose = p.units;
            } else {
                spec.doses = p.units;
                spec.units_per_dose = 1;
                spec.interval_days = f64::from(p.interval_days).max(MIN_PLASMA_INTERVAL_DAYS);
            }
            match p.kind {
                PlasmaKind::Hyperimmune => spec.titer_id50 = Some(p.donor_titer.median_id50),
                PlasmaKind::Convalescent => {
                    spec.donors.median_id50_mild = p.donor_titer.median_id50;
                    spec.donors.gsd = p.donor_titer.gsd;
                    if p.qualification_min_id50 > 0.0 {
                        spec.qualification.min_id50 = p.qualification_min_id50;
                    }
                }
            }
            spec.pathogen_reduction = pathogen_reduction(p.pathogen_reduction);
            let regimen = PlasmaRegimen::new(spec, therapy::abo::AboFrequencies::ITALY)?;
            Ok(vec![RegimenItem::Plasma(Box::new(regimen))])
        }
        Product::Msc(m) => {
            let dose = match (m.cells_per_kg, m.cells) {
                (Some(per_kg), _) => MscDose::CellsPerKg(per_kg),
                (None, Some(cells)) => MscDose::FlatCells(cells),
                (None, None) => MscSpec::default().dose,
            };
            let spec = MscSpec {
                source: match m.source {
                    MscSource::BoneMarrow => therapy::msc::MscSource::BoneMarrow,
                    MscSource::UmbilicalCord => therapy::msc::MscSource::UmbilicalCord,
                },
                dose,
                first_day,
                infusions: m.infusions,
                interval_days: f64::from(m.spacing_days).max(MIN_MSC_INTERVAL_DAYS),
                viability: m.viability.clamp(MSC_VIABILITY.0, MSC_VIABILITY.1),
            };
            Ok(vec![RegimenItem::Msc(MscRegimen::new(spec)?)])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_protocol_pathogen_reduction_keeps_its_method() {
        use protocol::schema::PathogenReduction as P;
        let pairs = [
            (P::None, "none"),
            (P::MethyleneBlue, "methylene_blue"),
            (P::AmotosalenUva, "amotosalen"),
            (P::RiboflavinUv, "riboflavin"),
            (P::SolventDetergent, "solvent_detergent"),
        ];
        for (protocol_method, therapy_name) in pairs {
            assert_eq!(pathogen_reduction(protocol_method).name(), therapy_name);
        }
    }

    /// Kolmogorov–Smirnov distance between the delays of `n` patients and the closed-form
    /// CDF `cdf`.
    fn ks_distance(delay: &StartDelay, n: u64, cdf: impl Fn(f64) -> f64) -> f64 {
        let mut x: Vec<f64> = (0..n)
            .map(|id| start_delay_days(delay, delay_uniform(17, id)))
            .collect();
        x.sort_by(f64::total_cmp);
        let nf = n as f64;
        x.iter()
            .enumerate()
            .map(|(i, &xi)| {
                let f = cdf(xi);
                ((i + 1) as f64 / nf - f).max(f - i as f64 / nf)
            })
            .fold(0.0, f64::max)
    }

    /// The 0.001 critical value of the one-sample KS statistic, asymptotically
    /// 1.949 / sqrt(n) (Kolmogorov distribution: P(K > 1.949) = 0.001).
    fn ks_bound(n: u64) -> f64 {
        1.949 / (n as f64).sqrt()
    }

    #[test]
    fn start_delays_follow_their_distributions() {
        let n = 4000;
        let uniform = StartDelay::Uniform {
            min_days: 0.5,
            max_days: 2.5,
        };
        let d = ks_distance(&uniform, n, |x| ((x - 0.5) / 2.0).clamp(0.0, 1.0));
        assert!(d < ks_bound(n), "uniform: D = {d}");
        // Gamma with integer shape 3 (Erlang): F(x) = 1 − e^(−y)(1 + y + y²/2), y = x/θ.
        let gamma = StartDelay::Gamma {
            shape: 3.0,
            scale_days: 0.4,
        };
        let d = ks_distance(&gamma, n, |x| {
            let y = x / 0.4;
            1.0 - (-y).exp() * (1.0 + y + y * y / 2.0)
        });
        assert!(d < ks_bound(n), "gamma: D = {d}");
        // Log-normal: F(x) = ½ erfc(−(ln x − ln m) / (σ√2)).
        let lognormal = StartDelay::Lognormal {
            median_days: 1.5,
            sdlog: 0.6,
        };
        let d = ks_distance(&lognormal, n, |x| {
            0.5 * statrs::function::erf::erfc(-(x.ln() - 1.5f64.ln()) / (0.6 * 2f64.sqrt()))
        });
        assert!(d < ks_bound(n), "lognormal: D = {d}");
        // A wrong distribution is caught: the same draws against a uniform on [0, 2].
        let d = ks_distance(&uniform, n, |x| (x / 2.0).clamp(0.0, 1.0));
        assert!(d > ks_bound(n), "shifted uniform not caught: D = {d}");
    }

    #[test]
    fn quantiles_at_known_points() {
        // Median of a log-normal is its median parameter; the 0.5 quantile of Erlang(1, θ) is
        // θ ln 2.
        let lognormal = StartDelay::Lognormal {
            median_days: 2.0,
            sdlog: 0.8,
        };
        assert!((start_delay_days(&lognormal, 0.5) - 2.0).abs() < 1e-9);
        let exponential = StartDelay::Gamma {
            shape: 1.0,
            scale_days: 3.0,
        };
        assert!((start_delay_days(&exponential, 0.5) - 3.0 * 2f64.ln()).abs() < 1e-6);
    }
}
