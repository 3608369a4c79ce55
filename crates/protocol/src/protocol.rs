//! The validated protocol: what the trial engine consumes. Built only by
//! [`crate::parse_protocol`] (or [`crate::validate::validate`]), so every value here has passed
//! the checks in `validate.rs`.

use crate::criteria::Expr;
use crate::registry::ArmGroupType;
use crate::schema::AllocationMethod;
use crate::schema::{
    Analysis, AnalysisPopulation, Antibiotics, BundleName, Dexamethasone, Endpoint, Immunoglobulin,
    InterferonAlpha, LopinavirRitonavir, Methylprednisolone, Msc, Plasma, Remdesivir, Ribavirin,
    ScheduleReference, Simulation, StartDelay, Study, Tocilizumab,
};
use crate::variables::{Baseline, Value, VarType, Variable};

/// A validated protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct Protocol {
    /// Registry fields, as written.
    pub study: Study,
    /// `study.minimum_age` in years, if any.
    pub minimum_age_years: Option<f64>,
    /// `study.maximum_age` in years, if any.
    pub maximum_age_years: Option<f64>,
    /// Inclusion criteria: all must hold.
    pub inclusion: Vec<Criterion>,
    /// Exclusion criteria: none may hold.
    pub exclusion: Vec<Criterion>,
    /// Arms, in file order (at least one).
    pub arms: Vec<Arm>,
    /// Regimens, in file order; arms refer to them by index.
    pub regimens: Vec<Regimen>,
    /// Endpoints, in file order; exactly one is primary.
    pub endpoints: Vec<Endpoint>,
    /// Analysis options.
    pub analysis: AnalysisPlan,
    /// Simulation settings.
    pub simulation: Simulation,
    /// The `[allocation]` table, validated; `None` for the default design.
    pub allocation: Option<AllocationPlan>,
    /// The published result of a replica protocol (`[validation]`), if any.
    pub validation: Option<crate::validation::Validation>,
}

impl Protocol {
    /// The one primary endpoint.
    pub fn primary_endpoint(&self) -> &Endpoint {
        self.endpoints
            .iter()
            .find(|e| e.primary)
            .expect("validation guarantees exactly one primary endpoint")
    }

    /// Whether a patient passes screening: every inclusion criterion holds and no exclusion
    /// criterion does.
    pub fn eligible(&self, patient: &impl Baseline) -> bool {
        self.inclusion.iter().all(|c| c.expr.eval(patient))
            && !self.exclusion.iter().any(|c| c.expr.eval(patient))
    }

    /// The regimens given in `arm`.
    pub fn arm_regimens<'a>(&'a self, arm: &'a Arm) -> impl Iterator<Item = &'a Regimen> + 'a {
        arm.regimens.iter().map(|&i| &self.regimens[i])
    }
}

/// One computable criterion, with the text it was parsed from.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    /// As written in the file.
    pub text: String,
    /// Parsed and type-checked.
    pub expr: Expr,
}

/// A validated arm.
#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    /// Unique label.
    pub label: String,
    /// Registry arm type.
    pub arm_type: ArmGroupType,
    /// Allocation weight, > 0.
    pub ratio: u32,
    /// Indices into [`Protocol::regimens`].
    pub regimens: Vec<usize>,
    /// Free-text description.
    pub description: Option<String>,
}

/// A validated regimen: when, and which product with which settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Regimen {
    /// Unique name.
    pub name: String,
    /// What `start_day` counts from.
    pub relative_to: ScheduleReference,
    /// Days after the reference event of the first administration.
    pub start_day: u32,
    /// Per-patient delay of the actual start; `None`: starts as scheduled.
    pub start_delay: Option<StartDelay>,
    /// The product and its settings.
    pub product: Product,
}

impl Regimen {
    /// Days (after the reference event) on which a dose is given, in order. Daily drugs give
    /// one entry per treatment day.
    pub fn administration_days(&self) -> Vec<u32> {
        let s = self.start_day;
        let every = |n: u32, step: u32| (0..n).map(|k| s + k * step).collect::<Vec<_>>();
        match &self.product {
            Product::Plasma(p) => every(p.units, p.interval_days),
            Product::Msc(m) => every(m.infusions, m.spacing_days),
            Product::Tocilizumab(t) => every(t.doses, t.spacing_days),
            Product::Dexamethasone(d) => every(d.days, 1),
            Product::Remdesivir(d) => every(d.days, 1),
            Product::LopinavirRitonavir(d) => every(d.days, 1),
            Product::InterferonAlpha(d) => every(d.days, 1),
            Product::Ribavirin(d) => every(d.days, 1),
            Product::Methylprednisolone(d) => every(d.days, 1),
            Product::Immunoglobulin(d) => every(d.days, 1),
            Product::Antibiotics(d) => every(d.days, 1),
            Product::Bundle(_) => vec![s],
        }
    }
}

/// A product with its settings: the input the `therapy` crate maps to dose events.
#[derive(Debug, Clone, PartialEq)]
pub enum Product {
    /// Hyperimmune or convalescent plasma.
    Plasma(Plasma),
    /// Mesenchymal stromal cells.
    Msc(Msc),
    /// Dexamethasone.
    Dexamethasone(Dexamethasone),
    /// Remdesivir.
    Remdesivir(Remdesivir),
    /// Lopinavir/ritonavir.
    LopinavirRitonavir(LopinavirRitonavir),
    /// Interferon alpha.
    InterferonAlpha(InterferonAlpha),
    /// Ribavirin.
    Ribavirin(Ribavirin),
    /// Methylprednisolone.
    Methylprednisolone(Methylprednisolone),
    /// Non-specific immunoglobulin.
    Immunoglobulin(Immunoglobulin),
    /// Antibiotics.
    Antibiotics(Antibiotics),
    /// Tocilizumab.
    Tocilizumab(Tocilizumab),
    /// A named bundle of care.
    Bundle(BundleName),
}

impl Product {
    /// The product's key in protocol files (`plasma`, `msc`, …).
    pub fn key(&self) -> &'static str {
        match self {
            Product::Plasma(_) => "plasma",
            Product::Msc(_) => "msc",
            Product::Dexamethasone(_) => "dexamethasone",
            Product::Remdesivir(_) => "remdesivir",
            Product::LopinavirRitonavir(_) => "lopinavir_ritonavir",
            Product::InterferonAlpha(_) => "interferon_alpha",
            Product::Ribavirin(_) => "ribavirin",
            Product::Methylprednisolone(_) => "methylprednisolone",
            Product::Immunoglobulin(_) => "immunoglobulin",
            Product::Antibiotics(_) => "antibiotics",
            Product::Tocilizumab(_) => "tocilizumab",
            Product::Bundle(_) => "bundle",
        }
    }
}

/// Validated analysis options.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisPlan {
    /// Significance level.
    pub alpha: f64,
    /// 1 or 2.
    pub sides: u32,
    /// Analysis population.
    pub population: AnalysisPopulation,
    /// Adjustment covariates.
    pub covariates: Vec<Variable>,
    /// Simulate counterfactual twins.
    pub twins: bool,
}

impl AnalysisPlan {
    pub(crate) fn from_file(a: &Analysis, covariates: Vec<Variable>) -> Self {
        AnalysisPlan {
            alpha: a.alpha,
            sides: a.sides,
            population: a.population,
            covariates,
            twins: a.twins,
        }
    }
}

/// A validated `[allocation]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct AllocationPlan {
    /// The method.
    pub method: AllocationMethod,
    /// Block sizes, each a positive multiple of the ratio sum (blocks methods; empty
    /// otherwise).
    pub block_sizes: Vec<u32>,
    /// Stratification / minimisation factors, in file order (empty for simple and
    /// unstratified blocks).
    pub factors: Vec<AllocationFactor>,
    /// Minimisation weight per factor (1 each unless given; empty for other methods).
    pub weights: Vec<f64>,
    /// Minimisation: probability of assigning the arm that minimises imbalance.
    pub p_preferred: f64,
}

/// Default probability of the preferred arm in minimisation (the value most used in practice;
/// Pocock & Simon 1975 discuss values from 2/3 upwards).
pub const DEFAULT_P_PREFERRED: f64 = 0.8;

/// One stratification or minimisation factor: a baseline variable and how its values make
/// levels.
#[derive(Debug, Clone, PartialEq)]
pub struct AllocationFactor {
    /// The variable.
    pub variable: Variable,
    /// Numeric variables: strictly increasing cut points (empty for booleans and categories).
    pub cutoffs: Vec<f64>,
}

impl AllocationFactor {
    /// Number of levels: cut points + 1 for a number, 2 for a boolean, the level count of a
    /// category.
    pub fn levels(&self) -> u32 {
        match self.variable.info().ty {
            VarType::Number => self.cutoffs.len() as u32 + 1,
            VarType::Boolean => 2,
            VarType::Category(levels) => levels.len() as u32,
        }
    }

    /// The level (0-based) of a patient's value: for a number, how many cut points are at or
    /// below it; `false` = 0, `true` = 1; a category's position in its level list. `None`
    /// when the value is missing or of the wrong type.
    pub fn level(&self, patient: &impl Baseline) -> Option<u32> {
        match (patient.value(self.variable), self.variable.info().ty) {
            (Value::Number(x), VarType::Number) if x.is_finite() => {
                Some(self.cutoffs.iter().filter(|&&c| c <= x).count() as u32)
            }
            (Value::Bool(b), VarType::Boolean) => Some(u32::from(b)),
            (Value::Category(name), VarType::Category(levels)) => levels
                .iter()
                .position(|l| l.eq_ignore_ascii_case(name))
                .map(|i| i as u32),
            _ => None,
        }
    }

    /// Names of the levels, e.g. `age < 65`, `age >= 65`; `diabetes = false`.
    pub fn level_names(&self) -> Vec<String> {
        let name = self.variable.name();
        match self.variable.info().ty {
            VarType::Number => (0..=self.cutoffs.len())
                .map(|k| {
                    match (
                        k.checked_sub(1).map(|i| self.cutoffs[i]),
                        self.cutoffs.get(k),
                    ) {
                        (None, Some(hi)) => format!("{name} < {hi}"),
                        (Some(lo), None) => format!("{name} >= {lo}"),
                        (Some(lo), Some(hi)) => format!("{lo} <= {name} < {hi}"),
                        (None, None) => name.to_string(),
                    }
                })
                .collect(),
            VarType::Boolean => vec![format!("{name} = false"), format!("{name} = true")],
            VarType::Category(levels) => levels.iter().map(|l| format!("{name} = {l}")).collect(),
        }
    }
}
