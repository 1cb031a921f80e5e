//! End-to-end tests of the emulator over loopback, with requests signed by the
//! crate's own signer and sent with reqwest.

use std::io::{Cursor, Read};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Value};

use super::*;
use crate::auth::signer::{sign, RequestParts, SdkDate, SigningKey};

const SAMPLE_JOB_BATCH: &[u8] = include_bytes!("sample/jobs/job_batch/job_batch.job");
const SAMPLE_DWS_SQL: &[u8] = include_bytes!("sample/jobs/job_batch/dws_sql.script");
const SAMPLE_JOB_STREAM: &[u8] = include_bytes!("sample/jobs/job_stream/job_stream.job");

/// The configuration of `emulator --listen 127.0.0.1:0` with records as
/// `offset`'s unit (tests that need pages say so).
fn test_config() -> Config {
    Config {
        offset_unit: OffsetUnit::Records,
        ..crate::commands::emulator::config_from(&["--listen", "127.0.0.1:0"]).expect("config")
    }
}

async fn start_with(config: Config) -> Running {
    start(config).await.expect("emulator starts")
}

/// A signing client for one emulator.
struct Client {
    http: reqwest::Client,
    endpoint: String,
    host: String,
    ak: String,
    sk: Secret,
    project_id: Option<String>,
    date: Option<SystemTime>,
}

impl Client {
    fn new(running: &Running) -> Self {
        Self {
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("client"),
            endpoint: running.endpoint(),
            host: running.addr.to_string(),
            ak: DEFAULT_AK.to_string(),
            sk: Secret::new(DEFAULT_SK),
            project_id: Some(DEFAULT_PROJECT_ID.to_string()),
            date: None,
        }
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> reqwest::Response {
        let query: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let parts = RequestParts {
            method,
            host: &self.host,
            path,
            query: &query,
            headers: &headers,
            body,
        };
        let key = SigningKey {
            ak: &self.ak,
            sk: &self.sk,
            security_token: None,
            project_id: self.project_id.as_deref(),
        };
        let date = SdkDate::from_system_time(self.date.unwrap_or_else(SystemTime::now));
        let signed = sign(&parts, &key, &date);
        let mut url = format!("{}{path}", self.endpoint);
        if !signed.canonical_query.is_empty() {
            url.push('?');
            url.push_str(&signed.canonical_query);
        }
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.http.request(method, url).body(body.to_vec());
        for (name, value) in &signed.headers {
            if !name.eq_ignore_ascii_case("host") {
                request = request.header(name.as_str(), value.as_str());
            }
        }
        request.send().await.expect("request sent")
    }

    async fn export(&self, body: &Value, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut all = vec![("Content-Type", "application/json;charset=utf-8")];
        all.extend_from_slice(headers);
        let path = format!("/v1/{DEFAULT_PROJECT_ID}/jobs/batch-export");
        self.send("POST", &path, &[], &all, body.to_string().as_bytes())
            .await
    }

    async fn list(&self, query: &[(&str, &str)], headers: &[(&str, &str)]) -> reqwest::Response {
        let path = format!("/v1/{DEFAULT_PROJECT_ID}/jobs");
        self.send("GET", &path, query, headers, b"").await
    }
}

async fn json_of(response: reqwest::Response) -> Value {
    let bytes = response.bytes().await.expect("body");
    serde_json::from_slice(&bytes).expect("JSON body")
}

/// Every entry of a zip: (name, bytes), in archive order.
fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).expect("a valid zip");
    let mut out = Vec::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).expect("entry");
        let mut data = Vec::new();
        file.read_to_end(&mut data).expect("entry reads, CRC ok");
        let name = file.name().expect("UTF-8 name").to_string();
        out.push((name, data));
    }
    out
}

fn assert_request_id(response: &reqwest::Response) {
    let id = response
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    assert_eq!(id.len(), 32, "X-Request-Id {id:?}");
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
}

/// Writes a job directory with a `.job` of the given type and extra files.
fn write_job(root: &Path, name: &str, process_type: &str, extra: &[(&str, &[u8])]) {
    let dir = root.join("jobs").join(name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let job = json!({"name": name, "nodes": [], "processType": process_type, "directory": "/gen"});
    std::fs::write(dir.join(format!("{name}.job")), job.to_string()).expect("write .job");
    for (file, bytes) in extra {
        std::fs::write(dir.join(file), bytes).expect("write");
    }
}

#[tokio::test]
async fn signed_export_of_the_sample_streams_the_documented_zip() {
    let running = start_with(test_config()).await;
    let client = Client::new(&running);
    let response = client
        .export(
            &json!({"jobList": ["job_batch", "job_stream"], "exportDepend": true}),
            &[],
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_request_id(&response);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/octet-stream");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"jobs.zip\""
    );
    let zip = response.bytes().await.expect("body");
    let got = entries(&zip);
    let expected: Vec<(String, Vec<u8>)> = vec![
        (
            "jobs/job_batch/job_batch.job".into(),
            SAMPLE_JOB_BATCH.to_vec(),
        ),
        (
            "jobs/job_batch/dws_sql.script".into(),
            SAMPLE_DWS_SQL.to_vec(),
        ),
        (
            "jobs/job_stream/job_stream.job".into(),
            SAMPLE_JOB_STREAM.to_vec(),
        ),
    ];
    assert_eq!(got, expected);
    running.shutdown().await;
}

#[tokio::test]
async fn export_depend_false_leaves_the_script_out() {
    let running = start_with(test_config()).await;
    let client = Client::new(&running);
    let response = client
        .export(
            &json!({"jobList": ["job_batch"], "exportDepend": false, "exportStatus": "SUBMIT"}),
            &[],
        )
        .await;
    assert_eq!(response.status(), 200);
    let got = entries(&response.bytes().await.expect("body"));
    let names: Vec<&str> = got.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["jobs/job_batch/job_batch.job"]);
}

#[tokio::test]
async fn bad_export_requests_get_dlf_errors() {
    let running = start_with(test_config()).await;
    let client = Client::new(&running);

    let response = client
        .export(&json!({"jobList": ["job_batch", "nope"]}), &[])
        .await;
    assert_eq!(response.status(), 400);
    assert_request_id(&response);
    assert_eq!(
        json_of(response).await,
        json!({"error_code": "DLF.0100", "error_msg": "The job does not exists."})
    );

    let names: Vec<String> = (0..101).map(|i| format!("job_{i}")).collect();
    let response = client.export(&json!({ "jobList": names }), &[]).await;
    assert_eq!(response.status(), 400);
    let invalid =
        json!({"error_code": "DLF.3051", "error_msg": "The request parameter is invalid."});
    assert_eq!(json_of(response).await, invalid);

    for body in [
        json!({"jobList": []}),
        json!({"jobList": [1]}),
        json!({"jobs": ["job_batch"]}),
    ] {
        let response = client.export(&body, &[]).await;
        assert_eq!(response.status(), 400, "{body}");
        assert_eq!(json_of(response).await, invalid, "{body}");
    }
    let path = format!("/v1/{DEFAULT_PROJECT_ID}/jobs/batch-export");
    let response = client
        .send(
            "POST",
            &path,
            &[],
            &[("Content-Type", "application/json")],
            b"{\"jobList\": [",
        )
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(json_of(response).await, invalid);

    let response = client
        .export(
            &json!({"jobList": ["job_batch"]}),
            &[("workspace", "no-such-ws")],
        )
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(json_of(response).await["error_code"], "DLF.3051");

    let huge = vec![b'x'; MAX_BODY_FOR_TEST];
    let response = client
        .send(
            "POST",
            &path,
            &[],
            &[("Content-Type", "application/json")],
            &huge,
        )
        .await;
    assert_eq!(response.status(), 413);
    assert_eq!(json_of(response).await["error_code"], "APIGW.0201");
}

const MAX_BODY_FOR_TEST: usize = 1024 * 1024 + 1;

#[tokio::test]
async fn authentication_failures_get_apigw_0301() {
    let running = start_with(test_config()).await;
    let body = json!({"jobList": ["job_batch"]});

    let mut wrong_sk = Client::new(&running);
    wrong_sk.sk = Secret::new("not-the-secret");
    let response = wrong_sk.export(&body, &[]).await;
    assert_eq!(response.status(), 401);
    assert_request_id(&response);
    let error = json_of(response).await;
    assert_eq!(error["error_code"], "APIGW.0301");
    assert_eq!(error["request_id"].as_str().map(str::len), Some(32));
    let msg = error["error_msg"].as_str().unwrap_or_default();
    assert!(
        msg.starts_with("Incorrect IAM authentication information: verify aksk signature fail"),
        "{msg}"
    );
    let canonical = format!("POST|/v1/{DEFAULT_PROJECT_ID}/jobs/batch-export/||");
    assert!(msg.contains(&canonical), "{msg}");
    assert!(msg.contains("|x-project-id:0e3b6d7c"), "{msg}");

    let mut stale = Client::new(&running);
    stale.date = Some(SystemTime::now() - Duration::from_secs(16 * 60));
    let response = stale.export(&body, &[]).await;
    assert_eq!(response.status(), 401);
    let msg = json_of(response).await["error_msg"].to_string();
    assert!(msg.contains("expired"), "{msg}");

    let mut wrong_ak = Client::new(&running);
    wrong_ak.ak = "SOMEONEELSE".into();
    assert_eq!(wrong_ak.export(&body, &[]).await.status(), 401);

    let unsigned = reqwest::Client::new()
        .post(format!(
            "{}/v1/{DEFAULT_PROJECT_ID}/jobs/batch-export",
            running.endpoint()
        ))
        .body(body.to_string())
        .send()
        .await
        .expect("sent");
    assert_eq!(unsigned.status(), 401);
    assert_eq!(json_of(unsigned).await["error_code"], "APIGW.0301");

    // No token configured: a token is refused.
    let token = reqwest::Client::new()
        .get(format!(
            "{}/v1/{DEFAULT_PROJECT_ID}/jobs",
            running.endpoint()
        ))
        .header("X-Auth-Token", "anything")
        .send()
        .await
        .expect("sent");
    assert_eq!(token.status(), 401);
}

#[tokio::test]
async fn an_iam_token_is_accepted_instead_of_a_signature() {
    let running = start_with(Config {
        auth_token: Some(Secret::new("MIItoken")),
        ..test_config()
    })
    .await;
    let url = format!("{}/v1/{DEFAULT_PROJECT_ID}/jobs", running.endpoint());
    let http = reqwest::Client::new();
    let ok = http
        .get(&url)
        .header("X-Auth-Token", "MIItoken")
        .send()
        .await
        .expect("sent");
    assert_eq!(ok.status(), 200);
    let wrong = http
        .get(&url)
        .header("X-Auth-Token", "MIIother")
        .send()
        .await
        .expect("sent");
    assert_eq!(wrong.status(), 401);
    assert_eq!(json_of(wrong).await["error_code"], "APIGW.0301");
}

#[tokio::test]
async fn other_projects_get_403_and_unknown_paths_404() {
    let running = start_with(test_config()).await;
    let client = Client::new(&running);
    let response = client
        .send(
            "POST",
            "/v1/ffffffffffffffffffffffffffffffff/jobs/batch-export",
            &[],
            &[("Content-Type", "application/json")],
            br#"{"jobList":["job_batch"]}"#,
        )
        .await;
    assert_eq!(response.status(), 403);
    assert_request_id(&response);
    assert_eq!(json_of(response).await["error_code"], "APIGW.0302");

    for (method, path) in [
        ("GET", "/v1/x/nothing"),
        ("DELETE", &*format!("/v1/{DEFAULT_PROJECT_ID}/jobs")),
        ("GET", "/"),
    ] {
        let response = client.send(method, path, &[], &[], b"").await;
        assert_eq!(response.status(), 404, "{method} {path}");
        assert_request_id(&response);
        let error = json_of(response).await;
        assert_eq!(error["error_code"], "APIGW.0101");
        assert_eq!(
            error["error_msg"],
            "The API does not exist or has not been published in the environment"
        );
        assert_eq!(error["request_id"].as_str().map(str::len), Some(32));
    }
}

/// 25 batch jobs (b00..b24) and 3 real-time ones (r0..r2).
fn paging_data() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..25 {
        write_job(dir.path(), &format!("b{i:02}"), "BATCH", &[]);
    }
    for i in 0..3 {
        write_job(dir.path(), &format!("r{i}"), "REAL_TIME", &[]);
    }
    dir
}

async fn page_names(client: &Client, query: &[(&str, &str)]) -> (u64, Vec<String>) {
    let response = client.list(query, &[]).await;
    assert_eq!(response.status(), 200, "{query:?}");
    let body = json_of(response).await;
    let names = body["jobs"]
        .as_array()
        .expect("jobs array")
        .iter()
        .map(|job| job["name"].as_str().unwrap_or_default().to_string())
        .collect();
    (body["total"].as_u64().expect("total"), names)
}

fn expected(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("b{i:02}")).collect()
}

#[tokio::test]
async fn list_jobs_pages_by_records() {
    let data = paging_data();
    let running = start_with(Config {
        data: Some(data.path().to_path_buf()),
        ..test_config()
    })
    .await;
    let client = Client::new(&running);
    assert_eq!(page_names(&client, &[]).await, (25, expected(0..10)));
    assert_eq!(
        page_names(&client, &[("limit", "10"), ("offset", "10")]).await,
        (25, expected(10..20))
    );
    assert_eq!(
        page_names(
            &client,
            &[("limit", "10"), ("offset", "20"), ("jobType", "BATCH")]
        )
        .await,
        (25, expected(20..25))
    );
    assert_eq!(
        page_names(&client, &[("limit", "10"), ("offset", "30")]).await,
        (25, vec![])
    );
    assert_eq!(
        page_names(&client, &[("jobType", "REAL_TIME"), ("limit", "2")]).await,
        (3, vec!["r0".to_string(), "r1".to_string()])
    );
    assert_eq!(
        page_names(&client, &[("jobName", "b1")]).await,
        (10, expected(10..20))
    );

    let response = client.list(&[("limit", "5")], &[]).await;
    let body = json_of(response).await;
    let job = &body["jobs"][0];
    for field in [
        "name",
        "jobType",
        "owner",
        "priority",
        "status",
        "createUser",
        "createTime",
        "lastUpdateTime",
        "lastUpdateUser",
        "path",
    ] {
        assert!(!job[field].is_null(), "{field} in {job}");
    }
    assert_eq!(job["jobType"], "BATCH");
    assert_eq!(job["path"], "/gen");

    for bad in [
        [("limit", "0")],
        [("limit", "1001")],
        [("limit", "ten")],
        [("offset", "-1")],
        [("jobType", "STREAM")],
    ] {
        let response = client.list(&bad, &[]).await;
        assert_eq!(response.status(), 400, "{bad:?}");
        assert_eq!(json_of(response).await["error_code"], "DLF.3051");
    }
}

#[tokio::test]
async fn list_jobs_pages_by_page_numbers() {
    let data = paging_data();
    let running = start_with(Config {
        data: Some(data.path().to_path_buf()),
        offset_unit: OffsetUnit::Pages,
        ..test_config()
    })
    .await;
    let client = Client::new(&running);
    assert_eq!(
        page_names(&client, &[("limit", "10"), ("offset", "1")]).await,
        (25, expected(10..20))
    );
    assert_eq!(
        page_names(&client, &[("limit", "10"), ("offset", "2")]).await,
        (25, expected(20..25))
    );
    assert_eq!(
        page_names(
            &client,
            &[("limit", "2"), ("offset", "1"), ("jobType", "REAL_TIME")]
        )
        .await,
        (3, vec!["r2".to_string()])
    );
}

#[tokio::test]
async fn workspaces_come_from_their_own_directories() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_job(dir.path(), "default_job", "BATCH", &[]);
    let ws = dir.path().join("workspaces/ws-1");
    write_job(
        &ws,
        "任务_一",
        "BATCH",
        &[("脚本.script", b"{\"name\":\"s\"}")],
    );
    let running = start_with(Config {
        data: Some(dir.path().to_path_buf()),
        ..test_config()
    })
    .await;
    let client = Client::new(&running);
    let response = client.list(&[], &[("workspace", "ws-1")]).await;
    let body = json_of(response).await;
    assert_eq!(body["total"], 1);
    assert_eq!(body["jobs"][0]["name"], "任务_一");

    let response = client
        .export(&json!({"jobList": ["任务_一"]}), &[("workspace", "ws-1")])
        .await;
    assert_eq!(response.status(), 200);
    let names: Vec<String> = entries(&response.bytes().await.expect("body"))
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        names,
        ["jobs/任务_一/任务_一.job", "jobs/任务_一/脚本.script"]
    );

    let response = client.export(&json!({"jobList": ["任务_一"]}), &[]).await;
    assert_eq!(response.status(), 400, "not in the default workspace");
}

#[tokio::test]
async fn iam_project_lookup_answers_for_the_configured_region() {
    let running = start_with(test_config()).await;
    let mut client = Client::new(&running);
    client.project_id = None; // as the SDK signs IAM calls
    let response = client
        .send("GET", "/v3/projects", &[("name", "cn-north-4")], &[], b"")
        .await;
    assert_eq!(response.status(), 200);
    assert_request_id(&response);
    let body = json_of(response).await;
    let projects = body["projects"].as_array().expect("projects");
    assert_eq!(projects.len(), 1);
    assert_eq!(projects[0]["id"], DEFAULT_PROJECT_ID);
    assert_eq!(projects[0]["name"], "cn-north-4");
    assert_eq!(projects[0]["enabled"], true);
    assert_eq!(projects[0]["domain_id"], DEFAULT_DOMAIN_ID);
    assert!(body["links"]["self"].is_string());

    let response = client
        .send("GET", "/v3/projects", &[("name", "eu-west-101")], &[], b"")
        .await;
    let body = json_of(response).await;
    assert_eq!(body["projects"], json!([]));
}

#[tokio::test]
async fn iam_projects_gives_none_or_several_projects_for_the_region() {
    for count in [0u8, 3] {
        let running = start_with(Config {
            iam_projects: count,
            ..test_config()
        })
        .await;
        let mut client = Client::new(&running);
        client.project_id = None;
        let response = client
            .send("GET", "/v3/projects", &[("name", "cn-north-4")], &[], b"")
            .await;
        assert_eq!(response.status(), 200);
        let body = json_of(response).await;
        let projects = body["projects"].as_array().expect("projects");
        assert_eq!(projects.len(), usize::from(count));
        let mut ids: Vec<&str> = projects.iter().filter_map(|p| p["id"].as_str()).collect();
        assert!(projects.iter().all(|p| p["name"] == "cn-north-4"));
        if count > 0 {
            assert_eq!(ids[0], DEFAULT_PROJECT_ID, "the served project comes first");
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), usize::from(count), "distinct ids");
        assert!(ids.iter().all(|id| id.len() == 32));
    }
}

/// A self-signed certificate for 127.0.0.1 and localhost, written as PEM
/// files in `dir`: (files, certificate PEM).
fn self_signed(dir: &Path) -> (TlsFiles, String) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .expect("certificate");
    let pem = certified.cert.pem();
    let files = TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&files.cert, &pem).expect("write cert");
    std::fs::write(&files.key, certified.signing_key.serialize_pem()).expect("write key");
    (files, pem)
}

#[tokio::test]
async fn tls_serves_https_to_a_client_that_trusts_the_certificate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (files, pem) = self_signed(dir.path());
    let running = start_with(Config {
        tls: Some(files),
        ..test_config()
    })
    .await;
    assert!(
        running.endpoint().starts_with("https://127.0.0.1:"),
        "{}",
        running.endpoint()
    );
    let mut client = Client::new(&running);
    client.http = reqwest::Client::builder()
        .no_proxy()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).expect("PEM"))
        .build()
        .expect("client");
    let response = client.export(&json!({"jobList": ["job_batch"]}), &[]).await;
    assert_eq!(response.status(), 200);
    let zip = response.bytes().await.expect("body");
    assert_eq!(entries(&zip).len(), 2);

    // A client without the certificate fails the handshake; plain HTTP gets nowhere.
    let untrusting = reqwest::Client::builder()
        .no_proxy()
        .use_rustls_tls()
        .build()
        .expect("client");
    let error = untrusting
        .get(format!("{}/v3/projects", running.endpoint()))
        .send()
        .await
        .expect_err("untrusted certificate");
    assert!(error.is_connect(), "{error:?}");
    let plain = untrusting
        .get(format!("http://{}/v3/projects", running.addr))
        .send()
        .await;
    assert!(plain.is_err(), "{plain:?}");
}

#[tokio::test]
async fn unusable_tls_files_are_usage_errors_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (files, _) = self_signed(dir.path());
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a PEM file\n").expect("write");
    let other = tempfile::tempdir().expect("tempdir");
    let (other_files, _) = self_signed(other.path());
    let missing = dir.path().join("missing.pem");
    let cases = [
        (missing.clone(), files.key.clone(), missing.clone()),
        (garbage.clone(), files.key.clone(), garbage.clone()),
        (files.cert.clone(), missing.clone(), missing.clone()),
        (files.cert.clone(), garbage.clone(), garbage.clone()),
        // A key that is not the certificate's.
        (
            files.cert.clone(),
            other_files.key.clone(),
            files.cert.clone(),
        ),
    ];
    for (cert, key, named) in cases {
        let err = start(Config {
            tls: Some(TlsFiles { cert, key }),
            ..test_config()
        })
        .await
        .expect_err("refused");
        assert!(err.downcast_ref::<EmulatorError>().is_some(), "{err:#}");
        let message = format!("{err:#}");
        assert!(
            message.contains(&named.display().to_string()),
            "{message} should name {}",
            named.display()
        );
    }
}

#[tokio::test]
async fn the_request_log_has_one_redacted_line_per_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("requests.jsonl");
    let running = start_with(Config {
        request_log: Some(log.clone()),
        ..test_config()
    })
    .await;
    let client = Client::new(&running);
    let before = crate::emulator::store::epoch_ms(SystemTime::now());
    let response = client
        .export(&json!({"jobList": ["job_batch"]}), &[("workspace", "")])
        .await;
    assert_eq!(response.status(), 200);
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_string();
    drop(response.bytes().await);
    let response = client.list(&[("limit", "5")], &[]).await;
    assert_eq!(response.status(), 200);
    running.shutdown().await;

    let text = std::fs::read_to_string(&log).expect("log");
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 2, "{text}");
    let export = &lines[0];
    assert_eq!(export["method"], "POST");
    assert_eq!(
        export["path"],
        format!("/v1/{DEFAULT_PROJECT_ID}/jobs/batch-export")
    );
    assert_eq!(export["query"], Value::Null);
    assert_eq!(export["status"], 200);
    assert_eq!(export["request_id"], request_id);
    assert_eq!(
        export["body"],
        json!({"jobList": ["job_batch"]}).to_string()
    );
    assert!(export["ts_ms"].as_i64().expect("ts_ms") >= before);
    let auth = export["headers"]["authorization"]
        .as_str()
        .expect("authorization");
    assert!(auth.ends_with("Signature=(redacted)"), "{auth}");
    assert!(auth.contains(DEFAULT_AK));
    assert_eq!(export["headers"]["x-project-id"], DEFAULT_PROJECT_ID);
    assert!(!text.contains(DEFAULT_SK));
    assert_eq!(lines[1]["query"], "limit=5");
    assert_eq!(lines[1]["status"], 200);
}

#[tokio::test]
async fn fail_first_fails_the_first_exports_with_retry_after() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("requests.jsonl");
    let running = start_with(Config {
        request_log: Some(log.clone()),
        faults: Faults {
            fail_first: Some(2),
            retry_after: Some(7),
            ..Faults::default()
        },
        ..test_config()
    })
    .await;
    let client = Client::new(&running);
    let body = json!({"jobList": ["job_stream"]});
    // Other APIs are not counted.
    assert_eq!(client.list(&[], &[]).await.status(), 200);
    for _ in 0..2 {
        let response = client.export(&body, &[]).await;
        assert_eq!(response.status(), 503);
        assert_request_id(&response);
        assert_eq!(response.headers()["retry-after"], "7");
        let error = json_of(response).await;
        assert!(error["error_code"].as_str().is_some_and(|c| !c.is_empty()));
    }
    let response = client.export(&body, &[]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(entries(&response.bytes().await.expect("body")).len(), 1);
    running.shutdown().await;
    let statuses: Vec<u64> = std::fs::read_to_string(&log)
        .expect("log")
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).expect("JSON")["status"]
                .as_u64()
                .unwrap_or(0)
        })
        .collect();
    assert_eq!(statuses, [200, 503, 503, 200]);
}

#[tokio::test]
async fn fail_status_429_sends_the_throttling_body() {
    let running = start_with(Config {
        faults: Faults {
            fail_status: Some(429),
            ..Faults::default()
        },
        ..test_config()
    })
    .await;
    let client = Client::new(&running);
    let response = client.export(&json!({"jobList": ["job_batch"]}), &[]).await;
    assert_eq!(response.status(), 429);
    assert_eq!(json_of(response).await["error_code"], "APIG.0308");
}

async fn body_result(response: reqwest::Response) -> Result<usize, reqwest::Error> {
    response.bytes().await.map(|bytes| bytes.len())
}

#[tokio::test]
async fn truncate_body_and_reset_after_cut_the_body_short() {
    for faults in [
        Faults {
            truncate_body: Some(200),
            ..Faults::default()
        },
        Faults {
            reset_after: Some(200),
            ..Faults::default()
        },
        Faults {
            truncate_body: Some(0),
            ..Faults::default()
        },
    ] {
        let running = start_with(Config {
            faults: faults.clone(),
            ..test_config()
        })
        .await;
        let client = Client::new(&running);
        let response = client
            .export(&json!({"jobList": ["job_batch", "job_stream"]}), &[])
            .await;
        assert_eq!(response.status(), 200, "{faults:?}");
        assert!(body_result(response).await.is_err(), "{faults:?}");
        running.shutdown().await;
    }
}

#[tokio::test]
async fn body_faults_with_fail_first_clear_after_n_exports() {
    let running = start_with(Config {
        faults: Faults {
            fail_first: Some(1),
            fail_status: None,
            truncate_body: Some(10),
            ..Faults::default()
        },
        ..test_config()
    })
    .await;
    let client = Client::new(&running);
    let body = json!({"jobList": ["job_batch"]});
    // fail_first alone implies 503; a status fault wins over the body fault.
    assert_eq!(client.export(&body, &[]).await.status(), 503);
    let response = client.export(&body, &[]).await;
    assert_eq!(response.status(), 200);
    assert!(body_result(response).await.is_ok());
}

#[tokio::test]
async fn first_byte_delay_holds_the_body_after_the_headers() {
    let delay = Duration::from_millis(400);
    let running = start_with(Config {
        faults: Faults {
            first_byte_delay: Some(delay),
            ..Faults::default()
        },
        ..test_config()
    })
    .await;
    let client = Client::new(&running);
    let started = Instant::now();
    let response = client.export(&json!({"jobList": ["job_batch"]}), &[]).await;
    let headers_after = started.elapsed();
    assert_eq!(response.status(), 200);
    let zip = response.bytes().await.expect("body");
    let body_after = started.elapsed();
    assert!(headers_after < delay, "headers after {headers_after:?}");
    assert!(body_after >= delay, "body after {body_after:?}");
    assert_eq!(entries(&zip).len(), 2);
}

#[tokio::test]
async fn rate_limit_answers_429_without_burst() {
    // One request per 10 s: the second comes well within that on any
    // machine (when requests are let through again is the limiter's unit
    // test, with its own clock).
    let running = start_with(Config {
        faults: Faults {
            rate_limit: Some(0.1),
            ..Faults::default()
        },
        ..test_config()
    })
    .await;
    let client = Client::new(&running);
    assert_eq!(client.list(&[], &[]).await.status(), 200);
    let response = client.list(&[], &[]).await;
    assert_eq!(response.status(), 429);
    assert_request_id(&response);
    assert_eq!(response.headers()["retry-after"], "1");
    let body = json_of(response).await;
    assert_eq!(body["error_code"], "APIG.0308");
    assert_eq!(
        body["error_msg"],
        "The throttling threshold has been reached: policy user over ratelimit, limit:0.1, time:1 second"
    );
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let running = start_with(Config {
        faults: Faults {
            latency: Some(Duration::from_millis(200)),
            ..Faults::default()
        },
        ..test_config()
    })
    .await;
    let client = Client::new(&running);
    let started = Instant::now();
    let response = client.send("GET", "/nothing", &[], &[], b"").await;
    assert_eq!(response.status(), 404);
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn two_thousand_jobs_index_list_and_export_quickly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = vec![b's'; 2048];
    for i in 0..2000 {
        let kind = if i % 10 == 0 { "REAL_TIME" } else { "BATCH" };
        write_job(
            dir.path(),
            &format!("job_{i:04}"),
            kind,
            &[("s.script", &script)],
        );
    }
    let started = Instant::now();
    let running = start_with(Config {
        data: Some(dir.path().to_path_buf()),
        ..test_config()
    })
    .await;
    assert_eq!(running.job_count(), 2000);
    let indexed = started.elapsed();
    let client = Client::new(&running);
    let mut names = Vec::new();
    for job_type in ["BATCH", "REAL_TIME"] {
        for page in 0..3 {
            let offset = (page * 1000).to_string();
            let query = [
                ("limit", "1000"),
                ("offset", offset.as_str()),
                ("jobType", job_type),
            ];
            let (total, page_names) = page_names(&client, &query).await;
            assert_eq!(total, if job_type == "BATCH" { 1800 } else { 200 });
            names.extend(page_names);
        }
    }
    assert_eq!(names.len(), 2000);
    let mut handles = Vec::new();
    for chunk in names.chunks(100) {
        let request = json!({ "jobList": chunk });
        let client = Client::new(&running);
        handles.push(tokio::spawn(async move {
            let response = client.export(&request, &[]).await;
            assert_eq!(response.status(), 200);
            entries(&response.bytes().await.expect("body")).len()
        }));
    }
    let mut total_entries = 0;
    for handle in handles {
        total_entries += handle.await.expect("task");
    }
    assert_eq!(total_entries, 4000);
    let elapsed = started.elapsed();
    assert!(
        indexed < Duration::from_secs(5),
        "indexing took {indexed:?}"
    );
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
    running.shutdown().await;
}

#[tokio::test]
async fn a_large_export_streams_without_holding_the_archive() {
    // 48 MiB of compressible text in one job: checks that a large body
    // arrives whole and valid. (Throughput is measured in benchmarks, in release.)
    let dir = tempfile::tempdir().expect("tempdir");
    let line = b"insert into t values (1, 'some text that compresses well');\n";
    let big: Vec<u8> = line
        .iter()
        .copied()
        .cycle()
        .take(48 * 1024 * 1024)
        .collect();
    write_job(dir.path(), "big", "BATCH", &[("big.script", &big)]);
    let running = start_with(Config {
        data: Some(dir.path().to_path_buf()),
        ..test_config()
    })
    .await;
    let client = Client::new(&running);
    let started = Instant::now();
    let response = client.export(&json!({"jobList": ["big"]}), &[]).await;
    assert_eq!(response.status(), 200);
    let zip = response.bytes().await.expect("body");
    let elapsed = started.elapsed();
    let got = entries(&zip);
    assert_eq!(got[1].0, "jobs/big/big.script");
    assert!(got[1].1 == big);
    eprintln!(
        "48 MiB export: {} bytes compressed in {elapsed:?}",
        zip.len()
    );
}

#[tokio::test]
async fn shutdown_stops_serving_and_debug_hides_the_sk() {
    let config = Config {
        auth_token: Some(Secret::new("tok-secret")),
        ..test_config()
    };
    let shown = format!("{config:?}");
    assert!(!shown.contains(DEFAULT_SK), "{shown}");
    assert!(!shown.contains("tok-secret"), "{shown}");
    let running = start_with(config).await;
    let addr = running.addr;
    assert!(running.endpoint().starts_with("http://127.0.0.1:"));
    running.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn bad_configuration_is_a_usage_error() {
    let err = start(Config {
        faults: Faults {
            fail_status: Some(99),
            ..Faults::default()
        },
        ..test_config()
    })
    .await
    .expect_err("refused");
    assert!(err.downcast_ref::<EmulatorError>().is_some());
    let err = start(Config {
        data: Some("/nonexistent/emulator-data".into()),
        ..test_config()
    })
    .await
    .expect_err("refused");
    assert!(err.downcast_ref::<EmulatorError>().is_some(), "{err:#}");
}

/// Sends one raw HTTP/1.1 export (token auth) and reads until the connection
/// ends: (bytes read, the read error if it ended with one).
async fn raw_export(running: &Running) -> (Vec<u8>, Option<std::io::ErrorKind>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = r#"{"jobList":["job_batch","job_stream"]}"#;
    let request = format!(
        "POST /v1/{DEFAULT_PROJECT_ID}/jobs/batch-export HTTP/1.1\r\nHost: {}\r\nX-Auth-Token: raw-token\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        running.addr,
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(running.addr)
        .await
        .expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    for _ in 0..10_000 {
        let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buffer))
            .await
            .expect("the server ends the connection");
        match read {
            Ok(0) => return (received, None),
            Ok(read) => received.extend_from_slice(&buffer[..read]),
            Err(err) => return (received, Some(err.kind())),
        }
    }
    panic!("connection did not end");
}

#[tokio::test]
async fn reset_after_sends_a_tcp_reset_and_truncate_a_clean_close() {
    for (faults, expect_reset) in [
        (
            Faults {
                reset_after: Some(100),
                ..Faults::default()
            },
            true,
        ),
        (
            Faults {
                truncate_body: Some(100),
                ..Faults::default()
            },
            false,
        ),
    ] {
        let running = start_with(Config {
            auth_token: Some(Secret::new("raw-token")),
            faults,
            ..test_config()
        })
        .await;
        let (received, error) = raw_export(&running).await;
        let text = String::from_utf8_lossy(&received);
        assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
        assert!(text.contains("transfer-encoding: chunked"), "{text}");
        assert!(
            !text.ends_with("0\r\n\r\n"),
            "the chunked body must not end"
        );
        let head_end = text.find("\r\n\r\n").expect("head") + 4;
        // 100 body bytes framed as chunks, plus the frames' few bytes.
        assert!(
            received.len() - head_end >= 100,
            "{}",
            received.len() - head_end
        );
        if expect_reset {
            assert_eq!(error, Some(std::io::ErrorKind::ConnectionReset));
        } else {
            assert_eq!(error, None, "a FIN, not a reset");
        }
        running.shutdown().await;
    }
}

#[test]
fn the_banner_prints_pasteable_exports_and_hides_a_custom_sk() {
    let config = Config {
        ak: "AK1".into(),
        project_id: "p1".into(),
        ..test_config()
    };
    let lines = export_lines(&config, "http://127.0.0.1:9", "http://127.0.0.1:10");
    assert!(lines.contains(&format!("export HUAWEICLOUD_SDK_SK={DEFAULT_SK}\n")));
    assert!(lines.contains("export DATAARTS_OBS_ENDPOINT=http://127.0.0.1:10\n"));
    assert!(lines.contains("export HUAWEICLOUD_SDK_AK=AK1\n"));
    assert!(lines.contains("export HUAWEICLOUD_SDK_PROJECT_ID=p1\n"));
    assert!(lines.contains("export DATAARTS_ENDPOINT=http://127.0.0.1:9\n"));
    let custom = export_lines(
        &Config {
            sk: Secret::new("custom-sk"),
            ..config
        },
        "http://127.0.0.1:9",
        "http://127.0.0.1:10",
    );
    assert!(!custom.contains(DEFAULT_SK));
    assert!(!custom.contains("export HUAWEICLOUD_SDK_SK="));
}
