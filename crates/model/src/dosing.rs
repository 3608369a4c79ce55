//! Therapy entry points: what can enter a patient's body from outside.
//!
//! This is the contract between `therapy` (which turns products and regimens into
//! [`DoseEvent`]s) and `solve` (which applies them while integrating the model). Times are in
//! days since infection, the model's clock; callers convert from days since symptom onset.

/// One input into the body: a bolus (`duration_days == 0`) or a zero-order infusion or
/// exposure over `[time_days, time_days + duration_days]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DoseEvent {
    /// Start, days since infection.
    pub time_days: f64,
    /// Length of the infusion or exposure, days; 0 for a bolus.
    pub duration_days: f64,
    /// What enters.
    pub input: DoseInput,
}

/// The mechanistic entry point a dose acts through.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DoseInput {
    /// Passive neutralising antibody (convalescent or hyperimmune plasma, monoclonals) into the
    /// plasma compartment: total neutralising activity delivered, ID50 × mL (unit titer × volume
    /// × (1 − pathogen-reduction loss), summed over units).
    PassiveAntibody { amount_id50_ml: f64 },
    /// Mesenchymal stromal cells infused intravenously: number of viable cells.
    MesenchymalStromalCells { viable_cells: f64 },
    /// Corticosteroid, in dexamethasone-equivalent mg, with its bioavailability (1 for IV).
    Dexamethasone { dose_mg: f64, bioavailability: f64 },
    /// Antiviral that blocks viral production, active over the event's duration:
    /// production is multiplied by (1 − `efficacy`), `efficacy` in [0, 1].
    Antiviral { efficacy: f64 },
    /// IL-6 signalling blockade (tocilizumab-like), active over the event's duration:
    /// IL-6 effects on its targets are multiplied by (1 − `efficacy`), `efficacy` in [0, 1].
    Il6Blockade { efficacy: f64 },
}
