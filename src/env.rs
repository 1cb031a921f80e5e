//! Every environment variable dataarts-jobs reads, as documented constants.

/// Access key id (with [`SDK_SK`]); the first credential source.
pub const SDK_AK: &str = "HUAWEICLOUD_SDK_AK";
/// Secret access key. Never printed.
pub const SDK_SK: &str = "HUAWEICLOUD_SDK_SK";
/// Temporary security token that goes with temporary AK/SK. Never printed.
pub const SDK_SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
/// Project id (`--project-id`).
pub const SDK_PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
/// Region id (`--region`).
pub const SDK_REGION_ID: &str = "HUAWEICLOUD_SDK_REGION_ID";
/// The SDK credentials file (`--credentials-file`), default `~/.huaweicloud/credentials`.
pub const SDK_CREDENTIALS_FILE: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";
/// IAM endpoint for the project-id lookup (`--iam-endpoint`).
pub const SDK_IAM_ENDPOINT: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";
/// Prefix of the per-region DGC endpoint override, as in the SDKs:
/// `HUAWEICLOUD_SDK_REGION_DGC_CN_NORTH_4=https://...[,https://...]`.
pub const SDK_REGION_DGC_PREFIX: &str = "HUAWEICLOUD_SDK_REGION_DGC_";
/// DataArts endpoint override (`--endpoint`).
pub const ENDPOINT: &str = "DATAARTS_ENDPOINT";
/// Workspace id sent as the `workspace` header (`--workspace`).
pub const WORKSPACE: &str = "DATAARTS_WORKSPACE";
/// IAM token sent as `X-Auth-Token` instead of signing. Never printed.
pub const AUTH_TOKEN: &str = "DATAARTS_AUTH_TOKEN";
/// Disables colour in output when set to anything.
pub const NO_COLOR: &str = "NO_COLOR";
/// Test knob, for the test suite only: scales retry back-off delays
/// (`0` makes retries immediate; `Retry-After` is scaled too). Not for production use.
pub const TEST_RETRY_DELAY_SCALE: &str = "DATAARTS_TEST_RETRY_DELAY_SCALE";
/// Test knob, for the completions drift test: `overwrite` rewrites the committed files.
pub const SNAPSHOTS: &str = "SNAPSHOTS";

/// The value of `name`, if set and not empty.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}
