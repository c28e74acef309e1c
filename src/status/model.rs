//! What the status page shows.

use serde::{Deserialize, Serialize};

/// The health of the deployment as seen by this server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SystemStatus {
    /// The version of the running binary.
    pub version: String,
    /// The database check; `None` when the database could not be reached.
    pub database: Option<DatabaseStatus>,
}

/// What one round trip to the database found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatabaseStatus {
    /// Round-trip time of the check, in milliseconds.
    pub round_trip_ms: f64,
    /// How many migrations have been applied.
    pub migrations_applied: i64,
    /// The description of the newest applied migration.
    pub latest_migration: Option<String>,
}
