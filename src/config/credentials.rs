//! The credential chain: environment → SDK credentials file → IAM token →
//! KooCLI profile. First found wins; finding nothing is an error that names
//! every place that was looked at.

use std::fmt;
use std::path::{Path, PathBuf};

use ini::{Ini, ParseOption};
use serde::Deserialize;

use super::ConfigError;
use crate::auth::{Credentials, Secret};
use crate::env::{self, Env};

/// The default section of the SDK credentials file.
pub const DEFAULT_PROFILE: &str = "basic";

/// Where the credentials came from (shown by `doctor` and `-v`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `HUAWEICLOUD_SDK_AK` and `HUAWEICLOUD_SDK_SK`.
    Environment,
    /// The SDK credentials file, and its section.
    File { path: PathBuf, section: String },
    /// `DATAARTS_AUTH_TOKEN`.
    TokenVariable,
    /// `--auth-token-file`.
    TokenFile(PathBuf),
    /// A KooCLI profile.
    KooCli { path: PathBuf, profile: String },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Environment => write!(
                f,
                "environment variables {} and {}",
                env::SDK_AK,
                env::SDK_SK
            ),
            Source::File { path, section } => {
                write!(f, "credentials file {} [{section}]", path.display())
            }
            Source::TokenVariable => write!(f, "IAM token from {}", env::AUTH_TOKEN),
            Source::TokenFile(path) => write!(f, "IAM token from {}", path.display()),
            Source::KooCli { path, profile } => {
                write!(f, "KooCLI profile `{profile}` in {}", path.display())
            }
        }
    }
}

/// Credentials and what came with them from the same source.
#[derive(Debug, Clone)]
pub struct Found {
    pub credentials: Credentials,
    pub source: Source,
    pub project_id: Option<String>,
    pub region: Option<String>,
    pub iam_endpoint: Option<String>,
}

impl Found {
    fn new(credentials: Credentials, source: Source) -> Self {
        Self {
            credentials,
            source,
            project_id: None,
            region: None,
            iam_endpoint: None,
        }
    }
}

/// Inputs of the chain beyond the environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct Lookup<'a> {
    /// `--credentials-file` (the environment variable is read from [`Env`]).
    pub credentials_file: Option<&'a Path>,
    /// `--profile`.
    pub profile: Option<&'a str>,
    /// `--auth-token-file`.
    pub auth_token_file: Option<&'a Path>,
}

/// Runs the chain.
pub fn resolve(lookup: &Lookup<'_>, env: &Env) -> Result<Found, ConfigError> {
    let mut looked: Vec<String> = Vec::new();

    if let Some(found) = from_env(env)? {
        return Ok(found);
    }
    looked.push(format!("{} and {} (not set)", env::SDK_AK, env::SDK_SK));

    let profile = lookup.profile.unwrap_or(DEFAULT_PROFILE);
    let explicit = explicit_file(lookup, env);
    let file = credentials_file(lookup, env);
    match &file {
        Some(path) => match from_credentials_file(path, profile)? {
            FileResult::Found(found) => return Ok(*found),
            FileResult::Missing => match &explicit {
                Some((_, origin)) => {
                    return Err(ConfigError::CredentialsFileMissing {
                        path: path.clone(),
                        origin: origin.clone(),
                    })
                }
                None => looked.push(format!("{} (no such file)", path.display())),
            },
            FileResult::NoSection => {
                looked.push(format!("{} (no [{profile}] section)", path.display()))
            }
        },
        None => looked.push("~/.huaweicloud/credentials (no home directory)".to_string()),
    }

    if let Some(found) = from_token(lookup, env)? {
        return Ok(found);
    }
    looked.push(format!(
        "{} (not set) and --auth-token-file (not given)",
        env::AUTH_TOKEN
    ));

    match env.home() {
        Some(home) => {
            let path = home.join(".hcloud").join("config.json");
            match from_koocli(&path, lookup.profile)? {
                Some(found) => return Ok(found),
                None => looked.push(format!("{} (no such file)", path.display())),
            }
        }
        None => looked.push("~/.hcloud/config.json (no home directory)".to_string()),
    }

    Err(ConfigError::NoCredentials { looked })
}

/// `--credentials-file` or its environment variable, with where it came from.
fn explicit_file(lookup: &Lookup<'_>, env: &Env) -> Option<(PathBuf, String)> {
    match (lookup.credentials_file, env.var(env::SDK_CREDENTIALS_FILE)) {
        (Some(path), _) => Some((path.to_path_buf(), "--credentials-file".to_string())),
        (None, Some(path)) => Some((PathBuf::from(path), env::SDK_CREDENTIALS_FILE.to_string())),
        (None, None) => None,
    }
}

/// The credentials file: given, or `~/.huaweicloud/credentials`.
pub fn credentials_file(lookup: &Lookup<'_>, env: &Env) -> Option<PathBuf> {
    explicit_file(lookup, env)
        .map(|(path, _)| path)
        .or_else(|| {
            env.home()
                .map(|home| home.join(".huaweicloud").join("credentials"))
        })
}

/// The credentials file's `project_id` in the `--profile` section, read on
/// its own when the keys came from elsewhere (the environment, a token,
/// KooCLI). `None` when the file, the section or the key is absent, or the
/// file does not parse (it is not the credential source, so it does not
/// fail the run).
pub fn project_id_in_file(lookup: &Lookup<'_>, env: &Env) -> Option<(String, Source)> {
    let path = credentials_file(lookup, env)?;
    let profile = lookup.profile.unwrap_or(DEFAULT_PROFILE);
    let text = read_text(&path).ok()??;
    let options = ParseOption {
        enabled_quote: false,
        enabled_escape: false,
        ..ParseOption::default()
    };
    let ini = Ini::load_from_str_opt(&text, options).ok()?;
    let id = ini
        .iter()
        .filter(|(name, _)| name.map(str::trim) == Some(profile))
        .find_map(|(_, section)| {
            section
                .iter()
                .find(|(key, _)| key.trim().eq_ignore_ascii_case("project_id"))
                .map(|(_, value)| value.trim().to_string())
        })
        .filter(|id| !id.is_empty())?;
    Some((
        id,
        Source::File {
            path,
            section: profile.to_string(),
        },
    ))
}

fn from_env(env: &Env) -> Result<Option<Found>, ConfigError> {
    match (env.var(env::SDK_AK), env.var(env::SDK_SK)) {
        (Some(ak), Some(sk)) => Ok(Some(Found::new(
            Credentials::AkSk {
                ak: ak.to_string(),
                sk: Secret::new(sk),
                security_token: env.var(env::SDK_SECURITY_TOKEN).map(Secret::new),
            },
            Source::Environment,
        ))),
        (Some(_), None) => Err(ConfigError::HalfKeyPair {
            set: env::SDK_AK,
            missing: env::SDK_SK,
        }),
        (None, Some(_)) => Err(ConfigError::HalfKeyPair {
            set: env::SDK_SK,
            missing: env::SDK_AK,
        }),
        (None, None) => Ok(None),
    }
}

enum FileResult {
    Found(Box<Found>),
    Missing,
    NoSection,
}

/// Reads a file as UTF-8 text, without a leading byte-order mark.
fn read_text(path: &Path) -> std::io::Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        })),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

fn from_credentials_file(path: &Path, profile: &str) -> Result<FileResult, ConfigError> {
    let unreadable = |detail: String| ConfigError::CredentialsFileUnreadable {
        path: path.to_path_buf(),
        detail,
    };
    let Some(text) = read_text(path).map_err(|error| unreadable(error.to_string()))? else {
        return Ok(FileResult::Missing);
    };
    let options = ParseOption {
        enabled_quote: false,
        enabled_escape: false,
        ..ParseOption::default()
    };
    let ini =
        Ini::load_from_str_opt(&text, options).map_err(|error| unreadable(error.to_string()))?;
    // configparser (strict) refuses a section or a key given twice.
    let sections: Vec<(&str, &ini::Properties)> = ini
        .iter()
        .filter_map(|(name, properties)| Some((name?.trim(), properties)))
        .filter(|(name, _)| *name == profile)
        .collect();
    let section = match sections.as_slice() {
        [] => return Ok(FileResult::NoSection),
        [(_, one)] => *one,
        _ => {
            return Err(ConfigError::CredentialsDuplicateSection {
                path: path.to_path_buf(),
                section: profile.to_string(),
            })
        }
    };
    let mut seen = std::collections::HashSet::new();
    for (key, _) in section.iter() {
        let key = key.trim().to_ascii_lowercase();
        if !seen.insert(key.clone()) {
            return Err(ConfigError::CredentialsDuplicateKey {
                path: path.to_path_buf(),
                section: profile.to_string(),
                key,
            });
        }
    }
    // configparser: key names are case-insensitive, values trimmed.
    let get = |key: &str| {
        section
            .iter()
            .find(|(name, _)| name.trim().eq_ignore_ascii_case(key))
            .map(|(_, value)| value.trim().to_string())
            .filter(|value| !value.is_empty())
    };
    let (Some(ak), Some(sk)) = (get("ak"), get("sk")) else {
        return Err(ConfigError::CredentialsSectionIncomplete {
            path: path.to_path_buf(),
            section: profile.to_string(),
        });
    };
    let mut found = Found::new(
        Credentials::AkSk {
            ak,
            sk: Secret::new(sk),
            security_token: get("security_token").map(Secret::new),
        },
        Source::File {
            path: path.to_path_buf(),
            section: profile.to_string(),
        },
    );
    found.project_id = get("project_id");
    found.iam_endpoint = get("iam_endpoint");
    Ok(FileResult::Found(Box::new(found)))
}

fn from_token(lookup: &Lookup<'_>, env: &Env) -> Result<Option<Found>, ConfigError> {
    if let Some(token) = env.var(env::AUTH_TOKEN) {
        return Ok(Some(Found::new(
            Credentials::Token(Secret::new(token.trim())),
            Source::TokenVariable,
        )));
    }
    let Some(path) = lookup.auth_token_file else {
        return Ok(None);
    };
    let text = read_text(path)
        .and_then(|text| text.ok_or_else(|| std::io::ErrorKind::NotFound.into()))
        .map_err(|error| ConfigError::TokenFileUnreadable {
            path: path.to_path_buf(),
            detail: error.to_string(),
        })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(ConfigError::TokenFileEmpty {
            path: path.to_path_buf(),
        });
    }
    Ok(Some(Found::new(
        Credentials::Token(Secret::new(token)),
        Source::TokenFile(path.to_path_buf()),
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

fn from_koocli(path: &Path, profile: Option<&str>) -> Result<Option<Found>, ConfigError> {
    let text = read_text(path).map_err(|error| ConfigError::KooCliUnreadable {
        path: path.to_path_buf(),
        detail: error.to_string(),
    })?;
    let Some(text) = text else {
        return Ok(None);
    };
    let config: KooConfig =
        serde_json::from_str(&text).map_err(|error| ConfigError::KooCliInvalid {
            path: path.to_path_buf(),
            detail: error.to_string(),
        })?;
    let wanted = profile
        .map(str::to_string)
        .or(config.current.clone())
        .unwrap_or_else(|| "default".to_string());
    let Some(found) = config.profiles.iter().find(|p| p.name == wanted) else {
        return Err(ConfigError::KooCliProfileMissing {
            path: path.to_path_buf(),
            profile: wanted,
            available: config.profiles.iter().map(|p| p.name.clone()).collect(),
        });
    };
    if truthy(&config.auth_encrypt) || truthy(&found.auth_encrypt) {
        return Err(ConfigError::KooCliEncrypted {
            path: path.to_path_buf(),
            profile: wanted,
        });
    }
    if let Some(mode) = found
        .mode
        .as_deref()
        .filter(|mode| !mode.eq_ignore_ascii_case("AKSK"))
    {
        return Err(ConfigError::KooCliMode {
            path: path.to_path_buf(),
            profile: wanted,
            mode: mode.to_string(),
        });
    }
    let non_empty = |value: &Option<String>| value.clone().filter(|v| !v.trim().is_empty());
    let (Some(ak), Some(sk)) = (
        non_empty(&found.access_key_id),
        non_empty(&found.secret_access_key),
    ) else {
        return Err(ConfigError::KooCliNoKeys {
            path: path.to_path_buf(),
            profile: wanted,
        });
    };
    let mut resolved = Found::new(
        Credentials::AkSk {
            ak,
            sk: Secret::new(sk),
            security_token: non_empty(&found.security_token).map(Secret::new),
        },
        Source::KooCli {
            path: path.to_path_buf(),
            profile: wanted,
        },
    );
    resolved.region = non_empty(&found.region);
    resolved.project_id = non_empty(&found.project_id);
    Ok(Some(resolved))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct World {
        vars: Vec<(&'static str, &'static str)>,
        home: tempfile::TempDir,
    }

    impl World {
        fn new(vars: &[(&'static str, &'static str)]) -> Self {
            Self {
                vars: vars.to_vec(),
                home: tempfile::tempdir().expect("temp dir"),
            }
        }

        fn write(&self, relative: &str, text: &str) -> PathBuf {
            let path = self.home.path().join(relative);
            std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
            std::fs::write(&path, text).expect("write");
            path
        }

        fn resolve(&self, profile: Option<&str>) -> Result<Found, ConfigError> {
            let env = Env::from_pairs(self.vars.iter().copied(), Some(self.home.path()));
            resolve(
                &Lookup {
                    profile,
                    ..Lookup::default()
                },
                &env,
            )
        }
    }

    fn ak_of(found: &Found) -> &str {
        found.credentials.ak().unwrap_or("(token)")
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
        assert_eq!(found.source, Source::Environment);
    }

    #[test]
    fn half_a_key_pair_is_an_error_and_empty_counts_as_unset() {
        let world = World::new(&[(env::SDK_AK, "AK_ENV")]);
        let error = world.resolve(None).expect_err("refused");
        assert!(matches!(error, ConfigError::HalfKeyPair { .. }));
        assert!(error.to_string().contains(env::SDK_SK));
        let world = World::new(&[(env::SDK_AK, ""), (env::SDK_SK, "")]);
        assert!(matches!(
            world.resolve(None),
            Err(ConfigError::NoCredentials { .. })
        ));
    }

    #[test]
    fn credentials_file_section_keys_are_case_insensitive_and_trimmed() {
        let world = World::new(&[]);
        world.write(
            ".huaweicloud/credentials",
            "\u{feff}# comment\n[basic]\nAK = AK_FILE  \nsk: SK_FILE\nproject_id = p123\n\n[other]\nak = A2\nsk = S2\n",
        );
        let found = world.resolve(None).expect("found");
        assert_eq!(ak_of(&found), "AK_FILE");
        assert_eq!(found.project_id.as_deref(), Some("p123"));
        match &found.credentials {
            Credentials::AkSk { sk, .. } => assert_eq!(sk.expose(), "SK_FILE"),
            Credentials::Token(_) => panic!("expected AK/SK"),
        }
        assert_eq!(ak_of(&world.resolve(Some("other")).expect("found")), "A2");
    }

    #[test]
    fn a_key_or_section_given_twice_is_an_error_naming_it() {
        let world = World::new(&[]);
        world.write(
            ".huaweicloud/credentials",
            "[basic]\nak = FIRST\nsk = S\nAK = SECOND\n",
        );
        let error = world.resolve(None).expect_err("refused");
        assert!(
            matches!(error, ConfigError::CredentialsDuplicateKey { ref key, .. } if key == "ak"),
            "{error}"
        );
        assert!(error.to_string().contains("`ak` twice"), "{error}");
        world.write(
            ".huaweicloud/credentials",
            "[basic]\nak = A\nsk = S\n[basic]\nproject_id = p\n",
        );
        assert!(matches!(
            world.resolve(None),
            Err(ConfigError::CredentialsDuplicateSection { .. })
        ));
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
    fn koocli_plaintext_profile_is_used_last_even_with_a_bom() {
        let world = World::new(&[]);
        world.write(
            ".hcloud/config.json",
            "\u{feff}{\"current\":\"work\",\"profiles\":[
                {\"name\":\"default\",\"mode\":\"AKSK\",\"accessKeyId\":\"AK_D\",\"secretAccessKey\":\"SK_D\"},
                {\"name\":\"work\",\"mode\":\"AKSK\",\"accessKeyId\":\"AK_W\",\"secretAccessKey\":\"SK_W\",
                 \"region\":\"cn-north-4\",\"projectId\":\"pw\"}]}",
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
    fn encrypted_koocli_profile_is_refused_without_showing_its_keys() {
        let world = World::new(&[]);
        world.write(
            ".hcloud/config.json",
            r#"{"current":"default","profiles":[{"name":"default","mode":"AKSK",
                "accessKeyId":"ENC(xxx)","secretAccessKey":"ENC(yyy)","authEncrypt":true}]}"#,
        );
        let error = world.resolve(None).expect_err("refused");
        let text = error.to_string();
        assert!(text.contains("encrypted"), "{text}");
        assert!(!text.contains("ENC(yyy)"), "{text}");
    }

    #[test]
    fn nothing_found_names_every_place_one_a_line() {
        let world = World::new(&[]);
        let error = world.resolve(None).expect_err("refused");
        let text = error.to_string();
        for place in [env::SDK_AK, "credentials", env::AUTH_TOKEN, "config.json"] {
            assert!(text.contains(place), "{place} missing from: {text}");
        }
        assert_eq!(text.lines().count(), 5, "{text}");
    }
}
