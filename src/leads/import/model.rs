//! CSV import as pages see it: the lead fields a column can fill, the limits of a file,
//! and an import's progress and outcome.

use super::super::model::LeadForm;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Largest upload accepted, in bytes.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;
/// Most data rows in one file.
pub const MAX_ROWS: usize = 200_000;
/// Most columns in one file.
pub const MAX_COLUMNS: usize = 60;
/// Longest cell, in characters.
pub const MAX_CELL: usize = 2_000;
/// Sample rows shown on the mapping step.
pub const SAMPLE_ROWS: usize = 3;

key_enum!(
    /// A lead field a CSV column can fill.
    ImportField, [
        FirstName => "first_name", "First name",
        LastName => "last_name", "Last name",
        Email => "email", "Email",
        Phone => "phone", "Phone",
        Company => "company", "Company",
        JobTitle => "job_title", "Job title",
        Priority => "priority", "Priority",
        EstimatedValue => "estimated_value", "Estimated value",
        Tags => "tags", "Tags",
        NextFollowUp => "next_follow_up", "Next follow-up",
    ]
);

impl ImportField {
    /// The field a column header most likely means (`E-mail address` is the email),
    /// for a header the organization has not mapped before.
    pub fn guess(header: &str) -> Option<ImportField> {
        let h: String = header
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        let field = match h.as_str() {
            "firstname" | "givenname" | "forename" | "first" => ImportField::FirstName,
            "lastname" | "surname" | "familyname" | "last" => ImportField::LastName,
            "email" | "emailaddress" | "mail" | "workemail" => ImportField::Email,
            "phone" | "phonenumber" | "telephone" | "mobile" | "tel" => ImportField::Phone,
            "company" | "companyname" | "organization" | "organisation" | "account" => {
                ImportField::Company
            }
            "jobtitle" | "title" | "position" | "role" => ImportField::JobTitle,
            "priority" | "rating" => ImportField::Priority,
            "estimatedvalue" | "value" | "dealvalue" | "amount" => ImportField::EstimatedValue,
            "tags" | "labels" => ImportField::Tags,
            "nextfollowup" | "followup" | "followupdate" => ImportField::NextFollowUp,
            _ => return None,
        };
        Some(field)
    }

    /// Puts `value` into this field of `form`.
    pub fn set(self, form: &mut LeadForm, value: String) {
        let slot = match self {
            ImportField::FirstName => &mut form.first_name,
            ImportField::LastName => &mut form.last_name,
            ImportField::Email => &mut form.email,
            ImportField::Phone => &mut form.phone,
            ImportField::Company => &mut form.company,
            ImportField::JobTitle => &mut form.job_title,
            ImportField::Priority => &mut form.priority,
            ImportField::EstimatedValue => &mut form.estimated_value,
            ImportField::Tags => &mut form.tags,
            ImportField::NextFollowUp => &mut form.next_follow_up,
        };
        *slot = value;
    }
}

/// What to do with a row whose email belongs to an existing lead.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "lead_import_mode", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Create new leads; skip rows whose email is already a lead.
    #[default]
    Create,
    /// Create new leads and update existing ones (the mapped, non-blank cells).
    Upsert,
}

/// Where an import is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "lead_import_status", rename_all = "snake_case")
)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    /// Staged; waiting for its mapping.
    Uploaded,
    /// Waiting for the worker.
    Queued,
    /// Being applied.
    Running,
    /// Finished (a dry run may be started again for real).
    Done,
    /// Stopped; it can be started again and resumes.
    Failed,
}

impl ImportStatus {
    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            ImportStatus::Uploaded => "Waiting for its mapping",
            ImportStatus::Queued => "Queued",
            ImportStatus::Running => "Running",
            ImportStatus::Done => "Done",
            ImportStatus::Failed => "Stopped",
        }
    }

    /// Whether the worker has it (the page refreshes itself meanwhile).
    pub fn in_progress(self) -> bool {
        matches!(self, ImportStatus::Queued | ImportStatus::Running)
    }
}

/// One import with its figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    /// Its id.
    pub id: Uuid,
    /// The uploaded file's name.
    pub filename: String,
    /// Who uploaded it.
    pub created_by: String,
    /// When (`YYYY-MM-DD HH:MM` UTC).
    pub created_at: String,
    /// Where it is.
    pub status: ImportStatus,
    /// Its mode.
    pub mode: ImportMode,
    /// Whether the last run was a dry run.
    pub dry_run: bool,
    /// Data rows in the file.
    pub total: i32,
    /// Rows applied so far.
    pub processed: i32,
    /// Rows that created a lead (or would, in a dry run).
    pub created: i32,
    /// Rows that updated a lead.
    pub updated: i32,
    /// Rows skipped (their email is already a lead, in create mode).
    pub skipped: i32,
    /// Rows refused, each with a reason in the error report.
    pub errors: i32,
    /// Why it stopped, when it did.
    pub failure: Option<String>,
}

impl ImportSummary {
    /// Progress in percent (0-100).
    pub fn percent(&self) -> i32 {
        if self.total == 0 {
            100
        } else {
            (i64::from(self.processed) * 100 / i64::from(self.total)) as i32
        }
    }
}

/// An import with what its mapping step shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportDetail {
    /// The import.
    pub summary: ImportSummary,
    /// The file's column headers.
    pub header: Vec<String>,
    /// Per column, the field proposed or chosen ('' = ignored).
    pub mapping: Vec<String>,
    /// The first rows, to recognise the columns by.
    pub samples: Vec<Vec<String>>,
    /// The first refused rows: (line, why).
    pub errors: Vec<(i32, String)>,
}

/// Why an upload was refused, as the `error` query parameter of the import page.
pub fn upload_error_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "missing" => "Choose a CSV file to upload.",
        "empty" => "That file is empty. Export the leads with a header row and try again.",
        "too_large" => "That file is larger than 64 MB. Split it into smaller files.",
        "too_many_rows" => "That file has more than 200,000 rows. Split it into smaller files.",
        "too_many_columns" => {
            "That file has more than 60 columns. Remove the ones you do not import."
        }
        "bad_header" => {
            "The first row must name every column, each name once. Fix the header row and try again."
        }
        "not_csv" => {
            "That file could not be read as CSV (UTF-8, comma-separated). Save it as CSV UTF-8 and try again."
        }
        _ => return None,
    })
}

/// Parses the mapping form: one field key (or '') per column, each field at most once,
/// enough to name a lead, and the email when existing leads are to be updated.
pub fn parse_mapping(
    columns: usize,
    chosen: &[String],
    mode: ImportMode,
) -> Result<Vec<Option<ImportField>>, &'static str> {
    if chosen.len() != columns {
        return Err("Choose a field (or “Don't import”) for every column.");
    }
    let mut fields = Vec::with_capacity(columns);
    for key in chosen {
        let field = match key.trim() {
            "" => None,
            k => Some(ImportField::parse(k).ok_or("Choose one of the listed fields.")?),
        };
        if field.is_some() && fields.contains(&field) {
            return Err("Two columns are mapped to the same field. Map each field once.");
        }
        fields.push(field);
    }
    let names_a_lead = fields.iter().flatten().any(|f| {
        matches!(
            f,
            ImportField::FirstName
                | ImportField::LastName
                | ImportField::Email
                | ImportField::Company
        )
    });
    if !names_a_lead {
        return Err("Map at least one of first name, last name, email or company.");
    }
    if mode == ImportMode::Upsert && !fields.contains(&Some(ImportField::Email)) {
        return Err("Updating existing leads matches them by email: map the email column.");
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_recognised_loosely() {
        assert_eq!(
            ImportField::guess("E-mail Address"),
            Some(ImportField::Email)
        );
        assert_eq!(
            ImportField::guess("first_name"),
            Some(ImportField::FirstName)
        );
        assert_eq!(ImportField::guess("Job Title"), Some(ImportField::JobTitle));
        assert_eq!(ImportField::guess("Favourite colour"), None);
    }

    #[test]
    fn mappings_must_be_complete_unique_and_name_a_lead() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse_mapping(2, &s(&["email", ""]), ImportMode::Upsert),
            Ok(vec![Some(ImportField::Email), None])
        );
        assert!(parse_mapping(3, &s(&["email", ""]), ImportMode::Create).is_err());
        assert!(parse_mapping(2, &s(&["email", "email"]), ImportMode::Create).is_err());
        assert!(parse_mapping(2, &s(&["phone", "tags"]), ImportMode::Create).is_err());
        assert!(parse_mapping(1, &s(&["company"]), ImportMode::Upsert).is_err());
        assert!(parse_mapping(1, &s(&["salary"]), ImportMode::Create).is_err());
        assert!(parse_mapping(1, &s(&["company"]), ImportMode::Create).is_ok());
    }

    #[test]
    fn percent_never_divides_by_zero() {
        let mut s = ImportSummary {
            id: Uuid::nil(),
            filename: String::new(),
            created_by: String::new(),
            created_at: String::new(),
            status: ImportStatus::Running,
            mode: ImportMode::Create,
            dry_run: false,
            total: 0,
            processed: 0,
            created: 0,
            updated: 0,
            skipped: 0,
            errors: 0,
            failure: None,
        };
        assert_eq!(s.percent(), 100);
        s.total = 3;
        s.processed = 1;
        assert_eq!(s.percent(), 33);
    }
}
