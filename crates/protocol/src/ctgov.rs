//! Import of a ClinicalTrials.gov API v2 study record into a protocol file.
//!
//! The record's registry fields are copied across; eligibility text is kept verbatim; age and
//! sex become computable criteria; arms come from `armGroups` (or, when a record has none, from
//! its interventions); interventions become regimens when the name makes the product clear.
//! What a record cannot say (doses, clinical criteria, allocation ratio, endpoint time points,
//! the simulated population) gets the documented default in [`defaults`] and a
//! `# ASSUMPTION` comment, so the output validates as written and shows what to review.
//!
//! The JSON types are lenient (FORMATS.md §1.7): every field optional, unknown fields ignored,
//! enum codes read as strings and mapped with `from_code`, so new registry codes never break an
//! import.

use std::fmt::Write as _;

use serde::Deserialize;

use crate::registry::{
    Allocation, ArmGroupType, ContactRole, EnrollmentType, InterventionModel, Masking, Phase,
    PrimaryPurpose, Sex, Status, StudyType, WhoMasked,
};
use crate::validate::age_in_years;

/// Defaults for what a registry record does not say. Each is written into the imported file
/// next to a `# ASSUMPTION` comment quoting its source.
pub mod defaults {
    /// Plasma units per patient. Source: Perotti et al., Haematologica 2020 (NCT04321421), 1–3 units.
    pub const PLASMA_UNITS: u32 = 2;
    /// Plasma unit volume, mL. Source: NCT04321421 registry, 250–300 mL per administration.
    pub const PLASMA_UNIT_VOLUME_ML: f64 = 300.0;
    /// Days between plasma units. Source: NCT04321421 registry, day 1 then days 3 and 5.
    pub const PLASMA_INTERVAL_DAYS: u32 = 2;
    /// Hyperimmune qualification threshold, ID50. Source: Perotti et al. 2020, titer ≥ 1:160.
    pub const HYPERIMMUNE_MIN_ID50: f64 = 160.0;
    /// Median donor titer, ID50 (log-normal). Assumption, not yet calibrated.
    pub const DONOR_MEDIAN_ID50: f64 = 320.0;
    /// Geometric SD of donor titers. Assumption, not yet calibrated.
    pub const DONOR_GSD: f64 = 2.5;
    /// MSC dose per infusion, cells/kg. Source: TRIALS.md §6.10, the usual dose in comparable trials.
    pub const MSC_CELLS_PER_KG: f64 = 1e6;
    /// Endpoint horizon when the time frame cannot be read, days (the usual 28-day horizon).
    pub const ENDPOINT_DAY: u32 = 28;
    /// Simulated patients when the record has no enrollment count.
    pub const PATIENTS: u32 = 100;
    /// Virtual population sampled (defined by the population crate).
    pub const POPULATION: &str = "hospitalized_severe";
}

/// Why a record could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Not JSON, or not shaped like a v2 study.
    #[error("not a ClinicalTrials.gov API v2 study record: {0}")]
    Json(#[from] serde_json::Error),
    /// JSON, but without `protocolSection`.
    #[error("not a ClinicalTrials.gov API v2 study record: no `protocolSection`")]
    NoProtocolSection,
}

/// A v2 `Study` (only `protocolSection` is read).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StudyRecord {
    /// The registered protocol.
    pub protocol_section: Option<ProtocolSection>,
}

/// `protocolSection`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct ProtocolSection {
    pub identification_module: Identification,
    pub status_module: StatusModule,
    pub sponsor_collaborators_module: Sponsors,
    pub description_module: Description,
    pub conditions_module: Conditions,
    pub design_module: Design,
    pub arms_interventions_module: ArmsInterventions,
    pub outcomes_module: Outcomes,
    pub eligibility_module: EligibilityModule,
    pub contacts_locations_module: ContactsLocations,
}

/// `identificationModule`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct Identification {
    pub nct_id: Option<String>,
    pub brief_title: Option<String>,
    pub official_title: Option<String>,
    pub acronym: Option<String>,
}

/// A `{date, type}` struct.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[allow(missing_docs)]
pub struct DateStruct {
    pub date: Option<String>,
}

/// `statusModule`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct StatusModule {
    pub overall_status: Option<String>,
    pub start_date_struct: DateStruct,
    pub primary_completion_date_struct: DateStruct,
    pub completion_date_struct: DateStruct,
}

/// `{name, class}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[allow(missing_docs)]
pub struct Agency {
    pub name: Option<String>,
}

/// `sponsorCollaboratorsModule`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct Sponsors {
    pub lead_sponsor: Agency,
    pub collaborators: Vec<Agency>,
}

/// `descriptionModule`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct Description {
    pub brief_summary: Option<String>,
}

/// `conditionsModule`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[allow(missing_docs)]
pub struct Conditions {
    pub conditions: Vec<String>,
    pub keywords: Vec<String>,
}

/// `designModule`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct Design {
    pub study_type: Option<String>,
    pub phases: Vec<String>,
    pub design_info: DesignInfo,
    pub enrollment_info: EnrollmentInfo,
}

/// `designInfo`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct DesignInfo {
    pub allocation: Option<String>,
    pub intervention_model: Option<String>,
    pub primary_purpose: Option<String>,
    pub masking_info: MaskingInfo,
}

/// `maskingInfo`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct MaskingInfo {
    pub masking: Option<String>,
    pub who_masked: Vec<String>,
}

/// `enrollmentInfo`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[allow(missing_docs)]
pub struct EnrollmentInfo {
    pub count: Option<u32>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// `armsInterventionsModule`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct ArmsInterventions {
    pub arm_groups: Vec<ArmGroup>,
    pub interventions: Vec<Intervention>,
}

/// `armGroups[]`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct ArmGroup {
    pub label: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub description: Option<String>,
    pub intervention_names: Vec<String>,
}

/// `interventions[]`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct Intervention {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub other_names: Vec<String>,
}

/// `outcomesModule`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct Outcomes {
    pub primary_outcomes: Vec<OutcomeRecord>,
    pub secondary_outcomes: Vec<OutcomeRecord>,
    pub other_outcomes: Vec<OutcomeRecord>,
}

/// One registered outcome.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct OutcomeRecord {
    pub measure: Option<String>,
    pub description: Option<String>,
    pub time_frame: Option<String>,
}

/// `eligibilityModule`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct EligibilityModule {
    pub eligibility_criteria: Option<String>,
    pub healthy_volunteers: Option<bool>,
    pub sex: Option<String>,
    pub minimum_age: Option<String>,
    pub maximum_age: Option<String>,
}

/// `contactsLocationsModule`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[allow(missing_docs)]
pub struct ContactsLocations {
    pub central_contacts: Vec<ContactRecord>,
    pub overall_officials: Vec<ContactRecord>,
    pub locations: Vec<Location>,
}

/// A contact or official.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[allow(missing_docs)]
pub struct ContactRecord {
    pub name: Option<String>,
    pub role: Option<String>,
    pub affiliation: Option<String>,
}

/// `locations[]`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
#[allow(missing_docs)]
pub struct Location {
    pub facility: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
}

/// Import a v2 study record given as JSON text; returns the protocol file's text.
pub fn import_json(json: &str) -> Result<String, ImportError> {
    let record: StudyRecord = serde_json::from_str(json)?;
    let section = record
        .protocol_section
        .ok_or(ImportError::NoProtocolSection)?;
    Ok(import(&section))
}

/// A TOML string literal (escaped as TOML requires).
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn q_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| q(s)).collect();
    format!("[{}]", quoted.join(", "))
}

/// Lower-case identifier made of `[a-z0-9_]`.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() {
        "item".to_string()
    } else {
        out
    }
}

/// `"Biological: Hyperimmune plasma"` → `"Hyperimmune plasma"` (FORMATS.md §1.3).
fn bare_intervention_name(s: &str) -> &str {
    match s.split_once(": ") {
        Some((prefix, rest))
            if prefix
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == ' ' || c == '/') =>
        {
            rest
        }
        _ => s,
    }
}

/// Which product (and its default settings, as TOML lines) an intervention name points to.
struct ProductGuess {
    /// TOML body of `[regimen.<key>]`, comments included.
    table: String,
    key: &'static str,
    /// A standard-of-care bundle: given in every arm when arms are built from interventions.
    background: bool,
}

fn guess_product(
    name: &str,
    other_names: &[String],
    description: Option<&str>,
) -> Option<ProductGuess> {
    let mut text = name.to_lowercase();
    for o in other_names {
        text.push(' ');
        text.push_str(&o.to_lowercase());
    }
    let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
    let desc = description.unwrap_or("").to_lowercase();
    let guess = |key: &'static str, table: String| {
        Some(ProductGuess {
            table,
            key,
            background: false,
        })
    };
    // Not the products modelled, though their names look alike: placebos, plasma exchange,
    // cell-free MSC products (exosomes, secretome).
    if has(&[
        "placebo",
        "saline",
        "vehicle",
        "exchange",
        "plasmapheresis",
        "exosome",
        "secretome",
        "conditioned medium",
    ]) {
        return None;
    }
    if has(&["plasma"]) {
        let hyper = has(&["hyperimmune", "hyper-immune", "high titer", "high-titer"]);
        let mut t = String::new();
        let _ = writeln!(
            t,
            "kind = {}",
            q(if hyper { "hyperimmune" } else { "convalescent" })
        );
        let _ = writeln!(
            t,
            "units = {}                                   # ASSUMPTION: Perotti et al. 2020 (NCT04321421), 1-3 units",
            defaults::PLASMA_UNITS
        );
        let _ = writeln!(
            t,
            "unit_volume_ml = {}                        # ASSUMPTION: NCT04321421 registry, 250-300 mL per administration",
            defaults::PLASMA_UNIT_VOLUME_ML
        );
        let _ = writeln!(
            t,
            "interval_days = {}                           # ASSUMPTION: NCT04321421 registry, day 1 then days 3 and 5",
            defaults::PLASMA_INTERVAL_DAYS
        );
        let _ = writeln!(
            t,
            "donor_titer = {{ median_id50 = {}, gsd = {} }}  # ASSUMPTION: not calibrated",
            defaults::DONOR_MEDIAN_ID50,
            defaults::DONOR_GSD
        );
        if hyper {
            let _ = writeln!(
                t,
                "qualification_min_id50 = {}                # ASSUMPTION: Perotti et al. 2020, titer >= 1:160",
                defaults::HYPERIMMUNE_MIN_ID50
            );
        }
        let _ = writeln!(
            t,
            "pathogen_reduction = \"none\"                  # ASSUMPTION: the record does not say"
        );
        return guess("plasma", t);
    }
    if has(&["mesenchymal", "msc", "stromal", "stem cell"]) {
        let cord = has(&["umbilical", "cord", "wharton"]) || desc.contains("umbilical");
        let source_note = if cord {
            "from the intervention name"
        } else {
            "ASSUMPTION: bone marrow unless the record says otherwise"
        };
        let mut t = String::new();
        let _ = writeln!(
            t,
            "source = {}                      # {source_note}",
            q(if cord {
                "umbilical_cord"
            } else {
                "bone_marrow"
            })
        );
        let _ = writeln!(
            t,
            "cells_per_kg = {:e}                          # ASSUMPTION: TRIALS.md 6.10, the usual dose in comparable trials",
            defaults::MSC_CELLS_PER_KG
        );
        let _ = writeln!(
            t,
            "infusions = 1                                 # ASSUMPTION: the record does not say"
        );
        return guess("msc", t);
    }
    if has(&["dexamethasone"]) {
        return guess("dexamethasone", "mg_per_day = 6.0                              # ASSUMPTION: RECOVERY (NEJM 2021), 6 mg once daily\ndays = 10\nroute = \"oral\"\n".into());
    }
    if has(&["remdesivir"]) {
        return guess("remdesivir", "loading_mg = 200.0                            # ASSUMPTION: ACTT-1 (NEJM 2020) label dosing\nmaintenance_mg = 100.0\ndays = 10\n".into());
    }
    if has(&["lopinavir", "kaletra"]) {
        return guess("lopinavir_ritonavir", "lopinavir_mg = 400.0                          # ASSUMPTION: Cao et al. (NEJM 2020), 400/100 mg twice daily for 14 days\nritonavir_mg = 100.0\ndoses_per_day = 2\ndays = 14\n".into());
    }
    if has(&["interferon"]) {
        return guess("interferon_alpha", "million_units = 5.0                           # ASSUMPTION: China NHC guideline (2020), 5 MIU nebulized twice daily\ndoses_per_day = 2\nroute = \"nebulized\"\ndays = 10\n".into());
    }
    if has(&["ribavirin"]) {
        return guess("ribavirin", "mg_per_dose = 400.0                           # ASSUMPTION: Hung et al. (Lancet 2020), 400 mg twice daily for 14 days\ndoses_per_day = 2\nroute = \"oral\"\ndays = 14\n".into());
    }
    if has(&["methylprednisolone"]) {
        return guess("methylprednisolone", "mg_per_kg_per_day = 1.0                       # ASSUMPTION: 1 mg/kg/day for 5 days, common 2020 practice\ndays = 5\n".into());
    }
    if has(&["tocilizumab"]) {
        return guess("tocilizumab", "mg_per_kg = 8.0                               # ASSUMPTION: RECOVERY tocilizumab arm, 8 mg/kg (max 800 mg)\nmax_mg = 800.0\ndoses = 1\n".into());
    }
    if has(&["immunoglobulin", "ivig"]) {
        return guess("immunoglobulin", "g_per_kg_per_day = 0.4                        # ASSUMPTION: 0.4 g/kg/day for 5 days, usual IVIG dosing\ndays = 5\n".into());
    }
    if has(&[
        "antibiotic",
        "meropenem",
        "azithromycin",
        "ceftriaxone",
        "piperacillin",
        "moxifloxacin",
    ]) {
        return guess(
            "antibiotics",
            format!(
                "agent = {}\ndays = 7                                      # ASSUMPTION: one week\n",
                q(name)
            ),
        );
    }
    if has(&[
        "standard",
        "usual care",
        "best supportive",
        "conventional",
        "supportive",
    ]) {
        return Some(ProductGuess {
            table: "name = \"standard_therapy_2020\"              # hospital standard therapy, spring 2020\n".into(),
            key: "bundle",
            background: true,
        });
    }
    None
}

struct RegimenOut {
    name: String,
    /// The intervention's bare name, for joining with arm groups.
    source: String,
    guess: ProductGuess,
}

struct ArmOut {
    label: String,
    kind: ArmGroupType,
    regimens: Vec<String>,
    description: Option<String>,
    note: Option<String>,
}

struct EndpointOut {
    name: String,
    kind: &'static str,
    measure: &'static str,
    day: u32,
    primary: bool,
    description: String,
    day_assumed: bool,
}

/// Map an outcome's measure text onto a simulator measure and a statistical kind.
fn guess_measure(measure: &str) -> Option<(&'static str, &'static str)> {
    let m = measure.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| m.contains(w));
    let timed = has(&["time to", "survival", "duration"]);
    let event = |name| Some((name, if timed { "time_to_event" } else { "binary" }));
    // Free-days outcomes first: their text often says how deaths count ("0 if died").
    if has(&[
        "ventilator-free",
        "ventilator free",
        "ventilation-free",
        "ventilation free",
    ]) {
        return Some(("ventilator_free_days", "continuous"));
    }
    if has(&[
        "organ support-free",
        "organ support free",
        "organ-support-free",
    ]) {
        return Some(("organ_support_free_days", "ordinal"));
    }
    if has(&["mortality", "death", "survival", "died"]) {
        return event("death");
    }
    if has(&["extubation"]) {
        return event("extubation");
    }
    if has(&["discharge"]) {
        return event("discharge");
    }
    if has(&["transfusion"]) {
        return event("transfusion_reaction");
    }
    if has(&["adverse", "safety", "toxicity"]) {
        return event("adverse_event");
    }
    if has(&["improvement"]) {
        return event("clinical_improvement");
    }
    if has(&["clearance", "negativ"]) {
        return event("viral_clearance");
    }
    if has(&["viral load"]) {
        return Some(("viral_load", "continuous"));
    }
    if has(&["who", "ordinal", "clinical status"]) {
        return Some(("who_score", "ordinal"));
    }
    if has(&["lymphocyte"]) {
        return Some(("lymphocyte_count", "continuous"));
    }
    if has(&["il-6", "il6", "interleukin"]) {
        return Some(("il6", "continuous"));
    }
    if has(&["pao2", "p/f", "oxygenation"]) {
        return Some(("pf_ratio", "continuous"));
    }
    if has(&["titer", "titre", "antibod", "immune response"]) {
        return Some(("neutralizing_titer", "continuous"));
    }
    None
}

/// The last day a time frame mentions ("28 days", "Day 1, Day 3 and Day 7", "4 weeks").
pub fn time_frame_days(frame: &str) -> Option<u32> {
    let lower = frame.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let unit_days = |w: &str| match w {
        "day" | "days" => Some(1),
        "week" | "weeks" => Some(7),
        "month" | "months" => Some(30),
        _ => None,
    };
    let mut best: Option<u32> = None;
    let mut last_unit: Option<u32> = None;
    for (i, w) in words.iter().enumerate() {
        if let Some(u) = unit_days(w) {
            last_unit = Some(u);
        }
        let Ok(n) = w.parse::<u32>() else { continue };
        // "28 days" (unit after) or "day 7" / "days 1, 3 and 7" (unit before)
        let after = words.get(i + 1).and_then(|w| unit_days(w));
        let Some(unit) = after.or(last_unit) else {
            continue;
        };
        let days = n.saturating_mul(unit);
        best = Some(best.map_or(days, |b| b.max(days)));
    }
    best
}

fn import(s: &ProtocolSection) -> String {
    let id_mod = &s.identification_module;
    let design = &s.design_module;
    let info = &design.design_info;
    let elig = &s.eligibility_module;
    let id = id_mod
        .nct_id
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| "UNREGISTERED".into());
    let mut w = String::new();
    let mut notes: Vec<String> = Vec::new();

    // ---- regimens from interventions
    let mut regimens: Vec<RegimenOut> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    for iv in &s.arms_interventions_module.interventions {
        let Some(name) = iv.name.as_deref() else {
            continue;
        };
        match guess_product(name, &iv.other_names, iv.description.as_deref()) {
            Some(guess) => {
                let mut rname = slug(name);
                while regimens.iter().any(|r| r.name == rname) {
                    rname.push_str("_2");
                }
                regimens.push(RegimenOut {
                    name: rname,
                    source: name.to_string(),
                    guess,
                });
            }
            None => skipped.push(format!(
                "{name} ({})",
                iv.kind.as_deref().unwrap_or("type not given")
            )),
        }
    }

    // ---- arms
    let mut arms: Vec<ArmOut> = Vec::new();
    let regimen_for = |bare: &str| -> Option<String> {
        regimens
            .iter()
            .find(|r| r.source.eq_ignore_ascii_case(bare.trim()))
            .map(|r| r.name.clone())
    };
    for g in &s.arms_interventions_module.arm_groups {
        let label = g.label.clone().unwrap_or_default();
        let (kind, note) = match g.kind.as_deref().and_then(ArmGroupType::from_code) {
            Some(k) => (k, None),
            None => (
                ArmGroupType::Other,
                Some("ASSUMPTION: arm type not given or not a v2 code; OTHER".to_string()),
            ),
        };
        let mut names = Vec::new();
        for n in &g.intervention_names {
            if let Some(r) = regimen_for(bare_intervention_name(n))
                && !names.contains(&r)
            {
                names.push(r);
            }
        }
        arms.push(ArmOut {
            label,
            kind,
            regimens: names,
            description: g.description.clone(),
            note,
        });
    }
    let model_code = info
        .intervention_model
        .as_deref()
        .and_then(InterventionModel::from_code);
    if arms.is_empty() {
        let background: Vec<String> = regimens
            .iter()
            .filter(|r| r.guess.background)
            .map(|r| r.name.clone())
            .collect();
        let active: Vec<&RegimenOut> = regimens.iter().filter(|r| !r.guess.background).collect();
        let note = Some(
            "ASSUMPTION: the record has no armGroups; arm built from its interventions".to_string(),
        );
        if model_code == Some(InterventionModel::SingleGroup)
            || active.is_empty()
            || (active.len() == 1 && background.is_empty())
        {
            arms.push(ArmOut {
                label: "Intervention".into(),
                kind: ArmGroupType::Experimental,
                regimens: regimens.iter().map(|r| r.name.clone()).collect(),
                description: None,
                note,
            });
        } else {
            for r in &active {
                let mut names = background.clone();
                names.push(r.name.clone());
                let label = if background.is_empty() {
                    r.source.clone()
                } else {
                    format!("{} + standard therapy", r.source)
                };
                arms.push(ArmOut {
                    label,
                    kind: ArmGroupType::Experimental,
                    regimens: names,
                    description: None,
                    note: note.clone(),
                });
            }
            if !background.is_empty() {
                arms.push(ArmOut {
                    label: "Standard therapy".into(),
                    kind: ArmGroupType::ActiveComparator,
                    regimens: background.clone(),
                    description: None,
                    note: Some(
                        "ASSUMPTION: control arm receives the standard-therapy intervention only"
                            .into(),
                    ),
                });
            }
        }
    }
    // Labels are the arms' keys: non-empty and unique even where the record repeats one.
    for i in 0..arms.len() {
        if arms[i].label.trim().is_empty() {
            arms[i].label = format!("Arm {}", i + 1);
        }
        while arms[..i].iter().any(|a| a.label == arms[i].label) {
            arms[i].label.push_str(" (2)");
        }
    }
    // Design codes must agree with the arm count for the file to validate.
    let n_arms = arms.len();
    let mut model = model_code.unwrap_or(if n_arms == 1 {
        InterventionModel::SingleGroup
    } else {
        InterventionModel::Parallel
    });
    let mut model_note = model_code
        .is_none()
        .then(|| "ASSUMPTION: not in the record; derived from the arm count".to_string());
    if model == InterventionModel::SingleGroup && n_arms > 1 {
        model = InterventionModel::Parallel;
        model_note = Some(format!(
            "ASSUMPTION: record says SINGLE_GROUP but has {n_arms} arms"
        ));
    } else if model != InterventionModel::SingleGroup && n_arms == 1 {
        model_note = Some(format!(
            "ASSUMPTION: record says {model} but only one arm could be built"
        ));
        model = InterventionModel::SingleGroup;
    }
    let alloc_code = info.allocation.as_deref().and_then(Allocation::from_code);
    let mut allocation = alloc_code.unwrap_or(if n_arms > 1 {
        Allocation::Randomized
    } else {
        Allocation::Na
    });
    let mut alloc_note = alloc_code
        .is_none()
        .then(|| "ASSUMPTION: not in the record; derived from the arm count".to_string());
    if n_arms > 1 && allocation == Allocation::Na {
        allocation = Allocation::NonRandomized;
        alloc_note = Some(format!("ASSUMPTION: record says NA but has {n_arms} arms"));
    } else if n_arms == 1 && allocation == Allocation::Randomized {
        allocation = Allocation::Na;
        alloc_note =
            Some("ASSUMPTION: record says RANDOMIZED but only one arm could be built".into());
    }

    // ---- endpoints
    let mut endpoints: Vec<EndpointOut> = Vec::new();
    let lists = [
        (&s.outcomes_module.primary_outcomes, true),
        (&s.outcomes_module.secondary_outcomes, false),
    ];
    for (list, primary) in lists {
        for o in list.iter() {
            let Some(measure_text) = o.measure.as_deref() else {
                continue;
            };
            let Some((measure, kind)) = guess_measure(measure_text) else {
                continue;
            };
            let parsed = o
                .time_frame
                .as_deref()
                .and_then(time_frame_days)
                .filter(|d| (1..=365).contains(d));
            let day = parsed.unwrap_or(defaults::ENDPOINT_DAY);
            let is_primary = primary && !endpoints.iter().any(|e| e.primary);
            let mut name = format!("{}_d{day}", slug(measure_text));
            while endpoints.iter().any(|e| e.name == name) {
                name.push_str("_2");
            }
            endpoints.push(EndpointOut {
                name,
                kind,
                measure,
                day,
                primary: is_primary,
                description: measure_text.to_string(),
                day_assumed: parsed.is_none(),
            });
        }
    }
    let mut primary_note = None;
    if !endpoints.iter().any(|e| e.primary) {
        primary_note = Some(
            "ASSUMPTION: no registered primary outcome maps onto a simulated measure; all-cause death by day 28",
        );
        endpoints.insert(
            0,
            EndpointOut {
                name: "death_d28".into(),
                kind: "binary",
                measure: "death",
                day: defaults::ENDPOINT_DAY,
                primary: true,
                description: "All-cause mortality at day 28".into(),
                day_assumed: true,
            },
        );
    }
    let follow_up = endpoints
        .iter()
        .map(|e| e.day)
        .max()
        .unwrap_or(defaults::ENDPOINT_DAY)
        .max(defaults::ENDPOINT_DAY);

    // ---- write
    let _ = writeln!(
        w,
        "# Imported from ClinicalTrials.gov record {} by `immunotrial import-ctgov`.",
        plain(&id)
    );
    let _ = writeln!(
        w,
        "# Registry fields are copied from the record. Lines marked ASSUMPTION are defaults for what"
    );
    let _ = writeln!(
        w,
        "# the record cannot say: review each one before trusting results."
    );
    let _ = writeln!(w, "\n[study]");
    let _ = writeln!(w, "id = {}", q(&id));
    let non_empty = |s: &Option<String>| s.clone().filter(|t| !t.trim().is_empty());
    let brief = non_empty(&id_mod.brief_title)
        .or_else(|| non_empty(&id_mod.official_title))
        .unwrap_or_else(|| id.clone());
    let _ = writeln!(w, "brief_title = {}", q(&brief));
    if let Some(t) = &id_mod.official_title {
        let _ = writeln!(w, "official_title = {}", q(t));
    }
    if let Some(a) = &id_mod.acronym {
        let _ = writeln!(w, "acronym = {}", q(a));
    }
    code_line(
        &mut w,
        "status",
        s.status_module.overall_status.as_deref(),
        Status::from_code,
    );
    code_line(
        &mut w,
        "study_type",
        design.study_type.as_deref(),
        StudyType::from_code,
    );
    let phases: Vec<String> = design
        .phases
        .iter()
        .filter(|p| Phase::from_code(p).is_some())
        .cloned()
        .collect();
    if !phases.is_empty() {
        let _ = writeln!(w, "phases = {}", q_list(&phases));
    }
    if !s.conditions_module.conditions.is_empty() {
        let _ = writeln!(
            w,
            "conditions = {}",
            q_list(&s.conditions_module.conditions)
        );
    }
    if !s.conditions_module.keywords.is_empty() {
        let _ = writeln!(w, "keywords = {}", q_list(&s.conditions_module.keywords));
    }
    code_line(
        &mut w,
        "primary_purpose",
        info.primary_purpose.as_deref(),
        PrimaryPurpose::from_code,
    );
    let _ = writeln!(
        w,
        "allocation = {}{}",
        q(allocation.code()),
        comment(alloc_note.as_deref())
    );
    let _ = writeln!(
        w,
        "intervention_model = {}{}",
        q(model.code()),
        comment(model_note.as_deref())
    );
    let masking = info
        .masking_info
        .masking
        .as_deref()
        .and_then(Masking::from_code);
    code_line(
        &mut w,
        "masking",
        info.masking_info.masking.as_deref(),
        Masking::from_code,
    );
    let who: Vec<String> = info
        .masking_info
        .who_masked
        .iter()
        .filter(|c| WhoMasked::from_code(c).is_some())
        .cloned()
        .collect();
    let needed = match masking {
        Some(Masking::Single) => 1,
        Some(Masking::Double) => 2,
        Some(Masking::Triple) => 3,
        Some(Masking::Quadruple) => 4,
        _ => 0,
    };
    if !who.is_empty() && who.len() == needed {
        let _ = writeln!(w, "who_masked = {}", q_list(&who));
    } else if !who.is_empty() {
        let _ = writeln!(
            w,
            "# who_masked left out: the record lists {} role(s) for masking {}",
            who.len(),
            masking.map_or("?", |m| m.code())
        );
    }
    if let Some(n) = design.enrollment_info.count.filter(|n| *n > 0) {
        let _ = writeln!(w, "enrollment = {n}");
    }
    code_line(
        &mut w,
        "enrollment_type",
        design.enrollment_info.kind.as_deref(),
        EnrollmentType::from_code,
    );
    let sex = elig.sex.as_deref().and_then(Sex::from_code);
    code_line(&mut w, "sex", elig.sex.as_deref(), Sex::from_code);
    let ages = (
        elig.minimum_age.as_deref().and_then(age_in_years),
        elig.maximum_age.as_deref().and_then(age_in_years),
    );
    let (min_age, max_age) = match ages {
        (Some(lo), Some(hi)) if lo > hi => {
            let _ = writeln!(
                w,
                "# minimum_age and maximum_age left out: the record's minimum is above its maximum"
            );
            (None, None)
        }
        _ => (
            age_line(&mut w, "minimum_age", elig.minimum_age.as_deref()),
            age_line(&mut w, "maximum_age", elig.maximum_age.as_deref()),
        ),
    };
    if let Some(h) = elig.healthy_volunteers {
        let _ = writeln!(w, "healthy_volunteers = {h}");
    }
    if let Some(name) = &s.sponsor_collaborators_module.lead_sponsor.name {
        let _ = writeln!(w, "sponsor = {}", q(name));
    }
    let collaborators: Vec<String> = s
        .sponsor_collaborators_module
        .collaborators
        .iter()
        .filter_map(|c| c.name.clone())
        .collect();
    if !collaborators.is_empty() {
        let _ = writeln!(w, "collaborators = {}", q_list(&collaborators));
    }
    for (key, date) in [
        ("start_date", &s.status_module.start_date_struct.date),
        (
            "primary_completion_date",
            &s.status_module.primary_completion_date_struct.date,
        ),
        (
            "completion_date",
            &s.status_module.completion_date_struct.date,
        ),
    ] {
        if let Some(d) = date {
            let _ = writeln!(w, "{key} = {}", q(d));
        }
    }
    if let Some(summary) = &s.description_module.brief_summary {
        let _ = writeln!(w, "brief_summary = {}", q(summary));
    }
    if let Some(text) = &elig.eligibility_criteria {
        let _ = writeln!(w, "eligibility_text = {}", q(text));
    }
    let people = s
        .contacts_locations_module
        .central_contacts
        .iter()
        .chain(&s.contacts_locations_module.overall_officials);
    for c in people {
        let Some(name) = &c.name else { continue };
        let _ = writeln!(w, "\n[[study.contacts]]\nname = {}", q(name));
        code_line(&mut w, "role", c.role.as_deref(), ContactRole::from_code);
        if let Some(a) = &c.affiliation {
            let _ = writeln!(w, "affiliation = {}", q(a));
        }
    }
    for l in &s.contacts_locations_module.locations {
        let _ = writeln!(w, "\n[[study.sites]]");
        for (key, value) in [
            ("facility", &l.facility),
            ("city", &l.city),
            ("country", &l.country),
        ] {
            if let Some(v) = value {
                let _ = writeln!(w, "{key} = {}", q(v));
            }
        }
    }
    let outcome_lists = [
        ("primary", &s.outcomes_module.primary_outcomes),
        ("secondary", &s.outcomes_module.secondary_outcomes),
        ("other", &s.outcomes_module.other_outcomes),
    ];
    for (kind, list) in outcome_lists {
        for o in list.iter() {
            let Some(measure) = &o.measure else { continue };
            let _ = writeln!(
                w,
                "\n[[study.outcomes]]\nkind = {}\nmeasure = {}",
                q(kind),
                q(measure)
            );
            if let Some(t) = &o.time_frame {
                let _ = writeln!(w, "time_frame = {}", q(t));
            }
            if let Some(d) = &o.description {
                let _ = writeln!(w, "description = {}", q(d));
            }
        }
    }

    let _ = writeln!(w, "\n[eligibility]");
    let _ = writeln!(
        w,
        "# From the record's sex and age limits. ASSUMPTION: the clinical criteria in"
    );
    let _ = writeln!(
        w,
        "# `study.eligibility_text` are not computable from the record; translate them by hand."
    );
    let mut inclusion = Vec::new();
    match (min_age, max_age) {
        (Some(lo), Some(hi)) => inclusion.push(format!("age in [{lo}, {hi}]")),
        (Some(lo), None) => inclusion.push(format!("age >= {lo}")),
        (None, Some(hi)) => inclusion.push(format!("age <= {hi}")),
        (None, None) => {}
    }
    match sex {
        Some(Sex::Female) => inclusion.push("sex == female".into()),
        Some(Sex::Male) => inclusion.push("sex == male".into()),
        _ => {}
    }
    let _ = writeln!(w, "inclusion = {}", q_list(&inclusion));
    let _ = writeln!(w, "exclusion = []");

    for a in &arms {
        let _ = writeln!(w, "\n[[arm]]");
        if let Some(n) = &a.note {
            let _ = writeln!(w, "# {n}");
        }
        let _ = writeln!(w, "label = {}", q(&a.label));
        let _ = writeln!(w, "type = {}", q(a.kind.code()));
        let ratio_note = if n_arms > 1 {
            "  # ASSUMPTION: equal allocation; the ratio is never a registry field"
        } else {
            ""
        };
        let _ = writeln!(w, "ratio = 1{ratio_note}");
        let _ = writeln!(w, "regimens = {}", q_list(&a.regimens));
        if let Some(d) = &a.description {
            let _ = writeln!(w, "description = {}", q(d));
        }
    }
    for name in &skipped {
        notes.push(format!(
            "intervention {} is not a product immunotrial simulates: left out",
            plain(name)
        ));
    }
    for r in &regimens {
        let _ = writeln!(w, "\n[[regimen]]");
        let _ = writeln!(w, "# from intervention \"{}\"", plain(&r.source));
        let _ = writeln!(w, "name = {}", q(&r.name));
        let _ = writeln!(w, "relative_to = \"randomization\"");
        let _ = writeln!(
            w,
            "start_day = 0                                  # ASSUMPTION: given from the day of randomization"
        );
        let _ = writeln!(w, "[regimen.{}]\n{}", r.guess.key, r.guess.table.trim_end());
    }
    for e in &endpoints {
        let _ = writeln!(w, "\n[[endpoint]]");
        if e.primary
            && let Some(n) = primary_note
        {
            let _ = writeln!(w, "# {n}");
        }
        let _ = writeln!(w, "name = {}", q(&e.name));
        let _ = writeln!(w, "kind = {}", q(e.kind));
        let _ = writeln!(w, "measure = {}", q(e.measure));
        let day_note = if e.day_assumed {
            "  # ASSUMPTION: no readable time frame; 28 days"
        } else {
            ""
        };
        let _ = writeln!(w, "day = {}{day_note}", e.day);
        let _ = writeln!(w, "primary = {}", e.primary);
        let _ = writeln!(w, "description = {}", q(&e.description));
    }
    let _ = writeln!(w, "\n[simulation]");
    let seed: u64 = id
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(1);
    let _ = writeln!(
        w,
        "seed = {seed}                                  # the NCT number's digits"
    );
    let _ = writeln!(
        w,
        "population = {}          # ASSUMPTION: hospitalised severe COVID-19",
        q(defaults::POPULATION)
    );
    match design.enrollment_info.count.filter(|n| *n > 0) {
        Some(n) if n > MAX_PATIENTS => {
            let _ = writeln!(
                w,
                "patients = {MAX_PATIENTS}                              # registered enrollment {n}, capped at the simulator's limit"
            );
        }
        Some(n) => {
            let _ = writeln!(
                w,
                "patients = {n}                                  # the registered enrollment"
            );
        }
        None => {
            let _ = writeln!(
                w,
                "patients = {}                                  # ASSUMPTION: no enrollment in the record",
                defaults::PATIENTS
            );
        }
    }
    let _ = writeln!(w, "replicates = 1");
    let _ = writeln!(w, "follow_up_days = {follow_up}");
    if !notes.is_empty() {
        let _ = writeln!(w);
        for n in notes {
            let _ = writeln!(w, "# NOTE: {n}");
        }
    }
    w
}

/// Record text made safe for a one-line TOML comment (no control characters or line breaks).
fn plain(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The most patients one replicate may enroll (`simulation.patients` bound).
const MAX_PATIENTS: u32 = 1_000_000;

fn comment(note: Option<&str>) -> String {
    note.map_or(String::new(), |n| format!("  # {n}"))
}

/// Write `key = "CODE"` when the record's code is a known v2 code; a comment otherwise.
fn code_line<T>(w: &mut String, key: &str, code: Option<&str>, parse: fn(&str) -> Option<T>) {
    match code {
        Some(c) if parse(c).is_some() => {
            let _ = writeln!(w, "{key} = {}", q(c));
        }
        Some(c) => {
            let _ = writeln!(
                w,
                "# {key}: registry code {} is not known to this version; left out",
                q(c)
            );
        }
        None => {}
    }
}

/// Write a registry age and return it in years, or a comment when it does not parse.
fn age_line(w: &mut String, key: &str, age: Option<&str>) -> Option<f64> {
    let text = age?;
    match age_in_years(text) {
        Some(years) => {
            let _ = writeln!(w, "{key} = {}", q(text));
            Some(years)
        }
        None => {
            let _ = writeln!(
                w,
                "# {key}: {} is not a registry age; left out (no limit)",
                q(text)
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_frames_give_their_last_day() {
        assert_eq!(time_frame_days("28 days"), Some(28));
        assert_eq!(time_frame_days("within 7 days"), Some(7));
        assert_eq!(time_frame_days("at days 1, 3 and 7"), Some(7));
        assert_eq!(
            time_frame_days("Day 1, Day 3 and Day 7 after cell infusion"),
            Some(7)
        );
        assert_eq!(time_frame_days("4 weeks"), Some(28));
        assert_eq!(time_frame_days("through study completion"), None);
    }

    #[test]
    fn outcome_texts_map_to_measures() {
        let cases = [
            ("All-cause mortality", Some(("death", "binary"))),
            ("Time to death", Some(("death", "time_to_event"))),
            (
                "Ventilator-free days (patients who died count 0)",
                Some(("ventilator_free_days", "continuous")),
            ),
            (
                "Organ support-free days (death = -1)",
                Some(("organ_support_free_days", "ordinal")),
            ),
            (
                "Days alive and ventilation free",
                Some(("ventilator_free_days", "continuous")),
            ),
            ("Hospital discharge", Some(("discharge", "binary"))),
            ("WHO ordinal scale", Some(("who_score", "ordinal"))),
            ("Quality of life", None),
        ];
        for (text, expected) in cases {
            assert_eq!(guess_measure(text), expected, "{text}");
        }
    }

    #[test]
    fn intervention_names_lose_their_type_prefix() {
        assert_eq!(
            bare_intervention_name("Biological: Hyperimmune plasma"),
            "Hyperimmune plasma"
        );
        assert_eq!(
            bare_intervention_name("Drug: standard therapy"),
            "standard therapy"
        );
        assert_eq!(bare_intervention_name("plasma"), "plasma");
    }

    #[test]
    fn names_map_to_products_only_when_clear() {
        let key = |name: &str| guess_product(name, &[], None).map(|g| g.key);
        assert_eq!(key("COVID-19 convalescent plasma"), Some("plasma"));
        assert_eq!(key("Hyperimmune plasma"), Some("plasma"));
        assert_eq!(key("Therapeutic plasma exchange"), None);
        assert_eq!(key("Allogeneic MSC"), Some("msc"));
        assert_eq!(key("MSC-derived exosomes"), None);
        assert_eq!(key("Dexamethasone 6 mg"), Some("dexamethasone"));
        assert_eq!(key("Standard of care"), Some("bundle"));
        assert_eq!(key("Placebo"), None);
        assert_eq!(key("Prone positioning"), None);
        let plasma = guess_product("Convalescent plasma", &[], None).unwrap();
        assert!(plasma.table.contains("kind = \"convalescent\""));
        assert!(!plasma.table.contains("qualification_min_id50"));
        let cord = guess_product("MSC", &["umbilical cord MSC".to_string()], None).unwrap();
        assert!(cord.table.contains("umbilical_cord"));
    }

    #[test]
    fn slugs_are_identifiers() {
        assert_eq!(
            slug("Mesenchymal Stromal Cells infusion"),
            "mesenchymal_stromal_cells_infusion"
        );
        assert_eq!(slug("  --  "), "item");
    }
}
