//! Credentials and request signing.

mod secret;
pub mod signer;
#[cfg(test)]
mod vectors_test;

pub use secret::Secret;
