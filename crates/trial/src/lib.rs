//! Trials: enrollment, randomization, follow-up, endpoints, counterfactual twins, replicates,
//! results datasets.
