//! The Server-Sent Events protocol, with no I/O.
//!
//! [`Parser`] implements the WHATWG HTML "Parsing an event stream" and "Interpreting an event
//! stream" steps as a push parser: the caller feeds whatever bytes the network delivered, in any
//! chunking, and takes complete [`Event`]s out. "Need more input" is the normal state, not an
//! error. Memory is bounded by [`Limits`]; an event that would exceed them is dropped and reported
//! as an [`Oversize`].

mod copy;
mod event;
mod parser;
mod scan;
mod text;

/// Not part of the API: the parser's small-copy helper, for the benchmark's split-line copy
/// limit (which must copy at least as cheaply as the parser does to be a limit).
#[doc(hidden)]
pub use copy::append;
pub use event::Event;
pub use parser::{Limits, Oversize, Parser};
pub use text::Text;
