//! A small columnar dataset (named, typed, labelled columns with missing values) and its
//! CSV and Parquet carriers, plus the CDISC ADaM datasets built from plain per-patient records.
//!
//! CSV conventions: a header of variable names; a missing value is an empty field (as SAS and R
//! read it), so an empty string and a missing string are the same thing; floats are written with
//! the shortest text that reads back to the same bits. Every file is written under a temporary
//! name in the same folder and renamed ([`crate::results::write_atomically`]).

pub mod adam;
#[cfg(feature = "parquet")]
pub mod parquet;
mod strings;

pub use strings::Strings;

use std::path::{Path, PathBuf};
use thiserror::Error;

/// Errors building, writing or reading a dataset.
#[derive(Debug, Error)]
pub enum DatasetError {
    /// Columns of a dataset have different lengths.
    #[error("dataset {dataset}: column {column} has {got} rows, expected {expected}")]
    RaggedColumns {
        /// Dataset name.
        dataset: String,
        /// Offending column.
        column: String,
        /// Its length.
        got: usize,
        /// Length of the first column.
        expected: usize,
    },
    /// Two columns share a name.
    #[error("dataset {dataset}: column {column} appears twice")]
    DuplicateColumn {
        /// Dataset name.
        dataset: String,
        /// Repeated name.
        column: String,
    },
    /// Datasets to merge have different schemas.
    #[error("dataset {dataset}: shard {shard} has a different schema")]
    SchemaMismatch {
        /// Dataset name.
        dataset: String,
        /// Index of the offending shard.
        shard: usize,
    },
    /// A key column named for sorting or merging does not exist.
    #[error("dataset {dataset}: no column {column}")]
    NoSuchColumn {
        /// Dataset name.
        dataset: String,
        /// Missing column.
        column: String,
    },
    /// A CSV file's header does not match the expected columns.
    #[error("{path}: header {found:?} does not match the expected columns {expected:?}")]
    HeaderMismatch {
        /// File.
        path: PathBuf,
        /// Header found.
        found: Vec<String>,
        /// Header expected.
        expected: Vec<String>,
    },
    /// A CSV field could not be parsed as its column's type.
    #[error("{path}: row {row}, column {column}: cannot read {value:?} as {kind:?}")]
    BadValue {
        /// File.
        path: PathBuf,
        /// 1-based data row.
        row: usize,
        /// Column name.
        column: String,
        /// The text.
        value: String,
        /// Expected type.
        kind: ColumnType,
    },
    /// A record refers to a subject that has no subject record.
    #[error("{dataset}: record for subject {subject_id} which has no subject record")]
    UnknownSubject {
        /// Dataset being built.
        dataset: String,
        /// The subject id.
        subject_id: u64,
    },
    /// A value outside its allowed range in a record.
    #[error("{dataset}: subject {subject_id}: {message}")]
    BadRecord {
        /// Dataset being built.
        dataset: String,
        /// The subject id.
        subject_id: u64,
        /// What is wrong.
        message: String,
    },
    /// CSV encoding or decoding failed.
    #[error("{path}: {source}")]
    Csv {
        /// File.
        path: PathBuf,
        /// Cause.
        source: csv::Error,
    },
    /// A file could not be written or read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// Parquet encoding or decoding failed.
    #[cfg(feature = "parquet")]
    #[error("{path}: {message}")]
    Parquet {
        /// File.
        path: PathBuf,
        /// Cause, as text (arrow and parquet errors).
        message: String,
    },
}

/// The CSV field of `value`, exactly as `csv::Writer` (newline terminator) writes it. An empty
/// value is an empty field, except in a dataset of one column (`lone`), where csv::Writer quotes
/// it so that the record is not a blank line.
fn csv_field(value: &str, lone: bool) -> Result<Vec<u8>, csv::Error> {
    // Text without a delimiter, quote or line-break byte is written as it is (csv quotes \r
    // too, which a reader takes for a terminator).
    let plain = !value
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
    if plain && !(value.is_empty() && lone) {
        return Ok(value.as_bytes().to_vec());
    }
    // Otherwise csv::Writer encodes it, as a one-field record whose terminator is removed.
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    writer.write_record([value])?;
    let mut bytes = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    bytes.pop();
    Ok(bytes)
}

/// One column as CSV: a string column's distinct values already encoded as fields.
enum CsvCells<'a> {
    Str(Vec<Vec<u8>>, &'a [Option<u32>]),
    Int(&'a [Option<i64>]),
    Float(&'a [Option<f64>]),
}

/// A dataset ready to be streamed as CSV: every field that may need quoting is encoded, so
/// writing is plain output (see [`Dataset::csv_text`]).
struct CsvText<'a> {
    header: Vec<Vec<u8>>,
    columns: Vec<CsvCells<'a>>,
    rows: usize,
    /// Text of a missing value.
    missing: &'static [u8],
}

impl CsvText<'_> {
    /// Writes the header, then one record per row, `\n` after each.
    fn write<W: std::io::Write>(&self, out: &mut W) -> std::io::Result<()> {
        use std::fmt::Write as _;
        for (k, field) in self.header.iter().enumerate() {
            if k > 0 {
                out.write_all(b",")?;
            }
            out.write_all(field)?;
        }
        out.write_all(b"\n")?;
        let mut integer = itoa::Buffer::new();
        let mut float = String::new();
        for row in 0..self.rows {
            for (k, c) in self.columns.iter().enumerate() {
                if k > 0 {
                    out.write_all(b",")?;
                }
                match c {
                    CsvCells::Str(fields, codes) => match codes[row] {
                        Some(code) => out.write_all(&fields[code as usize])?,
                        None => out.write_all(self.missing)?,
                    },
                    CsvCells::Int(v) => match v[row] {
                        Some(x) => out.write_all(integer.format(x).as_bytes())?,
                        None => out.write_all(self.missing)?,
                    },
                    // `Display`: the shortest decimal that parses back to the same bits.
                    CsvCells::Float(v) => match v[row] {
                        Some(x) => {
                            float.clear();
                            let _ = write!(float, "{x}");
                            out.write_all(float.as_bytes())?;
                        }
                        None => out.write_all(self.missing)?,
                    },
                }
            }
            out.write_all(b"\n")?;
        }
        out.flush()
    }
}

/// The type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Character values.
    Str,
    /// 64-bit integers.
    Int,
    /// 64-bit floats.
    Float,
}

/// The values of one column; `None` is a missing value.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Character values (each distinct value stored once).
    Str(Strings),
    /// Integer values.
    Int(Vec<Option<i64>>),
    /// Float values.
    Float(Vec<Option<f64>>),
}

impl Values {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Values::Str(v) => v.len(),
            Values::Int(v) => v.len(),
            Values::Float(v) => v.len(),
        }
    }

    /// True when there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The column type.
    pub fn kind(&self) -> ColumnType {
        match self {
            Values::Str(_) => ColumnType::Str,
            Values::Int(_) => ColumnType::Int,
            Values::Float(_) => ColumnType::Float,
        }
    }

    /// Empty values of a type with room for `rows` values.
    fn with_capacity(kind: ColumnType, rows: usize) -> Self {
        match kind {
            ColumnType::Str => Values::Str(Strings::with_capacity(rows)),
            ColumnType::Int => Values::Int(Vec::with_capacity(rows)),
            ColumnType::Float => Values::Float(Vec::with_capacity(rows)),
        }
    }

    /// Empty values of a type.
    fn empty(kind: ColumnType) -> Self {
        match kind {
            ColumnType::Str => Values::Str(Strings::new()),
            ColumnType::Int => Values::Int(Vec::new()),
            ColumnType::Float => Values::Float(Vec::new()),
        }
    }

    /// Values at the given row indices, in that order.
    fn take(&self, rows: &[usize]) -> Self {
        match self {
            Values::Str(v) => Values::Str(v.take(rows)),
            Values::Int(v) => Values::Int(rows.iter().map(|&i| v[i]).collect()),
            Values::Float(v) => Values::Float(rows.iter().map(|&i| v[i]).collect()),
        }
    }

    /// Appends the values of `other` (same type; checked by the caller).
    fn extend(&mut self, other: &Values) {
        match (self, other) {
            (Values::Str(a), Values::Str(b)) => a.extend_from(b),
            (Values::Int(a), Values::Int(b)) => a.extend(b.iter().copied()),
            (Values::Float(a), Values::Float(b)) => a.extend(b.iter().copied()),
            _ => unreachable!("schemas were compared before extending"),
        }
    }
}

/// A named, labelled column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Variable name (CDISC: upper case, at most 8 characters).
    pub name: String,
    /// Variable label (CDISC: at most 40 characters).
    pub label: String,
    /// The values.
    pub values: Values,
}

impl Column {
    /// A character column.
    pub fn str(name: &str, label: &str, values: Vec<Option<String>>) -> Self {
        Self::new(name, label, Values::Str(values.into_iter().collect()))
    }

    /// An integer column.
    pub fn int(name: &str, label: &str, values: Vec<Option<i64>>) -> Self {
        Self::new(name, label, Values::Int(values))
    }

    /// A float column.
    pub fn float(name: &str, label: &str, values: Vec<Option<f64>>) -> Self {
        Self::new(name, label, Values::Float(values))
    }

    fn new(name: &str, label: &str, values: Values) -> Self {
        Self {
            name: name.to_owned(),
            label: label.to_owned(),
            values,
        }
    }

    /// Name, label and type, without the values.
    pub fn spec(&self) -> ColumnSpec {
        ColumnSpec {
            name: self.name.clone(),
            label: self.label.clone(),
            kind: self.values.kind(),
        }
    }
}

/// A column's name, label and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Variable name.
    pub name: String,
    /// Variable label.
    pub label: String,
    /// Type.
    pub kind: ColumnType,
}

/// A dataset: a name (e.g. "ADSL"), a label and equally long columns with unique names.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    name: String,
    label: String,
    columns: Vec<Column>,
    rows: usize,
}

impl Dataset {
    /// Builds a dataset, checking that columns have equal lengths and unique names.
    pub fn new(name: &str, label: &str, columns: Vec<Column>) -> Result<Self, DatasetError> {
        let rows = columns.first().map_or(0, |c| c.values.len());
        let mut seen = std::collections::BTreeSet::new();
        for c in &columns {
            if c.values.len() != rows {
                return Err(DatasetError::RaggedColumns {
                    dataset: name.to_owned(),
                    column: c.name.clone(),
                    got: c.values.len(),
                    expected: rows,
                });
            }
            if !seen.insert(c.name.as_str()) {
                return Err(DatasetError::DuplicateColumn {
                    dataset: name.to_owned(),
                    column: c.name.clone(),
                });
            }
        }
        Ok(Self {
            name: name.to_owned(),
            label: label.to_owned(),
            columns,
            rows,
        })
    }

    /// Dataset name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Dataset label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The columns, in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Names, labels and types of the columns.
    pub fn schema(&self) -> Vec<ColumnSpec> {
        self.columns.iter().map(Column::spec).collect()
    }

    /// Joins shard datasets with the same schema into one whose rows are stably sorted by the
    /// key column (e.g. USUBJID): rows with equal keys keep their order within their shard, and
    /// shards are taken in the order given. Because all rows of one subject come from one shard,
    /// the result does not depend on how patients were split, only on the key order.
    pub fn merge_sorted_by(parts: &[Dataset], key: &str) -> Result<Dataset, DatasetError> {
        let Some(first) = parts.first() else {
            return Dataset::new("", "", Vec::new());
        };
        let schema = first.schema();
        for (shard, part) in parts.iter().enumerate() {
            if part.schema() != schema || part.name != first.name {
                return Err(DatasetError::SchemaMismatch {
                    dataset: first.name.clone(),
                    shard,
                });
            }
        }
        let mut columns: Vec<Column> = first
            .columns
            .iter()
            .map(|c| Column::new(&c.name, &c.label, Values::empty(c.values.kind())))
            .collect();
        for part in parts {
            for (all, c) in columns.iter_mut().zip(&part.columns) {
                all.values.extend(&c.values);
            }
        }
        let joined = Dataset::new(&first.name, &first.label, columns)?;
        joined.sorted_by(key)
    }

    /// The same dataset with rows stably sorted by the key column (missing values first;
    /// strings by bytes, floats by `total_cmp`).
    pub fn sorted_by(&self, key: &str) -> Result<Dataset, DatasetError> {
        let column = self.column(key).ok_or_else(|| DatasetError::NoSuchColumn {
            dataset: self.name.clone(),
            column: key.to_owned(),
        })?;
        let mut order: Vec<usize> = (0..self.rows).collect();
        match &column.values {
            Values::Str(v) => order.sort_by(|&a, &b| v.get(a).cmp(&v.get(b))),
            Values::Int(v) => order.sort_by(|&a, &b| v[a].cmp(&v[b])),
            Values::Float(v) => order.sort_by(|&a, &b| match (v[a], v[b]) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (x, y) => x.is_some().cmp(&y.is_some()),
            }),
        }
        let columns = self
            .columns
            .iter()
            .map(|c| Column::new(&c.name, &c.label, c.values.take(&order)))
            .collect();
        Dataset::new(&self.name, &self.label, columns)
    }

    /// The CSV text of the dataset.
    pub fn to_csv_bytes(&self) -> Result<Vec<u8>, DatasetError> {
        let path = PathBuf::from(format!("<{}>", self.name));
        let mut bytes = Vec::new();
        self.csv_text(&path)?
            .write(&mut bytes)
            .map_err(|source| DatasetError::Io { path, source })?;
        Ok(bytes)
    }

    /// The dataset ready to be written as CSV (`path` names it in errors).
    ///
    /// The text is what `csv::Writer` writes (header, then one record per row, fields quoted
    /// only where needed), but each distinct string is encoded once and numbers are formatted
    /// straight into the output: writing runs once per cell of every dataset, millions for a
    /// large trial. A property test compares it with `csv::Writer` on arbitrary text.
    fn csv_text(&self, path: &Path) -> Result<CsvText<'_>, DatasetError> {
        let csv_error = |source| DatasetError::Csv {
            path: path.to_owned(),
            source,
        };
        let lone = self.columns.len() == 1;
        let header = self
            .columns
            .iter()
            .map(|c| csv_field(&c.name, lone))
            .collect::<Result<_, _>>()
            .map_err(csv_error)?;
        let columns = self
            .columns
            .iter()
            .map(|c| {
                Ok(match &c.values {
                    Values::Str(v) => CsvCells::Str(
                        v.levels()
                            .map(|l| csv_field(l, lone))
                            .collect::<Result<_, _>>()?,
                        v.codes(),
                    ),
                    Values::Int(v) => CsvCells::Int(v),
                    Values::Float(v) => CsvCells::Float(v),
                })
            })
            .collect::<Result<_, csv::Error>>()
            .map_err(csv_error)?;
        Ok(CsvText {
            header,
            columns,
            rows: self.rows,
            missing: if lone { b"\"\"" } else { b"" },
        })
    }

    /// Writes the dataset as CSV to `path`, atomically, streaming the text to the file.
    pub fn write_csv(&self, path: &Path) -> Result<(), DatasetError> {
        let text = self.csv_text(path)?;
        crate::results::write_atomically_with(path, |file| text.write(file)).map_err(|source| {
            DatasetError::Io {
                path: path.to_owned(),
                source,
            }
        })
    }

    /// The variable-label sidecar of the CSV carrier (CSV has no place for labels): one row per
    /// column with its name, label and type (`string`, `integer`, `double`).
    pub fn labels_csv_bytes(&self) -> Result<Vec<u8>, DatasetError> {
        let csv_error = |source| DatasetError::Csv {
            path: PathBuf::from(format!("<{} labels>", self.name)),
            source,
        };
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        writer
            .write_record(["NAME", "LABEL", "TYPE"])
            .map_err(csv_error)?;
        for c in &self.columns {
            let kind = match c.values.kind() {
                ColumnType::Str => "string",
                ColumnType::Int => "integer",
                ColumnType::Float => "double",
            };
            writer
                .write_record([c.name.as_str(), c.label.as_str(), kind])
                .map_err(csv_error)?;
        }
        writer.into_inner().map_err(|e| DatasetError::Io {
            path: PathBuf::from(format!("<{} labels>", self.name)),
            source: e.into_error(),
        })
    }

    /// Reads a CSV file written by [`Dataset::write_csv`], given the expected columns.
    pub fn read_csv(
        path: &Path,
        name: &str,
        label: &str,
        schema: &[ColumnSpec],
    ) -> Result<Dataset, DatasetError> {
        let csv_error = |source| DatasetError::Csv {
            path: path.to_owned(),
            source,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_path(path)
            .map_err(csv_error)?;
        let found: Vec<String> = reader
            .headers()
            .map_err(csv_error)?
            .iter()
            .map(str::to_owned)
            .collect();
        let expected: Vec<String> = schema.iter().map(|s| s.name.clone()).collect();
        if found != expected {
            return Err(DatasetError::HeaderMismatch {
                path: path.to_owned(),
                found,
                expected,
            });
        }
        let mut values: Vec<Values> = schema.iter().map(|s| Values::empty(s.kind)).collect();
        for (row, record) in reader.records().enumerate() {
            let record = record.map_err(csv_error)?;
            for ((field, spec), column) in record.iter().zip(schema).zip(&mut values) {
                let bad = || DatasetError::BadValue {
                    path: path.to_owned(),
                    row: row + 1,
                    column: spec.name.clone(),
                    value: field.to_owned(),
                    kind: spec.kind,
                };
                let missing = field.is_empty();
                match column {
                    Values::Str(v) => v.push((!missing).then_some(field)),
                    Values::Int(v) => v.push(if missing {
                        None
                    } else {
                        Some(field.parse().map_err(|_| bad())?)
                    }),
                    Values::Float(v) => v.push(if missing {
                        None
                    } else {
                        Some(field.parse().map_err(|_| bad())?)
                    }),
                }
            }
        }
        let columns = schema
            .iter()
            .zip(values)
            .map(|(s, v)| Column::new(&s.name, &s.label, v))
            .collect();
        Dataset::new(name, label, columns)
    }
}

#[cfg(test)]
mod tests;
