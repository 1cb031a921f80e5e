//! The paged listings of DataArts Factory: list jobs (`GET
//! /v1/{project_id}/jobs`, both job types) and list scripts (`GET
//! /v1/{project_id}/scripts`), read by one paging engine ([`page_all`]).
//!
//! The docs leave `offset`'s unit unclear (records or pages), `total` may be
//! missing or wrong, and a server may return fewer records than `limit`
//! asks. The rules:
//!
//! - ask for `offset=0`, then `offset=<records so far>`; if that second page
//!   repeats names already seen, or comes back empty while `total` says more
//!   exist (or after a full first page), continue with page numbers
//!   (`offset=1, 2, ...`) instead;
//! - continue while fewer names than `total` have been found or the last
//!   page came back full, so a `total` that is too low never hides jobs; a
//!   first page shorter than `limit` while `total` says more means the
//!   server clamps `limit`, and that length is then what "full" means;
//! - stop at a short or empty page, or a page that adds no new name: every
//!   page read must add a name, and more than [`MAX_JOBS`] names (or a
//!   `total` above it) is an error, so paging never runs forever;
//! - once `total` is known, the pages it implies are requested `parallel`
//!   at a time (results are still taken in order); past `total`, one at a
//!   time;
//! - paging by records that ends short of `total` is read again by page
//!   numbers (a server counting pages can look like one counting records
//!   when `offset=<records so far>` lands inside the listing); ending with
//!   fewer distinct names than `total` is an error.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::sync::Mutex;

use futures_util::stream::{FuturesOrdered, StreamExt};
use reqwest::Method;
use serde_json::Value;

use super::{ApiError, Client};
use crate::http::Prepared;
use crate::model::{JobType, ListedJob};

/// Records requested per page (the older documented maximum).
pub const PAGE_SIZE: u64 = 100;
/// No workspace lists more jobs (or scripts) than this; a `total` above it
/// is a broken server.
pub const MAX_JOBS: u64 = 1_000_000;

/// What a listing lists, for requests and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    Jobs(JobType),
    Scripts,
}

impl Listed {
    /// `job` or `script`.
    pub fn noun(self) -> &'static str {
        match self {
            Listed::Jobs(_) => "job",
            Listed::Scripts => "script",
        }
    }

    /// The key of the array in a page.
    fn items_key(self) -> &'static str {
        match self {
            Listed::Jobs(_) => "jobs",
            Listed::Scripts => "scripts",
        }
    }
}

impl fmt::Display for Listed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Listed::Jobs(job_type) => write!(f, "{job_type} jobs"),
            Listed::Scripts => f.write_str("scripts"),
        }
    }
}

/// One page as the server sent it: its `total`, and each record with its name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub total: Option<u64>,
    pub records: Vec<(String, Value)>,
}

/// How `offset` is counted after the first two pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// Offsets in records.
    Records,
    /// Page numbers.
    Pages,
    /// Page numbers again, after paging by records ended short of `total`:
    /// as many pages as the records pass read may add nothing new (they
    /// were read then).
    Reread { spare: u64 },
}

/// What one page added.
struct Taken {
    len: u64,
    added: u64,
    repeats: bool,
}

/// The names and records found so far.
struct Collector {
    listed: Listed,
    /// The most names (and the largest `total`) accepted.
    max: u64,
    /// What a full page holds: `limit`, or the clamp a short first page showed.
    full: u64,
    seen: HashSet<String>,
    records: Vec<(String, Value)>,
    total: Option<u64>,
    /// During a re-read: every name in the order the pages give them.
    reread: Option<Vec<String>>,
}

impl Collector {
    fn take(&mut self, page: Page) -> anyhow::Result<Taken> {
        if let Some(total) = page.total {
            if total > self.max {
                return Err(self.endless(total).into());
            }
            self.total = Some(total);
        }
        let mut taken = Taken {
            len: page.records.len() as u64,
            added: 0,
            repeats: false,
        };
        for (name, record) in page.records {
            if let Some(order) = &mut self.reread {
                order.push(name.clone());
            }
            if self.seen.contains(&name) {
                taken.repeats = true;
            } else {
                self.seen.insert(name.clone());
                self.records.push((name, record));
                taken.added += 1;
            }
        }
        if self.found() > self.max {
            return Err(self.endless(self.total.unwrap_or(0)).into());
        }
        Ok(taken)
    }

    fn endless(&self, total: u64) -> ApiError {
        ApiError::EndlessListing {
            listing: self.listed,
            total,
            limit: self.max,
        }
    }

    fn found(&self) -> u64 {
        self.seen.len() as u64
    }

    /// `total` says more names exist than were found.
    fn short_of_total(&self) -> bool {
        self.total.is_some_and(|total| self.found() < total)
    }

    /// Whether the page after `taken` should be read.
    fn wants_more(&self, taken: &Taken) -> bool {
        taken.len > 0 && taken.added > 0 && (self.short_of_total() || taken.len >= self.full)
    }

    /// Pages still to request before the next result is in: what `total`
    /// implies (and one more, to see past a full last page), at least one.
    fn pages_implied(&self) -> u64 {
        match self.total {
            Some(total) if total > self.found() => (total - self.found()) / self.full.max(1) + 1,
            _ => 1,
        }
    }

    /// After a re-read: the records in the order its pages gave them (those
    /// it did not see again after them, in the order they were found).
    fn reorder(&mut self) {
        let Some(order) = self.reread.take() else {
            return;
        };
        let mut rank = std::collections::HashMap::with_capacity(order.len());
        for (position, name) in order.into_iter().enumerate() {
            rank.entry(name).or_insert(position);
        }
        // A stable sort: the records not re-read keep their order, last.
        self.records
            .sort_by_key(|(name, _)| rank.get(name).copied().unwrap_or(usize::MAX));
    }

    fn finish(self) -> anyhow::Result<Vec<Value>> {
        match self.total {
            Some(total) if self.found() < total => Err(ApiError::IncompleteListing {
                listing: self.listed,
                total,
                found: self.found(),
            }
            .into()),
            _ => Ok(self.records.into_iter().map(|(_, record)| record).collect()),
        }
    }
}

/// How a listing is read: what it lists, the records each page asks for,
/// the requests in flight at most, and the most names accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub listed: Listed,
    pub limit: u64,
    pub parallel: usize,
    /// No more names (nor a larger `total`) than this.
    pub max: u64,
}

impl Paging {
    /// `listed`, `limit` records a page, `parallel` requests at a time, at
    /// most [`MAX_JOBS`] names.
    pub fn new(listed: Listed, limit: u64, parallel: usize) -> Self {
        Self {
            listed,
            limit,
            parallel,
            max: MAX_JOBS,
        }
    }
}

/// Reads every page of a listing with `fetch(offset)` (each asking for
/// `paging.limit` records), by the rules in the module docs: the records in
/// the server's order, each name once. `progress` is told the names found
/// so far and the server's `total`.
pub async fn page_all<F, Fut>(
    paging: Paging,
    fetch: F,
    progress: &(dyn Fn(u64, Option<u64>) + Sync),
) -> anyhow::Result<Vec<Value>>
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = anyhow::Result<Page>>,
{
    let Paging {
        listed,
        limit,
        parallel,
        max,
    } = paging;
    let mut collector = Collector {
        listed,
        max,
        full: limit,
        seen: HashSet::new(),
        records: Vec::new(),
        total: None,
        reread: None,
    };
    let first = collector.take(fetch(0).await?)?;
    progress(collector.found(), collector.total);
    if !collector.wants_more(&first) {
        return collector.finish();
    }
    if first.len < limit && collector.short_of_total() {
        // A short first page while more exist: the server clamps `limit`.
        collector.full = first.len;
    }
    let first_full = first.len >= collector.full;
    let probe_offset = first.len;
    let probe = collector.take(fetch(probe_offset).await?)?;
    progress(collector.found(), collector.total);
    let counts_pages =
        probe.repeats || (probe.len == 0 && (collector.short_of_total() || first_full));
    if counts_pages {
        follow(&mut collector, Pass::Pages, 1, parallel, &fetch, progress).await?;
    } else {
        // The probe was read by records too.
        let mut by_records = 1;
        if collector.wants_more(&probe) {
            let next = probe_offset + probe.len;
            by_records += follow(
                &mut collector,
                Pass::Records,
                next,
                parallel,
                &fetch,
                progress,
            )
            .await?;
        }
        if collector.short_of_total() {
            // Records that end short of `total`: read it again by pages.
            // Page 0 is page 0 in either unit.
            let page_zero = collector.records[..first.added as usize]
                .iter()
                .map(|(name, _)| name.clone())
                .collect();
            collector.reread = Some(page_zero);
            let pass = Pass::Reread { spare: by_records };
            follow(&mut collector, pass, 1, parallel, &fetch, progress).await?;
            collector.reorder();
        }
    }
    collector.finish()
}

/// Reads pages from `start` on until a page says stop; up to `parallel`
/// requests in flight while `total` implies more pages. Returns the pages read.
async fn follow<F, Fut>(
    collector: &mut Collector,
    pass: Pass,
    start: u64,
    parallel: usize,
    fetch: &F,
    progress: &(dyn Fn(u64, Option<u64>) + Sync),
) -> anyhow::Result<u64>
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = anyhow::Result<Page>>,
{
    let parallel = parallel.max(1) as u64;
    let step = match pass {
        Pass::Records => collector.full.max(1),
        Pass::Pages | Pass::Reread { .. } => 1,
    };
    let mut pages_read = 0u64;
    // Requests in flight, in offset order, and their offsets.
    let mut in_flight = FuturesOrdered::new();
    let mut offsets = std::collections::VecDeque::new();
    let mut next = start;
    let mut spare = match pass {
        Pass::Reread { spare } => spare,
        Pass::Records | Pass::Pages => 0,
    };
    loop {
        let wanted = collector.pages_implied().min(parallel).max(1);
        while (in_flight.len() as u64) < wanted {
            offsets.push_back(next);
            in_flight.push_back(fetch(next));
            next += step;
        }
        let Some(page) = in_flight.next().await else {
            return Ok(pages_read);
        };
        let offset = offsets.pop_front().unwrap_or(next);
        let mut taken = collector.take(page?)?;
        pages_read += 1;
        progress(collector.found(), collector.total);
        if taken.added == 0 && taken.len > 0 && spare > 0 {
            // Read before: not a reason to stop.
            spare -= 1;
            taken.added = 1;
        }
        if !collector.wants_more(&taken) {
            return Ok(pages_read);
        }
        if pass == Pass::Records && taken.len != step {
            // A page of another length than the others: the offsets already
            // asked for are wrong. Ask again from where this one ended.
            in_flight = FuturesOrdered::new();
            offsets.clear();
            next = offset + taken.len;
        }
    }
}

/// The fields of a listing page this tool reads.
fn parse_page(listed: Listed, body: Value) -> Result<Page, String> {
    let Value::Object(mut object) = body else {
        return Err("the answer is not a JSON object".to_string());
    };
    let total = match object.get("total") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(
            n.as_u64()
                .ok_or_else(|| format!("`total` is {n}, not a count"))?,
        ),
        Some(Value::String(s)) => Some(
            s.trim()
                .parse::<u64>()
                .map_err(|_| format!("`total` is {s:?}, not a count"))?,
        ),
        Some(other) => return Err(format!("`total` is {other}, not a count")),
    };
    let items = match object.remove(listed.items_key()) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(format!("`{}` is not an array", listed.items_key())),
    };
    let mut records = Vec::with_capacity(items.len());
    for item in items {
        let Some(name) = item.get("name").and_then(Value::as_str) else {
            return Err(format!("a {} in the listing has no name", listed.noun()));
        };
        records.push((name.to_string(), item));
    }
    Ok(Page { total, records })
}

impl Client {
    /// The list request for `listed` at `offset` (what `--dry-run` prints).
    pub fn prepare_listing(&self, listed: Listed, offset: u64) -> Prepared {
        let mut query = Vec::with_capacity(3);
        let path = match listed {
            Listed::Jobs(job_type) => {
                query.push(("jobType".to_string(), job_type.as_api().to_string()));
                "/jobs"
            }
            Listed::Scripts => "/scripts",
        };
        query.push(("limit".to_string(), PAGE_SIZE.to_string()));
        query.push(("offset".to_string(), offset.to_string()));
        self.prepare_project(Method::GET, path, &query, None)
    }

    /// The list jobs request for `job_type` at `offset`.
    pub fn prepare_list(&self, job_type: JobType, offset: u64) -> Prepared {
        self.prepare_listing(Listed::Jobs(job_type), offset)
    }

    /// One page of `listed` at `offset`, retried like every read.
    async fn list_page(&self, listed: Listed, offset: u64) -> anyhow::Result<Page> {
        let body: Value = self
            .call_json(|| self.prepare_listing(listed, offset))
            .await?;
        parse_page(listed, body).map_err(|detail| {
            ApiError::BadResponse {
                url: self.prepare_listing(listed, offset).url.to_string(),
                detail,
            }
            .into()
        })
    }

    /// Every record of `listed`, every page, each name once.
    pub async fn list_records(
        &self,
        listed: Listed,
        parallel: usize,
        progress: &(dyn Fn(u64, Option<u64>) + Sync),
    ) -> anyhow::Result<Vec<Value>> {
        page_all(
            Paging::new(listed, PAGE_SIZE, parallel),
            |offset| self.list_page(listed, offset),
            progress,
        )
        .await
    }

    /// Every job of `job_type`, in the server's order, each name once.
    pub async fn list_jobs(
        &self,
        job_type: JobType,
        parallel: usize,
        progress: &(dyn Fn(u64, Option<u64>) + Sync),
    ) -> anyhow::Result<Vec<ListedJob>> {
        let records = self
            .list_records(Listed::Jobs(job_type), parallel, progress)
            .await?;
        // Every record has a string name (checked by `parse_page`).
        Ok(records
            .into_iter()
            .filter_map(ListedJob::from_value)
            .collect())
    }

    /// Every job of each of `types`, the types listed concurrently; a name
    /// listed under two types is kept once, under the first. `progress` is
    /// told the sums over the types (the total once every type has one).
    pub async fn list_all_jobs(
        &self,
        types: &[JobType],
        parallel: usize,
        progress: &(dyn Fn(u64, Option<u64>) + Sync),
    ) -> anyhow::Result<Vec<(JobType, ListedJob)>> {
        let counts: Mutex<Vec<(u64, Option<u64>)>> = Mutex::new(vec![(0, None); types.len()]);
        let report = |index: usize, found: u64, total: Option<u64>| {
            let mut counts = counts.lock().unwrap_or_else(|p| p.into_inner());
            counts[index] = (found, total);
            let found = counts.iter().map(|(found, _)| found).sum();
            let total = counts.iter().map(|(_, total)| *total).sum::<Option<u64>>();
            drop(counts);
            progress(found, total);
        };
        let listings = types.iter().enumerate().map(|(index, job_type)| {
            let report = &report;
            async move {
                let progress = move |found, total| report(index, found, total);
                self.list_jobs(*job_type, parallel, &progress).await
            }
        });
        let listed = futures_util::future::try_join_all(listings).await?;
        let mut seen = HashSet::new();
        let mut all = Vec::new();
        for (job_type, jobs) in types.iter().zip(listed) {
            for job in jobs {
                if seen.insert(job.name.clone()) {
                    all.push((*job_type, job));
                }
            }
        }
        Ok(all)
    }

    /// Every script of the workspace (the listing carries the content), in
    /// the server's order, each name once.
    pub async fn list_scripts(
        &self,
        parallel: usize,
        progress: &(dyn Fn(u64, Option<u64>) + Sync),
    ) -> anyhow::Result<Vec<Value>> {
        self.list_records(Listed::Scripts, parallel, progress).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

    /// A simulated server: `n` names, the way it counts `offset`, the most
    /// it returns per page, and what it says about `total`.
    #[derive(Clone, Copy, Debug)]
    struct Server {
        n: u64,
        pages: bool,
        clamp: Option<u64>,
        total: Total,
    }

    #[derive(Clone, Copy, Debug)]
    enum Total {
        True,
        Missing,
        Low,
        Huge,
    }

    impl Server {
        fn records(n: u64) -> Self {
            Server {
                n,
                pages: false,
                clamp: None,
                total: Total::True,
            }
        }

        fn pages(n: u64) -> Self {
            Server {
                pages: true,
                ..Server::records(n)
            }
        }

        fn page(&self, limit: u64, offset: u64) -> Page {
            let limit = self.clamp.map_or(limit, |clamp| limit.min(clamp));
            let skip = if self.pages {
                offset.saturating_mul(limit)
            } else {
                offset
            };
            let records = (skip..self.n.min(skip.saturating_add(limit)))
                .map(|i| {
                    (
                        format!("j{i:07}"),
                        serde_json::json!({ "name": format!("j{i:07}") }),
                    )
                })
                .collect();
            let total = match self.total {
                Total::True => Some(self.n),
                Total::Missing => None,
                Total::Low => Some(self.n / 2),
                Total::Huge => Some(1_000_000_000_000_000),
            };
            Page { total, records }
        }
    }

    /// Lists `server` with pages of `limit`, `parallel` at a time: the
    /// result, the requests made and the most that were in flight at once.
    async fn list(
        server: Server,
        limit: u64,
        parallel: usize,
    ) -> (anyhow::Result<Vec<Value>>, u64, usize) {
        let requests = AtomicU64::new(0);
        let in_flight = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let fetch = |offset: u64| {
            requests.fetch_add(1, Ordering::SeqCst);
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            let in_flight = &in_flight;
            async move {
                // Let the others start before answering.
                tokio::task::yield_now().await;
                tokio::task::yield_now().await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                Ok(server.page(limit, offset))
            }
        };
        let result = page_all(
            Paging::new(Listed::Jobs(JobType::Batch), limit, parallel),
            fetch,
            &|_, _| {},
        )
        .await;
        (
            result,
            requests.load(Ordering::SeqCst),
            most.load(Ordering::SeqCst),
        )
    }

    fn names(records: &[Value]) -> Vec<String> {
        records
            .iter()
            .map(|r| r["name"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    fn all(n: u64) -> Vec<String> {
        (0..n).map(|i| format!("j{i:07}")).collect()
    }

    #[tokio::test]
    async fn every_server_behaviour_is_read_completely() {
        let mut cases = Vec::new();
        for n in [0, 1, 99, 100, 101, 250, 1000, 1234] {
            for pages in [false, true] {
                for clamp in [None, Some(30), Some(7)] {
                    for total in [Total::True, Total::Low] {
                        cases.push(Server {
                            n,
                            pages,
                            clamp,
                            total,
                        });
                    }
                }
                cases.push(Server {
                    n,
                    pages,
                    clamp: None,
                    total: Total::Missing,
                });
            }
        }
        for server in cases {
            for parallel in [1, 4] {
                let (result, requests, _) = list(server, 100, parallel).await;
                let listed = result.unwrap_or_else(|e| panic!("{server:?}: {e}"));
                assert_eq!(
                    names(&listed),
                    all(server.n),
                    "{server:?} parallel {parallel}"
                );
                let page = server.clamp.unwrap_or(100).min(100);
                assert!(
                    requests <= 2 * (server.n / page + 4),
                    "{server:?}: {requests} requests"
                );
            }
        }
    }

    #[tokio::test]
    async fn the_offsets_asked_follow_the_contract() {
        let asked = Mutex::new(Vec::new());
        let server = Server::pages(250);
        let fetch = |offset: u64| {
            asked.lock().expect("lock").push(offset);
            async move { Ok(server.page(100, offset)) }
        };
        let listed = page_all(Paging::new(Listed::Scripts, 100, 1), fetch, &|_, _| {})
            .await
            .expect("listed");
        assert_eq!(listed.len(), 250);
        // offset=0, offset=<records so far> (page 100: empty), then pages.
        assert_eq!(*asked.lock().expect("lock"), [0, 100, 1, 2]);

        let asked = Mutex::new(Vec::new());
        let server = Server::records(250);
        let fetch = |offset: u64| {
            asked.lock().expect("lock").push(offset);
            async move { Ok(server.page(100, offset)) }
        };
        page_all(Paging::new(Listed::Scripts, 100, 1), fetch, &|_, _| {})
            .await
            .expect("listed");
        assert_eq!(*asked.lock().expect("lock"), [0, 100, 200]);
    }

    #[tokio::test]
    async fn pages_run_in_parallel_once_the_total_is_known() {
        let (result, requests, most) = list(Server::pages(1000), 100, 4).await;
        assert_eq!(result.expect("listed").len(), 1000);
        assert_eq!(most, 4, "at most --parallel in flight");
        // 0, the probe, pages 1-9, and page 10 (empty) past the full last page.
        assert_eq!(requests, 12);
        let (_, _, most) = list(Server::pages(1000), 100, 1).await;
        assert_eq!(most, 1);
        let (_, _, most) = list(
            Server {
                total: Total::Missing,
                ..Server::pages(1000)
            },
            100,
            4,
        )
        .await;
        assert_eq!(most, 1, "without a total, one page at a time");
    }

    #[tokio::test]
    async fn broken_servers_are_errors_not_endless_loops() {
        let (result, _, _) = list(
            Server {
                total: Total::Huge,
                ..Server::records(10)
            },
            100,
            4,
        )
        .await;
        let error = result.expect_err("huge total");
        assert!(matches!(
            error.downcast_ref::<ApiError>(),
            Some(ApiError::EndlessListing { .. })
        ));

        // The same first page whatever the offset, and a total that says more.
        let requests = AtomicU64::new(0);
        let fetch = |_offset: u64| {
            requests.fetch_add(1, Ordering::SeqCst);
            async { Ok(Server::records(250).page(100, 0)) }
        };
        let error = page_all(
            Paging::new(Listed::Jobs(JobType::RealTime), 100, 4),
            fetch,
            &|_, _| {},
        )
        .await
        .expect_err("incomplete");
        assert!(
            error.to_string().contains("incomplete job listing"),
            "{error}"
        );
        assert!(requests.load(Ordering::SeqCst) <= 4);

        // A server that keeps inventing names stops at the limit.
        let fetch = |offset: u64| async move {
            Ok(Page {
                total: None,
                records: (0..100)
                    .map(|i| {
                        let name = format!("{offset}-{i}");
                        (name.clone(), serde_json::json!({ "name": name }))
                    })
                    .collect(),
            })
        };
        let error = page_all(
            Paging {
                max: 1000,
                ..Paging::new(Listed::Scripts, 100, 1)
            },
            fetch,
            &|_, _| {},
        )
        .await
        .expect_err("endless");
        assert!(error.to_string().contains("does not end"), "{error}");
    }

    #[tokio::test]
    async fn progress_counts_names_and_the_total() {
        let seen = Mutex::new(Vec::new());
        let server = Server::records(150);
        let fetch = |offset: u64| async move { Ok(server.page(100, offset)) };
        let progress =
            |found: u64, total: Option<u64>| seen.lock().expect("lock").push((found, total));
        page_all(Paging::new(Listed::Scripts, 100, 4), fetch, &progress)
            .await
            .expect("listed");
        assert_eq!(
            *seen.lock().expect("lock"),
            [(100, Some(150)), (150, Some(150))]
        );
    }

    #[test]
    fn pages_parse_leniently_but_need_names() {
        let page = parse_page(
            Listed::Scripts,
            serde_json::json!({"total": "2", "scripts": [{"name": "a"}, {"name": "b", "type": "SQL"}]}),
        )
        .expect("page");
        assert_eq!(page.total, Some(2));
        assert_eq!(page.records[1].0, "b");
        assert_eq!(
            parse_page(Listed::Jobs(JobType::Batch), serde_json::json!({})).expect("page"),
            Page::default()
        );
        assert!(parse_page(
            Listed::Jobs(JobType::Batch),
            serde_json::json!({"jobs": [{"jobType": "BATCH"}]})
        )
        .expect_err("no name")
        .contains("has no name"));
        assert!(parse_page(Listed::Scripts, serde_json::json!({"total": -1})).is_err());
        assert!(parse_page(Listed::Scripts, serde_json::json!([])).is_err());
    }
}
