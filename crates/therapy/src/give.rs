//! `--give PRODUCT@DAY[:key=value,...]`: one regimen component on the command line.
//!
//! `DAY` is days since symptom onset. Examples: `plasma@3:units=2,titer=1000,reduction=amotosalen`,
//! `msc@7:dose=1e6,infusions=3`, `dexamethasone@5`, `standard_therapy_2020@2`. Unknown products,
//! keys and choices are errors that suggest the nearest valid name.

use crate::abo::AboFrequencies;
use crate::bounds::SpecError;
use crate::msc::{MscDose, MscRegimen, MscSource, MscSpec};
use crate::plasma::{PlasmaRegimen, PlasmaSpec};
use crate::reduction::PathogenReduction;
use crate::regimen::{Regimen, RegimenItem};
use crate::standard::{
    BUNDLES, Route, StandardCourse, StandardCourseSpec, StandardProduct, bundle,
};
use thiserror::Error;

/// Smallest Jaro–Winkler similarity for a did-you-mean suggestion.
const SUGGESTION_MIN_SIMILARITY: f64 = 0.7;

/// Why a `--give` value was rejected.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum GiveError {
    /// Not of the form `PRODUCT@DAY[:key=value,...]`.
    #[error("`{input}` is not PRODUCT@DAY[:key=value,...]: {reason}")]
    Syntax {
        /// The text given.
        input: String,
        /// What is wrong.
        reason: String,
    },
    /// No such product or bundle.
    #[error("unknown product `{name}`{}", did_you_mean(suggestion))]
    UnknownProduct {
        /// The name given.
        name: String,
        /// Nearest known name.
        suggestion: Option<String>,
    },
    /// The product has no such key.
    #[error("`{product}` has no key `{key}`{}", did_you_mean(suggestion))]
    UnknownKey {
        /// Product.
        product: String,
        /// Key given.
        key: String,
        /// Nearest valid key.
        suggestion: Option<String>,
    },
    /// A value that does not parse or is not one of the choices.
    #[error("`{key}={value}`: expected {expected}{}", did_you_mean(suggestion))]
    BadValue {
        /// Key.
        key: String,
        /// Value given.
        value: String,
        /// What was expected.
        expected: String,
        /// Nearest valid choice, if the value is a name.
        suggestion: Option<String>,
    },
    /// Values that parse but are out of bounds or inconsistent.
    #[error(transparent)]
    Spec(#[from] SpecError),
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!("; did you mean `{s}`?"),
        None => String::new(),
    }
}

/// The candidate most similar to `given`, if similar enough.
fn suggest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(given, c), c))
        .filter(|(score, _)| *score >= SUGGESTION_MIN_SIMILARITY)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.to_string())
}

const PLASMA_KEYS: &[&str] = &[
    "units",
    "volume",
    "ml_per_kg",
    "titer",
    "threshold",
    "reduction",
    "doses",
    "interval",
    "conditional",
    "infusion_hours",
];
const MSC_KEYS: &[&str] = &[
    "dose",
    "flat",
    "infusions",
    "interval",
    "viability",
    "source",
];
const STEROID_KEYS: &[&str] = &["mg", "days", "route"];
const ANTIVIRAL_KEYS: &[&str] = &["days", "efficacy"];
const OTHER_KEYS: &[&str] = &["days"];

/// Every product and bundle name `--give` accepts.
pub fn product_names() -> Vec<&'static str> {
    let mut names = vec!["plasma", "msc"];
    names.extend(StandardProduct::ALL.iter().map(|p| p.name()));
    names.extend(BUNDLES.iter().map(|b| b.name));
    names
}

/// Parses one `--give` value into a regimen. Plasma donors' ABO groups follow
/// [`AboFrequencies::ITALY`].
pub fn parse(input: &str) -> Result<Regimen, GiveError> {
    let syntax = |reason: &str| GiveError::Syntax {
        input: input.to_string(),
        reason: reason.to_string(),
    };
    let (head, options) = match input.split_once(':') {
        Some((head, options)) => (head, Some(options)),
        None => (input, None),
    };
    let (product, day) = head
        .split_once('@')
        .ok_or_else(|| syntax("missing `@DAY`"))?;
    let product = product.trim();
    let day: f64 = day
        .trim()
        .parse()
        .map_err(|_| syntax("DAY must be a number of days since symptom onset"))?;
    let mut pairs = Vec::new();
    for pair in options
        .into_iter()
        .flat_map(|o| o.split(','))
        .filter(|p| !p.trim().is_empty())
    {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| syntax(&format!("option `{pair}` is not key=value")))?;
        pairs.push((key.trim(), value.trim()));
    }
    let items = match product {
        "plasma" => vec![RegimenItem::Plasma(Box::new(parse_plasma(day, &pairs)?))],
        "msc" => vec![RegimenItem::Msc(parse_msc(day, &pairs)?)],
        name => {
            if let Some(product) = StandardProduct::from_name(name) {
                vec![RegimenItem::Standard(parse_standard(product, day, &pairs)?)]
            } else if let Some(bundle) = bundle(name) {
                if let Some((key, _)) = pairs.first() {
                    return Err(GiveError::UnknownKey {
                        product: name.to_string(),
                        key: key.to_string(),
                        suggestion: None,
                    });
                }
                bundle
                    .products
                    .iter()
                    .map(|p| {
                        StandardCourse::new(StandardCourseSpec::default_for(*p, day))
                            .map(RegimenItem::Standard)
                    })
                    .collect::<Result<Vec<_>, _>>()?
            } else {
                return Err(GiveError::UnknownProduct {
                    name: name.to_string(),
                    suggestion: suggest(name, product_names()),
                });
            }
        }
    };
    Ok(Regimen {
        name: input.to_string(),
        items,
    })
}

fn unknown_key(product: &str, key: &str, keys: &[&str]) -> GiveError {
    GiveError::UnknownKey {
        product: product.to_string(),
        key: key.to_string(),
        suggestion: suggest(key, keys.iter().copied()),
    }
}

fn number(key: &str, value: &str) -> Result<f64, GiveError> {
    value.parse::<f64>().map_err(|_| GiveError::BadValue {
        key: key.to_string(),
        value: value.to_string(),
        expected: "a number".to_string(),
        suggestion: None,
    })
}

fn count(key: &str, value: &str) -> Result<u32, GiveError> {
    value.parse::<u32>().map_err(|_| GiveError::BadValue {
        key: key.to_string(),
        value: value.to_string(),
        expected: "a whole number".to_string(),
        suggestion: None,
    })
}

fn choice<T: Copy>(key: &str, value: &str, choices: &[(&str, T)]) -> Result<T, GiveError> {
    choices
        .iter()
        .find(|(name, _)| *name == value)
        .map(|(_, v)| *v)
        .ok_or_else(|| GiveError::BadValue {
            key: key.to_string(),
            value: value.to_string(),
            expected: format!(
                "one of {}",
                choices
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            suggestion: suggest(value, choices.iter().map(|(n, _)| *n)),
        })
}

fn parse_plasma(day: f64, pairs: &[(&str, &str)]) -> Result<PlasmaRegimen, GiveError> {
    let mut spec = PlasmaSpec {
        first_day: day,
        ..PlasmaSpec::default()
    };
    let reductions: Vec<(&str, PathogenReduction)> = PathogenReduction::ALL
        .iter()
        .map(|m| (m.name(), *m))
        .collect();
    for &(key, value) in pairs {
        match key {
            "units" => spec.units_per_dose = count(key, value)?,
            "volume" => spec.unit_volume_ml = number(key, value)?,
            "ml_per_kg" => spec.ml_per_kg = Some(number(key, value)?),
            "titer" => spec.titer_id50 = Some(number(key, value)?),
            "threshold" => spec.qualification.min_id50 = number(key, value)?,
            "reduction" => spec.pathogen_reduction = choice(key, value, &reductions)?,
            "doses" => spec.doses = count(key, value)?,
            "interval" => spec.interval_days = number(key, value)?,
            "conditional" => {
                spec.conditional_after_first =
                    choice(key, value, &[("true", true), ("false", false)])?
            }
            "infusion_hours" => spec.infusion_hours = number(key, value)?,
            _ => return Err(unknown_key("plasma", key, PLASMA_KEYS)),
        }
    }
    Ok(PlasmaRegimen::new(spec, AboFrequencies::ITALY)?)
}

fn parse_msc(day: f64, pairs: &[(&str, &str)]) -> Result<MscRegimen, GiveError> {
    let mut spec = MscSpec {
        first_day: day,
        ..MscSpec::default()
    };
    for &(key, value) in pairs {
        match key {
            "dose" => spec.dose = MscDose::CellsPerKg(number(key, value)?),
            "flat" => spec.dose = MscDose::FlatCells(number(key, value)?),
            "infusions" => spec.infusions = count(key, value)?,
            "interval" => spec.interval_days = number(key, value)?,
            "viability" => spec.viability = number(key, value)?,
            "source" => {
                spec.source = choice(
                    key,
                    value,
                    &[
                        ("bone_marrow", MscSource::BoneMarrow),
                        ("umbilical_cord", MscSource::UmbilicalCord),
                    ],
                )?
            }
            _ => return Err(unknown_key("msc", key, MSC_KEYS)),
        }
    }
    Ok(MscRegimen::new(spec)?)
}

fn parse_standard(
    product: StandardProduct,
    day: f64,
    pairs: &[(&str, &str)],
) -> Result<StandardCourse, GiveError> {
    let keys = match product {
        StandardProduct::Dexamethasone | StandardProduct::Methylprednisolone => STEROID_KEYS,
        StandardProduct::Remdesivir => ANTIVIRAL_KEYS,
        _ => OTHER_KEYS,
    };
    let mut spec = StandardCourseSpec::default_for(product, day);
    for &(key, value) in pairs {
        if !keys.contains(&key) {
            return Err(unknown_key(product.name(), key, keys));
        }
        match key {
            "days" => spec.days = Some(count(key, value)?),
            "mg" => spec.daily_mg = Some(number(key, value)?),
            "efficacy" => spec.efficacy = Some(number(key, value)?),
            "route" => {
                spec.route = Some(choice(
                    key,
                    value,
                    &[("oral", Route::Oral), ("iv", Route::Intravenous)],
                )?)
            }
            _ => return Err(unknown_key(product.name(), key, keys)),
        }
    }
    Ok(StandardCourse::new(spec)?)
}
