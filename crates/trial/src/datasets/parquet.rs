//! Parquet carrier for [`Dataset`] (arrow-array + parquet, ZSTD compression).
//!
//! Determinism: the writer's `created_by` is a fixed string (the default embeds the parquet
//! crate version), variable labels go into single-key field metadata (a one-entry map
//! serialises the same way every time), and the dataset name and label go into the file's
//! key-value metadata, an ordered list. Nothing time-dependent is written, so identical datasets
//! give identical bytes.

use super::{Column, ColumnType, Dataset, DatasetError, Strings, Values};
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Fixed `created_by` written into every file (see module docs).
pub const CREATED_BY: &str = "immunotrial";
/// Field-metadata key holding a variable's label.
const LABEL_KEY: &str = "label";
/// File key-value metadata keys for the dataset name and label.
const DATASET_NAME_KEY: &str = "immunotrial.dataset.name";
const DATASET_LABEL_KEY: &str = "immunotrial.dataset.label";

fn parquet_error(path: &Path, e: impl std::fmt::Display) -> DatasetError {
    DatasetError::Parquet {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

/// The Parquet bytes of a dataset (one row group).
pub fn to_parquet_bytes(dataset: &Dataset) -> Result<Vec<u8>, DatasetError> {
    let where_ = Path::new(dataset.name());
    let fields: Vec<Field> = dataset
        .columns()
        .iter()
        .map(|c| {
            let data_type = match c.values.kind() {
                ColumnType::Str => DataType::Utf8,
                ColumnType::Int => DataType::Int64,
                ColumnType::Float => DataType::Float64,
            };
            Field::new(&c.name, data_type, true)
                .with_metadata(HashMap::from([(LABEL_KEY.to_owned(), c.label.clone())]))
        })
        .collect();
    let arrays: Vec<ArrayRef> = dataset
        .columns()
        .iter()
        .map(|c| -> ArrayRef {
            match &c.values {
                Values::Str(v) => Arc::new(v.iter().collect::<StringArray>()),
                Values::Int(v) => Arc::new(v.iter().copied().collect::<Int64Array>()),
                Values::Float(v) => Arc::new(v.iter().copied().collect::<Float64Array>()),
            }
        })
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let batch = if arrays.is_empty() {
        RecordBatch::new_empty(schema.clone())
    } else {
        RecordBatch::try_new(schema.clone(), arrays).map_err(|e| parquet_error(where_, e))?
    };
    let properties = WriterProperties::builder()
        .set_created_by(CREATED_BY.to_owned())
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_key_value_metadata(Some(vec![
            KeyValue::new(DATASET_NAME_KEY.to_owned(), dataset.name().to_owned()),
            KeyValue::new(DATASET_LABEL_KEY.to_owned(), dataset.label().to_owned()),
        ]))
        .build();
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, schema, Some(properties))
        .map_err(|e| parquet_error(where_, e))?;
    writer.write(&batch).map_err(|e| parquet_error(where_, e))?;
    writer.close().map_err(|e| parquet_error(where_, e))?;
    Ok(bytes)
}

/// Writes the dataset as Parquet to `path`, atomically.
pub fn write_parquet(dataset: &Dataset, path: &Path) -> Result<(), DatasetError> {
    let bytes = to_parquet_bytes(dataset)?;
    crate::results::write_atomically(path, &bytes).map_err(|source| DatasetError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Reads a Parquet file written by [`write_parquet`] back into a dataset (name, label, column
/// labels and values).
pub fn read_parquet(path: &Path) -> Result<Dataset, DatasetError> {
    let file = std::fs::File::open(path).map_err(|source| DatasetError::Io {
        path: path.to_owned(),
        source,
    })?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| parquet_error(path, e))?;
    let key_value = |key: &str| -> String {
        builder
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .and_then(|kv| kv.iter().find(|e| e.key == key))
            .and_then(|e| e.value.clone())
            .unwrap_or_default()
    };
    let name = key_value(DATASET_NAME_KEY);
    let label = key_value(DATASET_LABEL_KEY);
    let schema = builder.schema().clone();
    let mut values: Vec<Values> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Utf8 => Ok(Values::Str(Strings::new())),
            DataType::Int64 => Ok(Values::Int(Vec::new())),
            DataType::Float64 => Ok(Values::Float(Vec::new())),
            other => Err(parquet_error(
                path,
                format!("column {} has unsupported type {other}", f.name()),
            )),
        })
        .collect::<Result<_, _>>()?;
    let reader = builder.build().map_err(|e| parquet_error(path, e))?;
    for batch in reader {
        let batch = batch.map_err(|e| parquet_error(path, e))?;
        for (array, column) in batch.columns().iter().zip(&mut values) {
            let wrong = || parquet_error(path, "column type changed between batches");
            match column {
                Values::Str(v) => {
                    let a = array
                        .as_any()
                        .downcast_ref::<StringArray>()
                        .ok_or_else(wrong)?;
                    for i in 0..a.len() {
                        v.push(a.is_valid(i).then(|| a.value(i)));
                    }
                }
                Values::Int(v) => {
                    let a = array
                        .as_any()
                        .downcast_ref::<Int64Array>()
                        .ok_or_else(wrong)?;
                    v.extend((0..a.len()).map(|i| a.is_valid(i).then(|| a.value(i))));
                }
                Values::Float(v) => {
                    let a = array
                        .as_any()
                        .downcast_ref::<Float64Array>()
                        .ok_or_else(wrong)?;
                    v.extend((0..a.len()).map(|i| a.is_valid(i).then(|| a.value(i))));
                }
            }
        }
    }
    let columns = schema
        .fields()
        .iter()
        .zip(values)
        .map(|(f, v)| Column {
            name: f.name().clone(),
            label: f.metadata().get(LABEL_KEY).cloned().unwrap_or_default(),
            values: v,
        })
        .collect();
    Dataset::new(&name, &label, columns)
}
