//! What can be wrong with the configuration: every variant is a usage or
//! configuration error (exit 2 at the CLI edge, where the hints are added).

use std::path::PathBuf;

/// A configuration error: the settings cannot be resolved as given.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("no credentials found; looked at:{}", bullet_list(looked))]
    NoCredentials { looked: Vec<String> },

    #[error(
        "{set} is set but {missing} is not; set both, or neither to use another credential source"
    )]
    HalfKeyPair {
        set: &'static str,
        missing: &'static str,
    },

    #[error("credentials file {} does not exist (given by {origin})", path.display())]
    CredentialsFileMissing { path: PathBuf, origin: String },

    #[error("cannot read credentials file {}: {detail}", path.display())]
    CredentialsFileUnreadable { path: PathBuf, detail: String },

    #[error("credentials file {} has a [{section}] section without both `ak` and `sk`", path.display())]
    CredentialsSectionIncomplete { path: PathBuf, section: String },

    #[error("credentials file {} gives `{key}` twice in its [{section}] section", path.display())]
    CredentialsDuplicateKey {
        path: PathBuf,
        section: String,
        key: String,
    },

    #[error("credentials file {} has the section [{section}] twice", path.display())]
    CredentialsDuplicateSection { path: PathBuf, section: String },

    #[error("cannot read the token file {}: {detail}", path.display())]
    TokenFileUnreadable { path: PathBuf, detail: String },

    #[error("the token file {} is empty", path.display())]
    TokenFileEmpty { path: PathBuf },

    #[error("cannot read {}: {detail}", path.display())]
    KooCliUnreadable { path: PathBuf, detail: String },

    #[error("{} is not a KooCLI configuration this tool understands: {detail}", path.display())]
    KooCliInvalid { path: PathBuf, detail: String },

    #[error("KooCLI profile `{profile}` not found in {}; profiles there: {}", path.display(), available.join(", "))]
    KooCliProfileMissing {
        path: PathBuf,
        profile: String,
        available: Vec<String>,
    },

    #[error("KooCLI profile `{profile}` in {} is encrypted, and its keys cannot be read outside KooCLI", path.display())]
    KooCliEncrypted { path: PathBuf, profile: String },

    #[error("KooCLI profile `{profile}` in {} uses mode {mode}; only AKSK profiles can be used", path.display())]
    KooCliMode {
        path: PathBuf,
        profile: String,
        mode: String,
    },

    #[error("KooCLI profile `{profile}` in {} has no access key and secret key", path.display())]
    KooCliNoKeys { path: PathBuf, profile: String },

    #[error("unknown region `{region}`")]
    UnknownRegion {
        region: String,
        /// A known region close to the one given.
        suggestion: Option<&'static str>,
        /// The variable that would make it usable.
        override_var: String,
    },

    #[error(
        "no endpoint: no region or endpoint was given, and the credential source names no region"
    )]
    NoEndpoint,

    #[error("no {service} endpoint for region `{region}` in the SDK's table")]
    NoServiceEndpoint {
        service: &'static str,
        region: String,
        flag: &'static str,
        override_var: String,
    },

    #[error("no {service} endpoint: no region or {flag} was given")]
    NoServiceRegion {
        service: &'static str,
        flag: &'static str,
        env: &'static str,
    },

    #[error("no project id; looked at:{}", bullet_list(looked))]
    NoProjectId { looked: Vec<String> },

    #[error("invalid URL {text:?} from {origin}: {detail}")]
    InvalidUrl {
        text: String,
        origin: String,
        detail: String,
    },

    #[error("invalid project id {id:?} from {origin}: expected letters, digits, '-' or '_' (e.g. 32 hex digits)")]
    InvalidProjectId { id: String, origin: String },

    #[error("workspace id {id:?} holds characters that cannot be sent in a header")]
    InvalidWorkspace { id: String },
}

fn bullet_list(items: &[String]) -> String {
    items.iter().map(|item| format!("\n  - {item}")).collect()
}
