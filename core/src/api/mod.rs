//! Layer 2: the participant API's resources and rules, the same for the
//! client and the bridge: the endpoints of each service (dialect, host,
//! paths), the five operations, the Update and Create forms and their typed
//! fields, the participant resource, error bodies and named error codes,
//! list pages and their query, and when to retry. It uses only [`crate::wire`]. Each file is a
//! public module: `confpart::api::<file>::Item`.

pub mod callback;
pub mod codes;
pub mod create;
pub mod error;
pub mod fields;
pub mod list;
pub mod operation;
pub mod participant;
pub mod path;
pub mod query;
pub mod retry;
pub mod signature;
pub mod update;
