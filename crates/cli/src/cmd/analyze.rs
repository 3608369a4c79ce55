//! `immunotrial analyze`: the standard analyses of a trial dataset (real or simulated).
//!
//! `--data FILE.csv` with `--time`/`--event`/`--arm` gives Kaplan–Meier per arm, the log-rank
//! test and a Cox model (arm plus `--covariate`s, Efron ties); `--binary COL` and
//! `--ordinal COL` analyse those endpoints by arm. Bad data is reported with its column and row
//! (exit status 2).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use miette::miette;
use serde_json::{Value, json};
use stats::binary;
use stats::survival::{CoxOptions, Ties, cox, kaplan_meier, logrank};

use crate::exit::CliError;

/// Arguments of `immunotrial analyze`.
#[derive(clap::Args, Debug)]
pub struct AnalyzeArgs {
    /// A results folder whose analysis plan to re-run on its saved datasets.
    pub results_dir: Option<PathBuf>,
    /// A dataset, one row per patient (CSV with a header row).
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Column with the time to event or censoring (non-negative).
    #[arg(long, value_name = "COL")]
    pub time: Option<String>,
    /// Column with the event indicator: 1 = event, 0 = censored.
    #[arg(long, value_name = "COL")]
    pub event: Option<String>,
    /// Column with the arm label; the first arm in sorted order is the reference.
    #[arg(long, value_name = "COL")]
    pub arm: Option<String>,
    /// Column with a stratum label (stratified log-rank and Cox).
    #[arg(long, value_name = "COL")]
    pub strata: Option<String>,
    /// Numeric covariate for the Cox model (repeatable). Rows missing one are left out of Cox.
    #[arg(long = "covariate", value_name = "COL")]
    pub covariates: Vec<String>,
    /// Column with a binary endpoint (1 = event, 0 = no event).
    #[arg(long, value_name = "COL")]
    pub binary: Option<String>,
    /// Column with an ordinal endpoint (integer categories, e.g. the WHO scale).
    #[arg(long, value_name = "COL")]
    pub ordinal: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// How results are printed.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Human-readable tables.
    Table,
    /// One JSON document.
    Json,
}

/// Run `immunotrial analyze`.
pub fn run(args: &AnalyzeArgs) -> Result<(), CliError> {
    let Some(data) = &args.data else {
        return match &args.results_dir {
            Some(dir) => analyze_results(dir, args.format),
            None => Err(CliError::input(miette!(
                "give a dataset with `--data FILE.csv` (see `immunotrial analyze --help`)"
            ))),
        };
    };
    if args.results_dir.is_some() {
        return Err(CliError::input(miette!(
            "give either a results folder or `--data`, not both"
        )));
    }
    let arm_col = args
        .arm
        .as_deref()
        .ok_or_else(|| CliError::input(miette!("`--data` needs `--arm COL`")))?;
    if args.time.is_none() && args.binary.is_none() && args.ordinal.is_none() {
        return Err(CliError::input(miette!(
            "nothing to analyse: give `--time` and `--event`, `--binary` or `--ordinal`"
        )));
    }
    let table = Table::read(data)?;
    let arms = Arms::new(&table, arm_col)?;
    let mut report = serde_json::Map::new();
    report.insert("data".into(), json!(data.display().to_string()));
    report.insert("n".into(), json!(table.rows.len()));
    report.insert("arm_column".into(), json!(arm_col));
    report.insert("arms".into(), json!(arms.labels));
    report.insert("reference_arm".into(), json!(arms.labels[0]));

    if let Some(time_col) = &args.time {
        let event_col = args
            .event
            .as_deref()
            .ok_or_else(|| CliError::input(miette!("`--time` needs `--event COL`")))?;
        let survival = analyze_survival(&table, &arms, time_col, event_col, args)?;
        report.extend(survival);
    } else if args.event.is_some() {
        return Err(CliError::input(miette!("`--event` needs `--time COL`")));
    }
    if let Some(col) = &args.binary {
        report.insert("binary".into(), analyze_binary(&table, &arms, col)?);
    }
    if let Some(col) = &args.ordinal {
        report.insert("ordinal".into(), analyze_ordinal(&table, &arms, col)?);
    }
    let report = Value::Object(report);
    let text = match args.format {
        Format::Json => {
            let mut t = serde_json::to_string_pretty(&report)
                .map_err(|e| CliError::failure(miette!("{e}")))?;
            t.push('\n');
            t
        }
        Format::Table => render_table(&report),
    };
    // A closed pipe (`| head`) is not an error worth reporting.
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::failure(miette!("cannot write the output: {e}")))
        }
        _ => Ok(()),
    }
}

/// The CSV in memory: header and string cells.
struct Table {
    path: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn read(path: &Path) -> Result<Self, CliError> {
        let shown = path.display().to_string();
        if path.extension().and_then(|e| e.to_str()) == Some("parquet") {
            return Self::read_parquet(path, shown);
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_path(path)
            .map_err(|e| CliError::input(miette!("cannot read {shown}: {e}")))?;
        let headers = reader
            .headers()
            .map_err(|e| CliError::input(miette!("{shown}: bad header row: {e}")))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let mut rows = Vec::new();
        for (i, rec) in reader.records().enumerate() {
            let rec =
                rec.map_err(|e| CliError::input(miette!("{shown}: data row {}: {e}", i + 1)))?;
            rows.push(rec.iter().map(|c| c.trim().to_string()).collect());
        }
        if rows.is_empty() {
            return Err(CliError::input(miette!("{shown} has no data rows")));
        }
        Ok(Self {
            path: shown,
            headers,
            rows,
        })
    }

    /// Parquet: every supported column becomes text cells (null → empty), so the same
    /// validation applies as for CSV.
    #[cfg(feature = "parquet")]
    fn read_parquet(path: &Path, shown: String) -> Result<Self, CliError> {
        use arrow_array::cast::AsArray;
        use arrow_array::types::{
            Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type,
            UInt16Type, UInt32Type, UInt64Type,
        };
        use arrow_array::{Array, ArrayRef};
        use arrow_schema::DataType;
        use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

        let bad = |e: &dyn std::fmt::Display| CliError::input(miette!("cannot read {shown}: {e}"));
        let file = std::fs::File::open(path).map_err(|e| bad(&e))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| bad(&e))?;
        let headers: Vec<String> = builder
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let reader = builder.build().map_err(|e| bad(&e))?;
        fn cells<T: std::fmt::Display>(col: &ArrayRef, value: impl Fn(usize) -> T) -> Vec<String> {
            (0..col.len())
                .map(|i| {
                    if col.is_null(i) {
                        String::new()
                    } else {
                        value(i).to_string()
                    }
                })
                .collect()
        }
        let mut rows: Vec<Vec<String>> = Vec::new();
        for batch in reader {
            let batch = batch.map_err(|e| bad(&e))?;
            let mut columns: Vec<Vec<String>> = Vec::with_capacity(batch.num_columns());
            for (c, col) in batch.columns().iter().enumerate() {
                let text = match col.data_type() {
                    DataType::Float64 => cells(col, |i| col.as_primitive::<Float64Type>().value(i)),
                    DataType::Float32 => cells(col, |i| col.as_primitive::<Float32Type>().value(i)),
                    DataType::Int64 => cells(col, |i| col.as_primitive::<Int64Type>().value(i)),
                    DataType::Int32 => cells(col, |i| col.as_primitive::<Int32Type>().value(i)),
                    DataType::Int16 => cells(col, |i| col.as_primitive::<Int16Type>().value(i)),
                    DataType::Int8 => cells(col, |i| col.as_primitive::<Int8Type>().value(i)),
                    DataType::UInt64 => cells(col, |i| col.as_primitive::<UInt64Type>().value(i)),
                    DataType::UInt32 => cells(col, |i| col.as_primitive::<UInt32Type>().value(i)),
                    DataType::UInt16 => cells(col, |i| col.as_primitive::<UInt16Type>().value(i)),
                    DataType::UInt8 => cells(col, |i| col.as_primitive::<UInt8Type>().value(i)),
                    DataType::Boolean => cells(col, |i| u8::from(col.as_boolean().value(i))),
                    DataType::Utf8 => cells(col, |i| col.as_string::<i32>().value(i).to_string()),
                    DataType::LargeUtf8 => {
                        cells(col, |i| col.as_string::<i64>().value(i).to_string())
                    }
                    other => {
                        return Err(CliError::input(miette!(
                            "{shown}: column `{}` has type {other}, which analyze does not read (use numbers or text)",
                            headers[c]
                        )));
                    }
                };
                columns.push(text);
            }
            for r in 0..batch.num_rows() {
                rows.push(
                    columns
                        .iter()
                        .map(|col| col[r].trim().to_string())
                        .collect(),
                );
            }
        }
        if rows.is_empty() {
            return Err(CliError::input(miette!("{shown} has no data rows")));
        }
        Ok(Self {
            path: shown,
            headers,
            rows,
        })
    }

    #[cfg(not(feature = "parquet"))]
    fn read_parquet(_path: &Path, shown: String) -> Result<Self, CliError> {
        Err(CliError::input(miette!(
            "{shown}: this build reads CSV only; rebuild with `--features parquet` or export the data as CSV"
        )))
    }

    fn column(&self, name: &str) -> Result<usize, CliError> {
        self.headers.iter().position(|h| h == name).ok_or_else(|| {
            CliError::input(miette!(
                "{}: no column `{name}` (columns: {})",
                self.path,
                self.headers.join(", ")
            ))
        })
    }

    fn cell(&self, row: usize, col: usize) -> &str {
        self.rows[row].get(col).map(String::as_str).unwrap_or("")
    }

    fn bad(&self, col: usize, row: usize, what: &str) -> CliError {
        CliError::input(miette!(
            "{}: column `{}`, data row {} (line {}): {what}, found `{}`",
            self.path,
            self.headers[col],
            row + 1,
            row + 2,
            self.cell(row, col)
        ))
    }

    /// A number, or `None` when the cell is empty or NA.
    fn number(&self, row: usize, col: usize) -> Result<Option<f64>, CliError> {
        let s = self.cell(row, col);
        if s.is_empty() || s.eq_ignore_ascii_case("na") {
            return Ok(None);
        }
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(self.bad(col, row, "expected a number")),
        }
    }

    fn required_number(&self, row: usize, col: usize) -> Result<f64, CliError> {
        self.number(row, col)?
            .ok_or_else(|| self.bad(col, row, "missing value"))
    }

    fn indicator(&self, row: usize, col: usize) -> Result<bool, CliError> {
        match self.cell(row, col) {
            "1" | "1.0" => Ok(true),
            "0" | "0.0" => Ok(false),
            _ => Err(self.bad(col, row, "expected 0 or 1")),
        }
    }
}

/// Arm labels (reference first) and each row's arm index.
struct Arms {
    labels: Vec<String>,
    index: Vec<u32>,
    column: String,
}

impl Arms {
    fn new(table: &Table, name: &str) -> Result<Self, CliError> {
        let col = table.column(name)?;
        let mut labels: Vec<String> = Vec::new();
        for row in 0..table.rows.len() {
            let v = table.cell(row, col);
            if v.is_empty() || v.eq_ignore_ascii_case("na") {
                return Err(table.bad(col, row, "missing arm"));
            }
            if !labels.iter().any(|l| l == v) {
                labels.push(v.to_string());
            }
        }
        // Numeric labels sort as numbers (2 before 10), others as text.
        if labels.iter().all(|l| l.parse::<f64>().is_ok()) {
            labels.sort_by(|a, b| {
                a.parse::<f64>()
                    .unwrap_or(0.0)
                    .total_cmp(&b.parse::<f64>().unwrap_or(0.0))
            });
        } else {
            labels.sort();
        }
        if labels.len() < 2 {
            return Err(CliError::input(miette!(
                "{}: column `{name}` has only one arm ({}); comparisons need at least two",
                table.path,
                labels.join(", ")
            )));
        }
        let index = (0..table.rows.len())
            .map(|row| {
                labels
                    .iter()
                    .position(|l| l == table.cell(row, col))
                    .unwrap_or(0) as u32
            })
            .collect();
        Ok(Self {
            labels,
            index,
            column: name.to_string(),
        })
    }
}

fn stats_failure(what: &str, e: stats::StatsError) -> CliError {
    CliError::failure(miette!("{what}: {e}"))
}

fn analyze_survival(
    table: &Table,
    arms: &Arms,
    time_col: &str,
    event_col: &str,
    args: &AnalyzeArgs,
) -> Result<serde_json::Map<String, Value>, CliError> {
    let tc = table.column(time_col)?;
    let ec = table.column(event_col)?;
    let n = table.rows.len();
    let mut time = Vec::with_capacity(n);
    let mut event = Vec::with_capacity(n);
    for row in 0..n {
        let t = table.required_number(row, tc)?;
        if t < 0.0 {
            return Err(table.bad(tc, row, "time must not be negative"));
        }
        time.push(t);
        event.push(table.indicator(row, ec)?);
    }
    let strata: Option<Vec<u32>> = match &args.strata {
        None => None,
        Some(name) => {
            let col = table.column(name)?;
            let mut seen: BTreeMap<String, u32> = BTreeMap::new();
            let mut out = Vec::with_capacity(n);
            for row in 0..n {
                let v = table.cell(row, col);
                if v.is_empty() || v.eq_ignore_ascii_case("na") {
                    return Err(table.bad(col, row, "missing stratum"));
                }
                let next = seen.len() as u32;
                out.push(*seen.entry(v.to_string()).or_insert(next));
            }
            Some(out)
        }
    };

    let mut km_out = Vec::new();
    for (a, label) in arms.labels.iter().enumerate() {
        let rows: Vec<usize> = (0..n).filter(|&r| arms.index[r] == a as u32).collect();
        let t: Vec<f64> = rows.iter().map(|&r| time[r]).collect();
        let e: Vec<bool> = rows.iter().map(|&r| event[r]).collect();
        let km = kaplan_meier(&t, &e).map_err(|e| stats_failure("Kaplan–Meier", e))?;
        let median = km.median();
        km_out.push(json!({
            "arm": label,
            "n": km.n,
            "events": km.events,
            "median": median.estimate,
            "median_ci": [median.lower, median.upper],
        }));
    }
    // A test or model the data cannot support (no events, a monotone likelihood) is reported
    // in place, so the rest of the analysis still comes out.
    let logrank_out = match logrank(&time, &event, &arms.index, strata.as_deref()) {
        Ok(lr) => json!({"chisq": lr.chisq, "df": lr.df, "p": lr.p, "observed": lr.observed,
                         "expected": lr.expected, "stratified": strata.is_some()}),
        Err(e) => json!({"error": e.to_string()}),
    };

    // Cox: arm indicators (versus the reference arm) plus covariates, complete cases only.
    let cov_cols: Vec<usize> = args
        .covariates
        .iter()
        .map(|c| table.column(c))
        .collect::<Result<_, _>>()?;
    let mut keep = Vec::with_capacity(n);
    let mut cov_values: Vec<Vec<f64>> = vec![Vec::with_capacity(n); cov_cols.len()];
    'rows: for row in 0..n {
        let mut vals = Vec::with_capacity(cov_cols.len());
        for &c in &cov_cols {
            match table.number(row, c)? {
                Some(v) => vals.push(v),
                None => continue 'rows,
            }
        }
        keep.push(row);
        for (k, v) in vals.into_iter().enumerate() {
            cov_values[k].push(v);
        }
    }
    let mut names = Vec::new();
    let mut columns: Vec<Vec<f64>> = Vec::new();
    for (a, label) in arms.labels.iter().enumerate().skip(1) {
        names.push(format!("{}={label}", arms.column));
        columns.push(
            keep.iter()
                .map(|&r| if arms.index[r] == a as u32 { 1.0 } else { 0.0 })
                .collect(),
        );
    }
    names.extend(args.covariates.iter().cloned());
    columns.extend(cov_values);
    let cols: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let kt: Vec<f64> = keep.iter().map(|&r| time[r]).collect();
    let ke: Vec<bool> = keep.iter().map(|&r| event[r]).collect();
    let ks: Option<Vec<u32>> = strata
        .as_ref()
        .map(|s| keep.iter().map(|&r| s[r]).collect());
    let opts = CoxOptions {
        ties: Ties::Efron,
        strata: ks.as_deref(),
        level: 0.95,
    };
    let cox_out = match cox::fit_with(&kt, &ke, &cols, &opts) {
        Ok(fit) => {
            let terms: Vec<Value> = names
                .iter()
                .zip(&fit.terms)
                .map(|(name, t)| json!({"name": name, "coef": t.coef, "se": t.se, "hr": t.hr, "ci": [t.hr_lower, t.hr_upper], "p": t.p}))
                .collect();
            json!({
                "terms": terms,
                "ties": "efron",
                "n": fit.n,
                "events": fit.events,
                "n_dropped_missing": n - keep.len(),
                "likelihood_ratio": fit.likelihood_ratio,
                "wald": fit.wald,
                "score": fit.score,
            })
        }
        Err(e) => {
            json!({"error": e.to_string(), "ties": "efron", "n_dropped_missing": n - keep.len()})
        }
    };

    let mut out = serde_json::Map::new();
    out.insert("kaplan_meier".into(), Value::Array(km_out));
    out.insert("logrank".into(), logrank_out);
    out.insert("cox".into(), cox_out);
    Ok(out)
}

fn analyze_binary(table: &Table, arms: &Arms, name: &str) -> Result<Value, CliError> {
    let col = table.column(name)?;
    let k = arms.labels.len();
    let (mut events, mut totals) = (vec![0u64; k], vec![0u64; k]);
    for row in 0..table.rows.len() {
        let a = arms.index[row] as usize;
        totals[a] += 1;
        if table.indicator(row, col)? {
            events[a] += 1;
        }
    }
    let mut comparisons = Vec::new();
    for a in 1..k {
        let c = binary::compare(events[a], totals[a], events[0], totals[0])
            .map_err(|e| stats_failure("binary comparison", e))?;
        comparisons.push(json!({"arm": arms.labels[a], "versus": arms.labels[0], "result": c}));
    }
    let per_arm: Vec<Value> = (0..k)
        .map(|a| json!({"arm": arms.labels[a], "n": totals[a], "events": events[a]}))
        .collect();
    Ok(json!({"column": name, "arms": per_arm, "comparisons": comparisons}))
}

fn analyze_ordinal(table: &Table, arms: &Arms, name: &str) -> Result<Value, CliError> {
    let col = table.column(name)?;
    let mut y = Vec::with_capacity(table.rows.len());
    for row in 0..table.rows.len() {
        let v = table.required_number(row, col)?;
        if v.fract() != 0.0 {
            return Err(table.bad(col, row, "expected an integer category"));
        }
        y.push(v);
    }
    let mut comparisons = Vec::new();
    for a in 1..arms.labels.len() {
        let rows: Vec<usize> = (0..y.len())
            .filter(|&r| arms.index[r] == a as u32 || arms.index[r] == 0)
            .collect();
        let xs: Vec<f64> = rows
            .iter()
            .filter(|&&r| arms.index[r] == a as u32)
            .map(|&r| y[r])
            .collect();
        let ys: Vec<f64> = rows
            .iter()
            .filter(|&&r| arms.index[r] == 0)
            .map(|&r| y[r])
            .collect();
        let w = stats::ordinal::wilcoxon_mann_whitney(&xs, &ys)
            .map_err(|e| stats_failure("Wilcoxon–Mann–Whitney", e))?;
        let cats: Vec<u32> = rows.iter().map(|&r| y[r] as u32).collect();
        let treat: Vec<f64> = rows
            .iter()
            .map(|&r| if arms.index[r] == a as u32 { 1.0 } else { 0.0 })
            .collect();
        let po = stats::ordinal::polr(&cats, &[&treat])
            .map_err(|e| stats_failure("proportional-odds model", e))?;
        comparisons.push(json!({
            "arm": arms.labels[a],
            "versus": arms.labels[0],
            "wilcoxon": w,
            "proportional_odds": {"odds_ratio": po.terms[0].odds_ratio, "ci": [po.terms[0].or_lower, po.terms[0].or_upper], "p": po.terms[0].p,
                                   "direction": "odds ratio > 1: higher categories more likely in this arm"},
        }));
    }
    Ok(json!({"column": name, "comparisons": comparisons}))
}

fn fmt_opt(v: &Value) -> String {
    v.as_f64()
        .map_or_else(|| "NA".to_string(), |x| format!("{x:.4}"))
}

fn render_table(report: &Value) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "data: {}  (n = {})\n",
        report["data"].as_str().unwrap_or(""),
        report["n"]
    ));
    if let Some(km) = report["kaplan_meier"].as_array() {
        s.push_str("\nKaplan–Meier (95% CI, log-log)\n");
        s.push_str(&format!(
            "{:<16} {:>6} {:>7} {:>10} {:>10} {:>10}\n",
            "arm", "n", "events", "median", "lower", "upper"
        ));
        for r in km {
            s.push_str(&format!(
                "{:<16} {:>6} {:>7} {:>10} {:>10} {:>10}\n",
                r["arm"].as_str().unwrap_or(""),
                r["n"].to_string(),
                r["events"].to_string(),
                fmt_opt(&r["median"]),
                fmt_opt(&r["median_ci"][0]),
                fmt_opt(&r["median_ci"][1])
            ));
        }
    }
    for key in ["logrank", "cox"] {
        if let Some(e) = report[key]["error"].as_str() {
            s.push_str(&format!("\n{key}: not estimable: {e}\n"));
        }
    }
    if report["logrank"]["chisq"].is_number() {
        let lr = &report["logrank"];
        s.push_str(&format!(
            "\nlog-rank: chisq = {} on {} df, p = {:.4e}\n",
            fmt_opt(&lr["chisq"]),
            lr["df"],
            lr["p"].as_f64().unwrap_or(f64::NAN)
        ));
    }
    if let Some(terms) = report["cox"]["terms"].as_array() {
        s.push_str(&format!(
            "\nCox (Efron ties; n = {}, events = {})\n",
            report["cox"]["n"], report["cox"]["events"]
        ));
        s.push_str(&format!(
            "{:<24} {:>10} {:>10} {:>10} {:>12}\n",
            "term", "HR", "lower", "upper", "p"
        ));
        for t in terms {
            s.push_str(&format!(
                "{:<24} {:>10} {:>10} {:>10} {:>12.4e}\n",
                t["name"].as_str().unwrap_or(""),
                fmt_opt(&t["hr"]),
                fmt_opt(&t["ci"][0]),
                fmt_opt(&t["ci"][1]),
                t["p"].as_f64().unwrap_or(f64::NAN)
            ));
        }
    }
    for key in ["binary", "ordinal"] {
        if !report[key].is_null() {
            s.push_str(&format!(
                "\n{key} endpoint:\n{}\n",
                serde_json::to_string_pretty(&report[key]).unwrap_or_default()
            ));
        }
    }
    s
}

/// Re-runs the protocol's analysis plan on a results folder's saved datasets (no simulation)
/// and prints the endpoint estimates. The analyses are those of `summary.json`, recomputed from
/// the CSV files by the engine's own code path (the same one `immunotrial merge` uses).
fn analyze_results(dir: &std::path::Path, format: Format) -> Result<(), CliError> {
    if !dir.join("protocol.toml").is_file() {
        return Err(CliError::input(miette!(
            "{}: not a results folder (no protocol.toml); give one written by `immunotrial run`",
            dir.display()
        )));
    }
    let scratch = std::env::temp_dir().join(format!("immunotrial-analyze-{}", std::process::id()));
    let folder = trial::results::ResultsFolder::create(&scratch)
        .map_err(|e| CliError::failure(miette!("{}: {e}", scratch.display())))?;
    let summary = trial::run::merge(&[dir], &folder, |text| {
        protocol::parse_protocol("protocol.toml", text).map_err(|e| e.to_string())
    });
    let _ = std::fs::remove_dir_all(&scratch);
    let summary = summary.map_err(|e| CliError::input(miette!("{}: {e}", dir.display())))?;
    match format {
        Format::Json => {
            let json = serde_json::to_string_pretty(&summary.endpoints)
                .map_err(|e| CliError::failure(miette!("{e}")))?;
            println!("{json}");
        }
        Format::Table => {
            for endpoint in &summary.endpoints {
                let role = if endpoint.primary {
                    "primary"
                } else {
                    "secondary"
                };
                println!("{} ({}, {role})", endpoint.name, endpoint.kind);
                for c in &endpoint.comparisons {
                    let show = |v: Option<f64>| v.map_or("NR".to_string(), |v| format!("{v:.4}"));
                    println!(
                        "  {} {} vs {}: {} [{}, {}], p = {}; twins {}",
                        c.measure,
                        c.arm,
                        c.reference_arm,
                        show(c.estimate),
                        show(c.ci[0]),
                        show(c.ci[1]),
                        show(c.p),
                        show(c.twin_estimate)
                    );
                }
            }
        }
    }
    Ok(())
}
