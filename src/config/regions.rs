//! Region → endpoint tables of the official SDKs, and their per-region
//! environment overrides (`HUAWEICLOUD_SDK_REGION_<SERVICE>_<REGION>`).
//!
//! - DGC (DataArts Factory, `/v1/{project_id}/jobs/*`): dgc `DgcRegion`,
//!   `dayu-dlf.<region>` except `dayu.cn-east-4`.
//! - DataArtsStudio (Management Center): das `DataArtsStudioRegion`, `dayu.<region>`.
//! - OBS: hwobs `ObsRegion`, `obs.<region>`, `.myhuaweicloud.eu` for eu-west-101;
//!   three DGC regions have no OBS entry.
//! - IAM: core `auth/endpoint.py`.

use crate::env::{self, Env};

/// A cloud service with a region table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Dgc,
    DataArtsStudio,
    Obs,
}

impl Service {
    /// The name the SDKs use in override variables.
    fn prefix(self) -> &'static str {
        match self {
            Service::Dgc => env::SDK_REGION_DGC_PREFIX,
            Service::DataArtsStudio => env::SDK_REGION_DATAARTSSTUDIO_PREFIX,
            Service::Obs => env::SDK_REGION_OBS_PREFIX,
        }
    }

    /// A name for people: `DGC`, `DataArtsStudio`, `OBS`.
    pub fn name(self) -> &'static str {
        match self {
            Service::Dgc => "DGC",
            Service::DataArtsStudio => "DataArtsStudio",
            Service::Obs => "OBS",
        }
    }
}

/// The 26 regions of the DGC and DataArtsStudio SDKs (the same ids).
const DLF_REGIONS: &[&str] = &[
    "ae-ad-1",
    "af-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "cn-east-2",
    "cn-east-3",
    "cn-east-4",
    "cn-north-1",
    "cn-north-11",
    "cn-north-2",
    "cn-north-4",
    "cn-north-9",
    "cn-south-1",
    "cn-southwest-2",
    "eu-west-101",
    "la-north-2",
    "la-south-2",
    "me-east-1",
    "my-kualalumpur-1",
    "na-mexico-1",
    "ru-moscow-1",
    "ru-northwest-2",
    "sa-brazil-1",
    "tr-west-1",
];

/// The 31 regions of the OBS SDK.
const OBS_REGIONS: &[&str] = &[
    "af-north-1",
    "af-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "cn-east-2",
    "cn-east-3",
    "cn-east-4",
    "cn-east-5",
    "cn-north-1",
    "cn-north-11",
    "cn-north-12",
    "cn-north-2",
    "cn-north-4",
    "cn-north-9",
    "cn-south-1",
    "cn-south-2",
    "cn-south-4",
    "cn-southwest-2",
    "cn-southwest-3",
    "eu-west-101",
    "la-north-2",
    "la-south-2",
    "me-east-1",
    "na-mexico-1",
    "ru-northwest-2",
    "sa-brazil-1",
    "sa-peru-1",
    "tr-west-1",
];

/// Regions without a regional IAM entry use [`DEFAULT_IAM`], as core's `auth/endpoint.py` does.
const IAM_WITHOUT_REGIONAL_ENDPOINT: &[&str] = &["cn-north-11", "eu-west-101", "ru-northwest-2"];

/// core's fallback IAM endpoint.
pub const DEFAULT_IAM: &str = "https://iam.myhuaweicloud.com";

/// Every region id the DGC table knows (for messages and "did you mean").
pub fn known_regions() -> impl Iterator<Item = &'static str> {
    DLF_REGIONS.iter().copied()
}

/// The SDK's override variable for `service` in `region`:
/// `HUAWEICLOUD_SDK_REGION_DGC_CN_NORTH_4`.
pub fn override_var(service: Service, region: &str) -> String {
    format!(
        "{}{}",
        service.prefix(),
        region.to_uppercase().replace('-', "_")
    )
}

/// Where an endpoint for a region came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The override variable (named) held it.
    Override(String),
    /// The SDK's table.
    Table,
}

/// The endpoint of `service` in `region`: the override variable's first
/// endpoint, else the table's; `https://` is prepended when no scheme is given.
pub fn endpoint(service: Service, region: &str, env: &Env) -> Option<(String, Found)> {
    let var = override_var(service, region);
    if let Some(value) = env.var(&var) {
        if let Some(first) = value.split(',').map(str::trim).find(|e| !e.is_empty()) {
            return Some((with_scheme(first), Found::Override(var)));
        }
    }
    table(service, region).map(|url| (url, Found::Table))
}

fn table(service: Service, region: &str) -> Option<String> {
    match service {
        Service::Dgc if region == "cn-east-4" => {
            // The one exception in the DGC table: no `-dlf`.
            Some("https://dayu.cn-east-4.myhuaweicloud.com".to_string())
        }
        Service::Dgc => DLF_REGIONS
            .contains(&region)
            .then(|| format!("https://dayu-dlf.{region}.myhuaweicloud.com")),
        Service::DataArtsStudio => DLF_REGIONS
            .contains(&region)
            .then(|| format!("https://dayu.{region}.myhuaweicloud.com")),
        Service::Obs if region == "eu-west-101" => {
            Some("https://obs.eu-west-101.myhuaweicloud.eu".to_string())
        }
        Service::Obs => OBS_REGIONS
            .contains(&region)
            .then(|| format!("https://obs.{region}.myhuaweicloud.com")),
    }
}

/// The IAM endpoint core uses for `region` when nothing overrides it.
pub fn iam_endpoint(region: &str) -> String {
    if DLF_REGIONS.contains(&region) && !IAM_WITHOUT_REGIONAL_ENDPOINT.contains(&region) {
        format!("https://iam.{region}.myhuaweicloud.com")
    } else {
        DEFAULT_IAM.to_string()
    }
}

/// core's `ClientBuilder`: `https://` is prepended to an endpoint without a
/// scheme (another scheme is kept, to be refused as such).
pub fn with_scheme(endpoint: &str) -> String {
    if endpoint.contains("://") {
        endpoint.to_string()
    } else {
        format!("https://{endpoint}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(service: Service, region: &str) -> Option<String> {
        endpoint(service, region, &Env::default()).map(|(url, _)| url)
    }

    #[test]
    fn tables_follow_the_sdks() {
        assert_eq!(
            lookup(Service::Dgc, "cn-north-4").as_deref(),
            Some("https://dayu-dlf.cn-north-4.myhuaweicloud.com")
        );
        assert_eq!(
            lookup(Service::Dgc, "cn-east-4").as_deref(),
            Some("https://dayu.cn-east-4.myhuaweicloud.com")
        );
        assert_eq!(
            lookup(Service::DataArtsStudio, "cn-north-4").as_deref(),
            Some("https://dayu.cn-north-4.myhuaweicloud.com")
        );
        assert_eq!(
            lookup(Service::Obs, "eu-west-101").as_deref(),
            Some("https://obs.eu-west-101.myhuaweicloud.eu")
        );
        assert_eq!(lookup(Service::Obs, "ru-moscow-1"), None);
        assert_eq!(lookup(Service::Dgc, "xx-nowhere-1"), None);
        assert_eq!(known_regions().count(), 26);
        assert_eq!(OBS_REGIONS.len(), 31);
    }

    #[test]
    fn override_variable_wins_and_gets_a_scheme() {
        let env = Env::from_pairs(
            [(
                "HUAWEICLOUD_SDK_REGION_DGC_CN_NORTH_4",
                " dlf.internal:8443 , https://backup",
            )],
            None,
        );
        assert_eq!(
            endpoint(Service::Dgc, "cn-north-4", &env),
            Some((
                "https://dlf.internal:8443".to_string(),
                Found::Override("HUAWEICLOUD_SDK_REGION_DGC_CN_NORTH_4".to_string())
            ))
        );
        // An override also makes an unknown region usable.
        let env = Env::from_pairs(
            [(
                "HUAWEICLOUD_SDK_REGION_OBS_MY_PRIVATE_1",
                "http://obs.private.example",
            )],
            None,
        );
        assert_eq!(
            endpoint(Service::Obs, "my-private-1", &env).map(|(url, _)| url),
            Some("http://obs.private.example".to_string())
        );
    }

    #[test]
    fn iam_endpoints_follow_core() {
        assert_eq!(
            iam_endpoint("cn-north-4"),
            "https://iam.cn-north-4.myhuaweicloud.com"
        );
        assert_eq!(iam_endpoint("eu-west-101"), DEFAULT_IAM);
        assert_eq!(iam_endpoint("unknown-1"), DEFAULT_IAM);
    }
}
