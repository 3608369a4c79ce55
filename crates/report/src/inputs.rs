//! Reading a results folder loosely: each input is optional, and an unreadable one is kept as a
//! note (shown in the report) instead of an error.

use crate::summary::Summary;
use std::collections::BTreeMap;
use std::path::Path;

/// An input that is present, absent, or present but unreadable (with the reason).
#[derive(Debug, Clone)]
pub enum Input<T> {
    /// Read.
    Ok(T),
    /// No such file.
    Missing,
    /// The file exists but could not be read or parsed.
    Unreadable(String),
}

impl<T> Input<T> {
    /// The value, if read.
    pub fn get(&self) -> Option<&T> {
        match self {
            Input::Ok(v) => Some(v),
            _ => None,
        }
    }
}

/// A CSV table as text cells, columns found by name.
///
/// The cells' text is kept in one buffer with each cell's end offset (ADCPS and ADLB of a large
/// trial have millions of cells; a string each made reading them the slowest part of a report).
#[derive(Debug, Clone, Default)]
pub struct Table {
    index: BTreeMap<String, usize>,
    /// Cells per row.
    width: usize,
    /// The text of every cell, row after row.
    text: String,
    /// End of each cell's text in `text` (its start is the previous cell's end).
    ends: Vec<usize>,
}

impl Table {
    /// Parses CSV text with a header row.
    pub fn parse(bytes: &[u8]) -> Result<Self, csv::Error> {
        let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
        let width = reader.headers()?.len();
        let keep: Vec<usize> = (0..width).collect();
        Self::read_kept(reader, &keep)
    }

    /// Reads CSV with a header row, keeping only the columns named in `keep` (a large by-day
    /// dataset is streamed, never held whole as text).
    pub fn read_columns(reader: impl std::io::Read, keep: &[&str]) -> Result<Self, csv::Error> {
        let mut reader = csv::ReaderBuilder::new().from_reader(reader);
        let kept: Vec<usize> = reader
            .headers()?
            .iter()
            .enumerate()
            .filter(|(_, h)| keep.contains(h))
            .map(|(i, _)| i)
            .collect();
        Self::read_kept(reader, &kept)
    }

    /// Reads the records, keeping the columns at the header positions `kept`.
    fn read_kept<R: std::io::Read>(
        mut reader: csv::Reader<R>,
        kept: &[usize],
    ) -> Result<Self, csv::Error> {
        let headers = reader.headers()?.clone();
        let index = kept
            .iter()
            .enumerate()
            .map(|(k, &i)| (headers.get(i).unwrap_or_default().to_owned(), k))
            .collect();
        let mut table = Self {
            index,
            width: kept.len(),
            ..Self::default()
        };
        let mut record = csv::StringRecord::new();
        while reader.read_record(&mut record)? {
            for &i in kept {
                table.text.push_str(record.get(i).unwrap_or_default());
                table.ends.push(table.text.len());
            }
        }
        Ok(table)
    }

    /// Number of data rows.
    pub fn len(&self) -> usize {
        self.ends.len().checked_div(self.width).unwrap_or(0)
    }

    /// True when there are no data rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when every named column exists.
    pub fn has(&self, columns: &[&str]) -> bool {
        columns.iter().all(|c| self.index.contains_key(*c))
    }

    /// The rows, in file order.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        (0..self.len()).map(|row| Row { table: self, row })
    }

    /// The text of cell `k` (in row-major order).
    fn cell(&self, k: usize) -> &str {
        let start = if k == 0 { 0 } else { self.ends[k - 1] };
        &self.text[start..self.ends[k]]
    }
}

/// One row of a [`Table`].
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    table: &'a Table,
    row: usize,
}

impl<'a> Row<'a> {
    /// The text of a column; `None` when the column is absent or the field empty (missing).
    pub fn text(&self, column: &str) -> Option<&'a str> {
        let i = *self.table.index.get(column)?;
        Some(self.table.cell(self.row * self.table.width + i)).filter(|s| !s.is_empty())
    }

    /// A column read as a finite number.
    pub fn num(&self, column: &str) -> Option<f64> {
        self.text(column)?
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
    }

    /// Whether a Y/N flag column is "Y".
    pub fn flag(&self, column: &str) -> bool {
        self.text(column) == Some("Y")
    }
}

/// `manifest.json`, read loosely: both the documented names and the engine's current ones
/// (`command` or `command_line`; `shard` as an object or as `"i/N"` text).
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    /// immunotrial version.
    pub version: Option<String>,
    /// Git commit.
    pub git_hash: Option<String>,
    /// Master seed.
    pub seed: Option<u64>,
    /// Worker threads.
    pub threads: Option<u64>,
    /// Wall time, s.
    pub wall_time_s: Option<f64>,
    /// Command line, one argument per entry.
    pub command: Vec<String>,
    /// Shard as `i/N`.
    pub shard: Option<String>,
}

impl Manifest {
    fn from_json(v: &serde_json::Value) -> Self {
        let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
        let command = v
            .get("command")
            .or_else(|| v.get("command_line"))
            .and_then(|c| c.as_array())
            .map(|a| {
                a.iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let shard = match v.get("shard") {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(obj @ serde_json::Value::Object(_)) => {
                match (obj.get("index"), obj.get("count")) {
                    (Some(i), Some(n)) => Some(format!("{i}/{n}")),
                    _ => None,
                }
            }
            _ => None,
        };
        Self {
            version: text("version"),
            git_hash: text("git_hash"),
            seed: v.get("seed").and_then(|x| x.as_u64()),
            threads: v.get("threads").and_then(|x| x.as_u64()),
            wall_time_s: v.get("wall_time_s").and_then(|x| x.as_f64()),
            command,
            shard,
        }
    }
}

/// Everything the report reads from a results folder.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// `manifest.json`.
    pub manifest: Input<Manifest>,
    /// `protocol.toml`, parsed loosely.
    pub protocol: Input<toml::Table>,
    /// `summary.json`.
    pub summary: Input<Summary>,
    /// `adsl.csv`.
    pub adsl: Input<Table>,
    /// `adtte.csv`.
    pub adtte: Input<Table>,
    /// `adcps.csv`.
    pub adcps: Input<Table>,
    /// `adlb.csv`.
    pub adlb: Input<Table>,
    /// `adae.csv`.
    pub adae: Input<Table>,
    /// `parameters.csv`.
    pub parameters: Input<Table>,
}

impl Inputs {
    /// Reads every input of `folder` (none is required).
    pub fn read(folder: &Path) -> Self {
        // The two large by-day datasets are parsed side by side: ADCPS on a second thread.
        let (adcps, adlb) = std::thread::scope(|scope| {
            let adcps = scope.spawn(|| read_large_table(folder, "adcps", ADCPS_COLUMNS));
            let adlb = read_large_table(folder, "adlb", ADLB_COLUMNS);
            let adcps = adcps
                .join()
                .unwrap_or_else(|_| Input::Unreadable("adcps: the reader failed".into()));
            (adcps, adlb)
        });
        Self {
            manifest: read_with(folder, &["manifest.json"], |b| {
                serde_json::from_slice::<serde_json::Value>(b)
                    .map(|v| Manifest::from_json(&v))
                    .map_err(|e| e.to_string())
            }),
            protocol: read_with(folder, &["protocol.toml"], |b| {
                std::str::from_utf8(b)
                    .map_err(|e| e.to_string())?
                    .parse::<toml::Table>()
                    .map_err(|e| e.to_string())
            }),
            summary: read_with(folder, &["summary.json"], |b| {
                serde_json::from_slice(b).map_err(|e| e.to_string())
            }),
            adsl: read_table(folder, "adsl"),
            adtte: read_table(folder, "adtte"),
            adcps,
            adlb,
            adae: read_table(folder, "adae"),
            parameters: read_with(folder, &["parameters.csv"], |b| {
                Table::parse(b).map_err(|e| e.to_string())
            }),
        }
    }
}

/// Columns of ADCPS the report uses (WHO scale by day).
pub const ADCPS_COLUMNS: &[&str] = &["TRT01P", "ADY", "AVAL"];
/// Columns of ADLB the report uses (Table 1 baseline values, biomarker trajectories).
pub const ADLB_COLUMNS: &[&str] = &[
    "USUBJID", "TRT01P", "PARAMCD", "PARAM", "ADY", "AVAL", "ABLFL",
];

/// A large by-day dataset, streamed from its file keeping only `keep`.
fn read_large_table(folder: &Path, name: &str, keep: &[&str]) -> Input<Table> {
    for file in [
        format!("{name}.csv"),
        format!("{}.csv", name.to_uppercase()),
    ] {
        let path = folder.join(&file);
        if !path.is_file() {
            continue;
        }
        let parsed = std::fs::File::open(&path)
            .map_err(|e| e.to_string())
            .and_then(|f| {
                Table::read_columns(std::io::BufReader::new(f), keep).map_err(|e| e.to_string())
            });
        return match parsed {
            Ok(t) => Input::Ok(t),
            Err(e) => Input::Unreadable(format!("{file}: {e}")),
        };
    }
    Input::Missing
}

/// A dataset by its name: `adsl.csv`, or `ADSL.csv` as the engine's writer names it.
fn read_table(folder: &Path, name: &str) -> Input<Table> {
    let lower = format!("{name}.csv");
    let upper = format!("{}.csv", name.to_uppercase());
    read_with(folder, &[&lower, &upper], |b| {
        Table::parse(b).map_err(|e| e.to_string())
    })
}

fn read_with<T>(
    folder: &Path,
    names: &[&str],
    parse: impl Fn(&[u8]) -> Result<T, String>,
) -> Input<T> {
    for name in names {
        let path = folder.join(name);
        if !path.is_file() {
            continue;
        }
        return match std::fs::read(&path) {
            Ok(bytes) => match parse(&bytes) {
                Ok(v) => Input::Ok(v),
                Err(e) => Input::Unreadable(format!("{name}: {e}")),
            },
            Err(e) => Input::Unreadable(format!("{name}: {e}")),
        };
    }
    Input::Missing
}
