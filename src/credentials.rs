//! The credential chain: environment → SDK credentials file → IAM token →
//! KooCLI profile. First found wins; finding nothing is a usage error that
//! names every place that was looked at.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use ini::{Ini, ParseOption};
use serde::Deserialize;

use crate::auth::Secret;
use crate::env;
use crate::exit::UsageError;

/// The default section of the SDK credentials file.
pub const DEFAULT_PROFILE: &str = "basic";

/// How requests are authenticated.
#[derive(Clone)]
pub enum Credentials {
    /// AK/SK signing (SDK-HMAC-SHA256), with a security token for temporary keys.
    AkSk {
        ak: String,
        sk: Secret,
        security_token: Option<Secret>,
    },
    /// An IAM token sent as `X-Auth-Token`.
    Token(Secret),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::AkSk {
                ak,
                sk,
                security_token,
            } => f
                .debug_struct("AkSk")
                .field("ak", ak)
                .field("sk", sk)
                .field("security_token", security_token)
                .finish(),
            Credentials::Token(token) => f.debug_tuple("Token").field(token).finish(),
        }
    }
}

/// Credentials and what came with them from the same source.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub credentials: Credentials,
    /// Where they came from, for `-v` and error messages.
    pub source: String,
    pub project_id: Option<String>,
    pub region: Option<String>,
    pub iam_endpoint: Option<String>,
}

impl Resolved {
    fn new(credentials: Credentials, source: String) -> Self {
        Self {
            credentials,
            source,
            project_id: None,
            region: None,
            iam_endpoint: None,
        }
    }
}

/// Inputs of the chain, passed in so that tests need no process environment.
pub struct Lookup<'a> {
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// `--credentials-file` / `HUAWEICLOUD_SDK_CREDENTIALS_FILE`.
    pub credentials_file: Option<&'a Path>,
    /// `--profile`.
    pub profile: Option<&'a str>,
    /// `--auth-token-file`.
    pub auth_token_file: Option<&'a Path>,
    /// The user's home directory.
    pub home: Option<&'a Path>,
}

/// Runs the chain.
pub fn resolve(lookup: &Lookup<'_>) -> anyhow::Result<Resolved> {
    let mut looked: Vec<String> = Vec::new();

    if let Some(found) = from_env(lookup)? {
        return Ok(found);
    }
    looked.push(format!("{} and {} (not set)", env::SDK_AK, env::SDK_SK));

    let profile = lookup.profile.unwrap_or(DEFAULT_PROFILE);
    let file = lookup.credentials_file.map(Path::to_path_buf).or_else(|| {
        lookup
            .home
            .map(|home| home.join(".huaweicloud").join("credentials"))
    });
    match &file {
        Some(path) => {
            match from_credentials_file(path, profile, lookup.credentials_file.is_some())? {
                FileResult::Found(found) => return Ok(found),
                FileResult::Missing => looked.push(format!("{} (no such file)", path.display())),
                FileResult::NoSection => {
                    looked.push(format!("{} (no [{profile}] section)", path.display()))
                }
            }
        }
        None => looked.push("~/.huaweicloud/credentials (no home directory)".to_string()),
    }

    if let Some(found) = from_token(lookup)? {
        return Ok(found);
    }
    looked.push(format!(
        "{} (not set) and --auth-token-file (not given)",
        env::AUTH_TOKEN
    ));

    match lookup.home {
        Some(home) => {
            let path = home.join(".hcloud").join("config.json");
            match from_koocli(&path, lookup.profile)? {
                Some(found) => return Ok(found),
                None => looked.push(format!("{} (no such file)", path.display())),
            }
        }
        None => looked.push("~/.hcloud/config.json (no home directory)".to_string()),
    }

    Err(UsageError(format!(
        "no credentials found; looked at: {}. Set {} and {}, or write them to ~/.huaweicloud/credentials \
         ([basic] ak = ..., sk = ...)",
        looked.join("; "),
        env::SDK_AK,
        env::SDK_SK
    ))
    .into())
}

fn from_env(lookup: &Lookup<'_>) -> anyhow::Result<Option<Resolved>> {
    let ak = (lookup.env)(env::SDK_AK);
    let sk = (lookup.env)(env::SDK_SK);
    match (ak, sk) {
        (Some(ak), Some(sk)) => {
            let security_token = (lookup.env)(env::SDK_SECURITY_TOKEN).map(Secret::new);
            Ok(Some(Resolved::new(
                Credentials::AkSk {
                    ak,
                    sk: Secret::new(sk),
                    security_token,
                },
                format!("environment ({} and {})", env::SDK_AK, env::SDK_SK),
            )))
        }
        (Some(_), None) => Err(UsageError(format!(
            "{} is set but {} is not; set both, or neither to use another credential source",
            env::SDK_AK,
            env::SDK_SK
        ))
        .into()),
        (None, Some(_)) => Err(UsageError(format!(
            "{} is set but {} is not; set both, or neither to use another credential source",
            env::SDK_SK,
            env::SDK_AK
        ))
        .into()),
        (None, None) => Ok(None),
    }
}

enum FileResult {
    Found(Resolved),
    Missing,
    NoSection,
}

fn from_credentials_file(path: &Path, profile: &str, explicit: bool) -> anyhow::Result<FileResult> {
    if !path.exists() {
        if explicit {
            return Err(UsageError(format!(
                "credentials file {} does not exist (given by --credentials-file or {})",
                path.display(),
                env::SDK_CREDENTIALS_FILE
            ))
            .into());
        }
        return Ok(FileResult::Missing);
    }
    let options = ParseOption {
        enabled_quote: false,
        enabled_escape: false,
        ..ParseOption::default()
    };
    let ini = Ini::load_from_file_opt(path, options).map_err(|error| {
        UsageError(format!(
            "cannot read credentials file {}: {error}",
            path.display()
        ))
    })?;
    let Some(section) = ini
        .iter()
        .find(|(name, _)| name.is_some_and(|name| name.trim() == profile))
        .map(|(_, properties)| properties)
    else {
        return Ok(FileResult::NoSection);
    };
    // configparser: key names are case-insensitive, values trimmed.
    let get = |key: &str| {
        section
            .iter()
            .find(|(name, _)| name.trim().eq_ignore_ascii_case(key))
            .map(|(_, value)| value.trim().to_string())
            .filter(|value| !value.is_empty())
    };
    let (Some(ak), Some(sk)) = (get("ak"), get("sk")) else {
        return Err(UsageError(format!(
            "credentials file {} has a [{profile}] section without both `ak` and `sk`",
            path.display()
        ))
        .into());
    };
    let mut found = Resolved::new(
        Credentials::AkSk {
            ak,
            sk: Secret::new(sk),
            security_token: get("security_token").map(Secret::new),
        },
        format!("credentials file {} [{profile}]", path.display()),
    );
    found.project_id = get("project_id");
    found.iam_endpoint = get("iam_endpoint");
    Ok(FileResult::Found(found))
}

fn from_token(lookup: &Lookup<'_>) -> anyhow::Result<Option<Resolved>> {
    if let Some(token) = (lookup.env)(env::AUTH_TOKEN) {
        return Ok(Some(Resolved::new(
            Credentials::Token(Secret::new(token.trim().to_string())),
            format!("IAM token from {}", env::AUTH_TOKEN),
        )));
    }
    let Some(path) = lookup.auth_token_file else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the token file {}", path.display()))
        .map_err(|error| UsageError(format!("{error:#}")))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(UsageError(format!("the token file {} is empty", path.display())).into());
    }
    Ok(Some(Resolved::new(
        Credentials::Token(Secret::new(token.to_string())),
        format!("IAM token from {}", path.display()),
    )))
}

/// KooCLI's `~/.hcloud/config.json`.
#[derive(Deserialize)]
struct KooConfig {
    #[serde(default)]
    current: Option<String>,
    #[serde(default)]
    profiles: Vec<KooProfile>,
    #[serde(default, rename = "authEncrypt", alias = "encryptAuth")]
    auth_encrypt: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KooProfile {
    name: String,
    #[serde(default)]
    mode: Option<String>,
    #[serde(default, alias = "accessKey", alias = "ak")]
    access_key_id: Option<String>,
    #[serde(default, alias = "secretKey", alias = "sk")]
    secret_access_key: Option<String>,
    #[serde(default)]
    security_token: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    project_id: Option<String>,
    #[serde(default, alias = "encryptAuth")]
    auth_encrypt: Option<serde_json::Value>,
}

fn truthy(value: &Option<serde_json::Value>) -> bool {
    match value {
        Some(serde_json::Value::Bool(flag)) => *flag,
        Some(serde_json::Value::String(text)) => matches!(text.as_str(), "true" | "on" | "1"),
        Some(serde_json::Value::Number(number)) => number.as_u64().is_some_and(|n| n != 0),
        _ => false,
    }
}

fn from_koocli(path: &Path, profile: Option<&str>) -> anyhow::Result<Option<Resolved>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => {
            return Err(UsageError(format!("cannot read {}: {error}", path.display())).into())
        }
    };
    let config: KooConfig = serde_json::from_str(&text).map_err(|error| {
        UsageError(format!(
            "{} is not a KooCLI configuration this tool understands: {error}",
            path.display()
        ))
    })?;
    let wanted = profile
        .map(str::to_string)
        .or(config.current.clone())
        .unwrap_or_else(|| "default".to_string());
    let Some(found) = config.profiles.iter().find(|p| p.name == wanted) else {
        return Err(UsageError(format!(
            "KooCLI profile `{wanted}` not found in {}; profiles there: {}",
            path.display(),
            config
                .profiles
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into());
    };
    if truthy(&config.auth_encrypt) || truthy(&found.auth_encrypt) {
        return Err(UsageError(format!(
            "KooCLI profile `{wanted}` in {} is encrypted, and its keys cannot be read outside KooCLI; \
             export {} and {} (e.g. from your secret store) or write an SDK credentials file instead",
            path.display(),
            env::SDK_AK,
            env::SDK_SK
        ))
        .into());
    }
    if found
        .mode
        .as_deref()
        .is_some_and(|mode| !mode.eq_ignore_ascii_case("AKSK"))
    {
        return Err(UsageError(format!(
            "KooCLI profile `{wanted}` in {} uses mode {}; only AKSK profiles can be used",
            path.display(),
            found.mode.as_deref().unwrap_or_default()
        ))
        .into());
    }
    let non_empty = |value: &Option<String>| value.clone().filter(|v| !v.trim().is_empty());
    let (Some(ak), Some(sk)) = (
        non_empty(&found.access_key_id),
        non_empty(&found.secret_access_key),
    ) else {
        return Err(UsageError(format!(
            "KooCLI profile `{wanted}` in {} has no access key and secret key",
            path.display()
        ))
        .into());
    };
    let mut resolved = Resolved::new(
        Credentials::AkSk {
            ak,
            sk: Secret::new(sk),
            security_token: non_empty(&found.security_token).map(Secret::new),
        },
        format!("KooCLI profile `{wanted}` in {}", path.display()),
    );
    resolved.region = non_empty(&found.region);
    resolved.project_id = non_empty(&found.project_id);
    Ok(Some(resolved))
}

/// The home directory, for the default file locations.
pub fn home_dir() -> Option<PathBuf> {
    dirs::home_dir()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct World {
        vars: HashMap<&'static str, &'static str>,
        home: tempfile::TempDir,
    }

    impl World {
        fn new(vars: &[(&'static str, &'static str)]) -> Self {
            Self {
                vars: vars.iter().copied().collect(),
                home: tempfile::tempdir().expect("temp dir"),
            }
        }

        fn write(&self, relative: &str, text: &str) -> PathBuf {
            let path = self.home.path().join(relative);
            std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
            std::fs::write(&path, text).expect("write");
            path
        }

        fn resolve(&self, profile: Option<&str>) -> anyhow::Result<Resolved> {
            let env = |name: &str| self.vars.get(name).map(|v| v.to_string());
            resolve(&Lookup {
                env: &env,
                credentials_file: None,
                profile,
                auth_token_file: None,
                home: Some(self.home.path()),
            })
        }
    }

    fn ak_of(resolved: &Resolved) -> &str {
        match &resolved.credentials {
            Credentials::AkSk { ak, .. } => ak,
            Credentials::Token(_) => "(token)",
        }
    }

    #[test]
    fn environment_comes_first() {
        let world = World::new(&[(env::SDK_AK, "AK_ENV"), (env::SDK_SK, "SK_ENV")]);
        world.write(
            ".huaweicloud/credentials",
            "[basic]\nak = AK_FILE\nsk = SK_FILE\n",
        );
        let found = world.resolve(None).expect("found");
        assert_eq!(ak_of(&found), "AK_ENV");
    }

    #[test]
    fn half_a_key_pair_is_a_usage_error() {
        let world = World::new(&[(env::SDK_AK, "AK_ENV")]);
        let error = world.resolve(None).expect_err("refused");
        assert!(error.downcast_ref::<UsageError>().is_some());
        assert!(error.to_string().contains(env::SDK_SK));
    }

    #[test]
    fn credentials_file_section_keys_are_case_insensitive_and_trimmed() {
        let world = World::new(&[]);
        world.write(
            ".huaweicloud/credentials",
            "# comment\n[basic]\nAK = AK_FILE  \nsk: SK_FILE\nproject_id = p123\n\n[other]\nak = A2\nsk = S2\n",
        );
        let found = world.resolve(None).expect("found");
        assert_eq!(ak_of(&found), "AK_FILE");
        assert_eq!(found.project_id.as_deref(), Some("p123"));
        match &found.credentials {
            Credentials::AkSk { sk, .. } => assert_eq!(sk.expose(), "SK_FILE"),
            Credentials::Token(_) => panic!("expected AK/SK"),
        }
        let other = world.resolve(Some("other")).expect("found");
        assert_eq!(ak_of(&other), "A2");
    }

    #[test]
    fn token_comes_after_the_file() {
        let world = World::new(&[(env::AUTH_TOKEN, "tok-123")]);
        let found = world.resolve(None).expect("found");
        assert!(matches!(found.credentials, Credentials::Token(ref t) if t.expose() == "tok-123"));
        world.write(
            ".huaweicloud/credentials",
            "[basic]\nak = AK_FILE\nsk = SK_FILE\n",
        );
        assert_eq!(ak_of(&world.resolve(None).expect("found")), "AK_FILE");
    }

    #[test]
    fn koocli_plaintext_profile_is_used_last() {
        let world = World::new(&[]);
        world.write(
            ".hcloud/config.json",
            r#"{"current":"work","profiles":[
                {"name":"default","mode":"AKSK","accessKeyId":"AK_D","secretAccessKey":"SK_D"},
                {"name":"work","mode":"AKSK","accessKeyId":"AK_W","secretAccessKey":"SK_W",
                 "region":"cn-north-4","projectId":"pw"}]}"#,
        );
        let found = world.resolve(None).expect("found");
        assert_eq!(ak_of(&found), "AK_W");
        assert_eq!(found.region.as_deref(), Some("cn-north-4"));
        assert_eq!(found.project_id.as_deref(), Some("pw"));
        assert_eq!(
            ak_of(&world.resolve(Some("default")).expect("found")),
            "AK_D"
        );
    }

    #[test]
    fn encrypted_koocli_profile_says_how_to_proceed() {
        let world = World::new(&[]);
        world.write(
            ".hcloud/config.json",
            r#"{"current":"default","profiles":[{"name":"default","mode":"AKSK",
                "accessKeyId":"ENC(xxx)","secretAccessKey":"ENC(yyy)","authEncrypt":true}]}"#,
        );
        let error = world.resolve(None).expect_err("refused");
        let text = error.to_string();
        assert!(text.contains("encrypted"), "{text}");
        assert!(text.contains(env::SDK_AK), "{text}");
        assert!(!text.contains("ENC(yyy)"), "{text}");
    }

    #[test]
    fn nothing_found_names_every_place() {
        let world = World::new(&[]);
        let error = world.resolve(None).expect_err("refused");
        let text = error.to_string();
        for place in [env::SDK_AK, "credentials", env::AUTH_TOKEN, "config.json"] {
            assert!(text.contains(place), "{place} missing from: {text}");
        }
    }

    #[test]
    fn debug_never_shows_secrets() {
        let credentials = Credentials::AkSk {
            ak: "AK".into(),
            sk: Secret::new("SK-SECRET"),
            security_token: Some(Secret::new("TOKEN-SECRET")),
        };
        let shown = format!("{credentials:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
    }
}
