mod common;
mod tls;
