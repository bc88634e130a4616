//! One feed's life: what the user configured, how it connects, and what state it is in.
//!
//! - [`config`]: the feed as the user saved it ([`FeedConfig`]) and the form it comes from
//!   ([`FeedDraft`]), with validation that names the field at fault.
//! - [`clients`]: which HTTP client a feed connects with (shared, or one per CA file).
//! - [`connection`]: one HTTP request and the checks on its response.
//! - [`probe`]: the feed test — one connection, a few events, the failure named exactly.
//! - [`supervisor`]: the one plain `async` loop that keeps a feed connected.
//! - [`ntfy`]: ntfy's stream, which resumes with `since=` instead of `Last-Event-ID`.
//! - [`replay`]: exactly once — the rule that tells a replay from a new event.
//! - [`resume`]: where a feed resumes ([`Cursor`]) and the catch-up burst after it does.
//! - [`backoff`]: the pure policy that says how long to wait before the next attempt.
//! - [`status`]: the state machine the UI and the tests read, and the errors it carries.

pub mod backoff;
pub mod clients;
pub mod config;
pub mod connection;
pub mod ntfy;
pub mod probe;
pub mod replay;
pub mod resume;
pub mod status;
pub mod supervisor;

pub use config::{
    FeedConfig, FeedDraft, FeedId, Header, Retention, SecretsAt, ValidationError, redact_url,
};
pub use resume::{Cursor, ResumeMode};
pub use status::{ErrorKind, FeedError, FeedStatus, StopReason};
pub use supervisor::{Control, FeedMessage, FeedOptions, FeedUpdate, Received};
