//! Bulk loading: rows are written as CSV, copied into a temporary staging table, then
//! inserted into the real table.
//!
//! Why the detour: `COPY … FROM` is refused on tables with row-level security (every
//! tenant table here), but a temporary table has none, and `insert … select` from it is
//! checked by the policies like any insert.

use sqlx::PgConnection;
use std::fmt::Write as _;

/// One CSV row under construction.
#[derive(Default)]
pub struct Row(String);

impl Row {
    /// Starts an empty row.
    pub fn new() -> Self {
        Row(String::with_capacity(256))
    }

    fn sep(&mut self) {
        if !self.0.is_empty() {
            self.0.push(',');
        }
    }

    /// A text value, quoted.
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.sep();
        self.0.push('"');
        for c in value.chars() {
            if c == '"' {
                self.0.push('"');
            }
            self.0.push(c);
        }
        self.0.push('"');
        self
    }

    /// An optional text value; `None` is SQL NULL (an unquoted empty field).
    pub fn opt_text(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.text(v),
            None => self.null(),
        }
    }

    /// Anything whose `Display` is its SQL literal (numbers, uuids, timestamps).
    pub fn val(&mut self, value: impl std::fmt::Display) -> &mut Self {
        self.sep();
        let _ = write!(self.0, "{value}");
        self
    }

    /// An optional `Display` value.
    pub fn opt(&mut self, value: Option<impl std::fmt::Display>) -> &mut Self {
        match value {
            Some(v) => self.val(v),
            None => self.null(),
        }
    }

    /// SQL NULL.
    pub fn null(&mut self) -> &mut Self {
        self.sep();
        self
    }

    /// A text array literal (`{"a","b"}`), quoted as one CSV field.
    pub fn text_array(&mut self, values: &[&str]) -> &mut Self {
        let literal = format!(
            "{{{}}}",
            values
                .iter()
                .map(|v| format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
                .collect::<Vec<_>>()
                .join(",")
        );
        self.text(&literal)
    }

    /// Ends the row.
    pub fn finish(&mut self, buffer: &mut String) {
        buffer.push_str(&self.0);
        buffer.push('\n');
        self.0.clear();
    }
}

/// A bulk load into one table.
pub struct Loader {
    table: &'static str,
    columns: &'static str,
    buffer: String,
    pending: usize,
    batch: usize,
    /// Rows inserted so far.
    pub inserted: u64,
}

impl Loader {
    /// Loads `columns` (comma-separated, as in SQL) of `table`, `batch` rows at a time.
    pub fn new(table: &'static str, columns: &'static str, batch: usize) -> Self {
        Loader {
            table,
            columns,
            buffer: String::with_capacity(batch.min(10_000) * 200),
            pending: 0,
            batch,
            inserted: 0,
        }
    }

    /// Adds a row; flushes when the batch is full.
    pub async fn push(
        &mut self,
        conn: &mut PgConnection,
        row: &mut Row,
    ) -> Result<(), sqlx::Error> {
        row.finish(&mut self.buffer);
        self.pending += 1;
        if self.pending >= self.batch {
            self.flush(conn).await?;
        }
        Ok(())
    }

    /// Rows buffered and not yet written.
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// Writes whatever is buffered.
    pub async fn flush(&mut self, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        if self.pending == 0 {
            return Ok(());
        }
        let stage = format!("stage_{}", self.table);
        // The staging table has the target's column types and nothing else.
        sqlx::query(&format!(
            "create temp table if not exists {stage} as select {cols} from {table} with no data",
            cols = self.columns,
            table = self.table
        ))
        .execute(&mut *conn)
        .await?;
        let mut copy = conn
            .copy_in_raw(&format!(
                "copy {stage} ({}) from stdin with (format csv)",
                self.columns
            ))
            .await?;
        copy.send(self.buffer.as_bytes()).await?;
        copy.finish().await?;
        sqlx::query(&format!(
            "insert into {table} ({cols}) select {cols} from {stage}",
            table = self.table,
            cols = self.columns
        ))
        .execute(&mut *conn)
        .await?;
        sqlx::query(&format!("truncate {stage}"))
            .execute(&mut *conn)
            .await?;
        self.inserted += self.pending as u64;
        self.pending = 0;
        self.buffer.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_nulls_follow_postgres_csv() {
        let mut row = Row::new();
        row.text("say \"hi\"")
            .opt_text(None)
            .val(42)
            .text_array(&["a b", "c\"d"]);
        let mut out = String::new();
        row.finish(&mut out);
        assert_eq!(
            out,
            "\"say \"\"hi\"\"\",,42,\"{\"\"a b\"\",\"\"c\\\"\"d\"\"}\"\n"
        );
    }
}
