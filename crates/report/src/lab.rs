//! The ADLB parameter codes the report knows (PARAMCD ≤ 8 characters, FORMATS.md §3), and the
//! serostatus threshold.

/// PaO2/FiO2 ratio (mmHg).
pub const PF_RATIO: &str = "PFRATIO";
/// Interleukin 6 (pg/mL).
pub const IL6: &str = "IL6";
/// Lymphocytes (10^9/L).
pub const LYMPHOCYTES: &str = "LYM";
/// Neutralising antibody titer (reciprocal dilution).
pub const TITER: &str = "NEUTAB";
/// Viral load (log10 copies/mL).
pub const VIRAL_LOAD: &str = "VIRLOAD";

/// Baseline labs shown as median (IQR) in Table 1, with their decimals.
pub const BASELINE_LABS: [(&str, usize); 3] = [(PF_RATIO, 0), (IL6, 1), (LYMPHOCYTES, 2)];

/// Biomarkers drawn as trajectories, in this order.
pub const TRAJECTORIES: [&str; 5] = [VIRAL_LOAD, IL6, LYMPHOCYTES, TITER, PF_RATIO];

/// Lowest baseline neutralising titer counted as seropositive (reciprocal dilution).
/// Assumption: 1:20, the lower limit of quantification of common live-virus neutralisation
/// assays used in plasma trials; a titer below it is reported as seronegative.
pub const SEROPOSITIVE_MIN_TITER: f64 = 20.0;
