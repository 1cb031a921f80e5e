//! How the emulator pages a listing: `limit` and `offset` from the query,
//! `offset` counted as `--offset-unit` says, at most `--page-clamp` records
//! a page, and `total` as `--list-total` says (list jobs and list scripts
//! behave alike, as one server would).

use serde_json::Value;

use super::respond::query_param;
use super::{OffsetUnit, State, TotalFault};

/// `limit` and `offset` of a listing request, or `None` when malformed.
/// `limit` defaults to `default_limit` and must be in `1..=max_limit`.
pub(crate) fn parse(
    query: &[(String, String)],
    default_limit: u64,
    max_limit: u64,
) -> Option<(u64, u64)> {
    let limit = match query_param(query, "limit") {
        None => default_limit,
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|limit| (1..=max_limit).contains(limit))?,
    };
    let offset = match query_param(query, "offset") {
        None => 0,
        Some(text) => text.parse::<u64>().ok()?,
    };
    Some((limit, offset))
}

/// The body of one page of a DLF listing of `records` (every record that
/// matches): `{"<key>": [the page, each record rendered], "total": …}`, the
/// page as [`window`] says and `total` as [`shown_total`] says.
pub(crate) fn listing_page<T>(
    state: &State,
    key: &str,
    records: &[T],
    (limit, offset): (u64, u64),
    render: impl Fn(&T) -> Value,
) -> Value {
    let (skip, take) = window(state, limit, offset);
    let mut body = serde_json::Map::new();
    let page = records.iter().skip(skip).take(take).map(render).collect();
    body.insert(key.to_string(), page);
    if let Some(total) = shown_total(state, records.len() as u64) {
        body.insert("total".to_string(), total.into());
    }
    Value::Object(body)
}

/// The records a DLF listing page holds: `(skip, take)`.
fn window(state: &State, limit: u64, offset: u64) -> (usize, usize) {
    // `--page-clamp`: a server that returns fewer records than asked.
    let limit = state.page_clamp.map_or(limit, |clamp| limit.min(clamp));
    let skip = match state.offset_unit {
        OffsetUnit::Records => offset,
        OffsetUnit::Pages => offset.saturating_mul(limit),
    };
    (
        usize::try_from(skip).unwrap_or(usize::MAX),
        usize::try_from(limit).unwrap_or(usize::MAX),
    )
}

/// The `total` a DLF listing reports for `total` records (`None`: no field).
fn shown_total(state: &State, total: u64) -> Option<u64> {
    match state.faults.list_total() {
        None => Some(total),
        Some(TotalFault::Missing) => None,
        Some(TotalFault::Low) => Some(total / 2),
        Some(TotalFault::Huge) => Some(1_000_000_000_000_000),
    }
}
