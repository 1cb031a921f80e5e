//! Every environment variable dataarts-jobs reads, as documented constants,
//! and [`Env`], the environment as the resolver sees it.
//!
//! A variable that is set but empty counts as unset everywhere: CI systems
//! expand undefined variables to `""` (GitHub Actions' `${{ vars.X }}`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
/// Prefix of the per-region DGC (DLF) endpoint override, as in the SDKs:
/// `HUAWEICLOUD_SDK_REGION_DGC_CN_NORTH_4=https://...[,https://...]`.
pub const SDK_REGION_DGC_PREFIX: &str = "HUAWEICLOUD_SDK_REGION_DGC_";
/// Prefix of the per-region DataArts Studio (Management Center) endpoint override.
pub const SDK_REGION_DATAARTSSTUDIO_PREFIX: &str = "HUAWEICLOUD_SDK_REGION_DATAARTSSTUDIO_";
/// Prefix of the per-region OBS endpoint override.
pub const SDK_REGION_OBS_PREFIX: &str = "HUAWEICLOUD_SDK_REGION_OBS_";
/// DataArts Factory endpoint override (`--endpoint`).
pub const ENDPOINT: &str = "DATAARTS_ENDPOINT";
/// Management Center endpoint override (`--studio-endpoint`).
pub const STUDIO_ENDPOINT: &str = "DATAARTS_STUDIO_ENDPOINT";
/// OBS endpoint override (`--obs-endpoint`).
pub const OBS_ENDPOINT: &str = "DATAARTS_OBS_ENDPOINT";
/// Workspace id sent as the `workspace` header (`--workspace`).
pub const WORKSPACE: &str = "DATAARTS_WORKSPACE";
/// IAM token sent as `X-Auth-Token` instead of signing. Never printed.
pub const AUTH_TOKEN: &str = "DATAARTS_AUTH_TOKEN";
/// Disables colour in output when set to anything.
pub const NO_COLOR: &str = "NO_COLOR";
/// Test knob, for the test suite only: scales retry back-off delays and the
/// import/task poll intervals (`0` makes them immediate; `Retry-After` is
/// scaled too). Not for production use.
pub const TEST_RETRY_DELAY_SCALE: &str = "DATAARTS_TEST_RETRY_DELAY_SCALE";
/// Test knob, for the drift tests of committed files (completions, man page):
/// `overwrite` rewrites them.
pub const SNAPSHOTS: &str = "SNAPSHOTS";

/// The environment as the configuration resolver reads it: variables (empty
/// ones count as unset) and the home directory. Tests and the demo build one
/// from pairs instead of the process environment.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
    home: Option<PathBuf>,
}

impl Env {
    /// The process environment (variables that are not UTF-8 are ignored).
    pub fn process() -> Self {
        Self {
            vars: std::env::vars_os()
                .filter_map(|(name, value)| {
                    Some((name.into_string().ok()?, value.into_string().ok()?))
                })
                .collect(),
            home: dirs::home_dir(),
        }
    }

    /// An environment holding exactly `vars`, with `home` as the home directory.
    pub fn from_pairs<'a>(
        vars: impl IntoIterator<Item = (&'a str, &'a str)>,
        home: Option<&Path>,
    ) -> Self {
        Self {
            vars: vars
                .into_iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
            home: home.map(Path::to_path_buf),
        }
    }

    /// The value of `name`, if set and not empty.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    /// The user's home directory, for the default file locations.
    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_count_as_unset() {
        let env = Env::from_pairs([(WORKSPACE, ""), (ENDPOINT, "http://h")], None);
        assert_eq!(env.var(WORKSPACE), None);
        assert_eq!(env.var(ENDPOINT), Some("http://h"));
        assert_eq!(env.var(SDK_AK), None);
    }
}
