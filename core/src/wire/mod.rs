//! Layer 1: bytes and wire formats. Nothing here knows the participant API:
//! the byte sink every writer writes into, form-urlencoded bytes, the JSON
//! engine, RFC 2822 dates, SIDs and labels, and HTTP/1.1 framing for both
//! ends. Each file is a public module: `confpart::wire::<file>::Item`.

pub(crate) mod base64;
pub mod date;
pub mod form;
pub mod http;
pub mod ident;
pub mod json;
pub(crate) mod scan;
pub mod sink;
