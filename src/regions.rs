//! Region → endpoint tables of the official SDKs (dgc `DgcRegion`, core
//! `auth/endpoint.py`), and the SDK's per-region environment override.

use crate::env;

/// Regions of the DGC SDK, with the host that serves `/v1/{project_id}/jobs/*`.
const DGC: &[(&str, &str)] = &[
    ("ae-ad-1", "dayu-dlf.ae-ad-1.myhuaweicloud.com"),
    ("af-south-1", "dayu-dlf.af-south-1.myhuaweicloud.com"),
    (
        "ap-southeast-1",
        "dayu-dlf.ap-southeast-1.myhuaweicloud.com",
    ),
    (
        "ap-southeast-2",
        "dayu-dlf.ap-southeast-2.myhuaweicloud.com",
    ),
    (
        "ap-southeast-3",
        "dayu-dlf.ap-southeast-3.myhuaweicloud.com",
    ),
    (
        "ap-southeast-4",
        "dayu-dlf.ap-southeast-4.myhuaweicloud.com",
    ),
    ("cn-east-2", "dayu-dlf.cn-east-2.myhuaweicloud.com"),
    ("cn-east-3", "dayu-dlf.cn-east-3.myhuaweicloud.com"),
    // The one exception in the SDK's table: no `-dlf`.
    ("cn-east-4", "dayu.cn-east-4.myhuaweicloud.com"),
    ("cn-north-1", "dayu-dlf.cn-north-1.myhuaweicloud.com"),
    ("cn-north-11", "dayu-dlf.cn-north-11.myhuaweicloud.com"),
    ("cn-north-2", "dayu-dlf.cn-north-2.myhuaweicloud.com"),
    ("cn-north-4", "dayu-dlf.cn-north-4.myhuaweicloud.com"),
    ("cn-north-9", "dayu-dlf.cn-north-9.myhuaweicloud.com"),
    ("cn-south-1", "dayu-dlf.cn-south-1.myhuaweicloud.com"),
    (
        "cn-southwest-2",
        "dayu-dlf.cn-southwest-2.myhuaweicloud.com",
    ),
    ("eu-west-101", "dayu-dlf.eu-west-101.myhuaweicloud.com"),
    ("la-north-2", "dayu-dlf.la-north-2.myhuaweicloud.com"),
    ("la-south-2", "dayu-dlf.la-south-2.myhuaweicloud.com"),
    ("me-east-1", "dayu-dlf.me-east-1.myhuaweicloud.com"),
    (
        "my-kualalumpur-1",
        "dayu-dlf.my-kualalumpur-1.myhuaweicloud.com",
    ),
    ("na-mexico-1", "dayu-dlf.na-mexico-1.myhuaweicloud.com"),
    ("ru-moscow-1", "dayu-dlf.ru-moscow-1.myhuaweicloud.com"),
    (
        "ru-northwest-2",
        "dayu-dlf.ru-northwest-2.myhuaweicloud.com",
    ),
    ("sa-brazil-1", "dayu-dlf.sa-brazil-1.myhuaweicloud.com"),
    ("tr-west-1", "dayu-dlf.tr-west-1.myhuaweicloud.com"),
];

/// Regions without an entry use [`DEFAULT_IAM`], as core's `auth/endpoint.py` does.
const IAM_WITHOUT_REGIONAL_ENDPOINT: &[&str] = &["cn-north-11", "eu-west-101", "ru-northwest-2"];

/// core's fallback IAM endpoint.
pub const DEFAULT_IAM: &str = "https://iam.myhuaweicloud.com";

/// Every region id the DGC table knows, for error messages.
pub fn known_regions() -> impl Iterator<Item = &'static str> {
    DGC.iter().map(|(region, _)| *region)
}

/// The SDK's override variable for `region`: `HUAWEICLOUD_SDK_REGION_DGC_CN_NORTH_4`.
pub fn override_var(region: &str) -> String {
    format!(
        "{}{}",
        env::SDK_REGION_DGC_PREFIX,
        region.to_uppercase().replace('-', "_")
    )
}

/// The DataArts endpoint for `region`: the override variable's first endpoint,
/// else the table; `https://` is prepended when no scheme is given.
pub fn dgc_endpoint(region: &str, env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    if let Some(value) = env(&override_var(region)) {
        if let Some(first) = value.split(',').map(str::trim).find(|e| !e.is_empty()) {
            return Some(with_scheme(first));
        }
    }
    DGC.iter()
        .find(|(known, _)| *known == region)
        .map(|(_, host)| format!("https://{host}"))
}

/// The IAM endpoint core uses for `region` when nothing overrides it.
pub fn iam_endpoint(region: &str) -> String {
    let known = DGC.iter().any(|(known, _)| *known == region);
    if known && !IAM_WITHOUT_REGIONAL_ENDPOINT.contains(&region) {
        format!("https://iam.{region}.myhuaweicloud.com")
    } else {
        DEFAULT_IAM.to_string()
    }
}

/// core's `ClientBuilder`: `https://` is prepended to an endpoint without a scheme.
pub fn with_scheme(endpoint: &str) -> String {
    if endpoint.starts_with("http://") || endpoint.starts_with("https://") {
        endpoint.to_string()
    } else {
        format!("https://{endpoint}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn table_gives_dayu_dlf_except_cn_east_4() {
        assert_eq!(
            dgc_endpoint("cn-north-4", &no_env).as_deref(),
            Some("https://dayu-dlf.cn-north-4.myhuaweicloud.com")
        );
        assert_eq!(
            dgc_endpoint("cn-east-4", &no_env).as_deref(),
            Some("https://dayu.cn-east-4.myhuaweicloud.com")
        );
        assert_eq!(dgc_endpoint("xx-nowhere-1", &no_env), None);
        assert_eq!(known_regions().count(), 26);
    }

    #[test]
    fn override_variable_wins_and_gets_a_scheme() {
        let env = |name: &str| {
            (name == "HUAWEICLOUD_SDK_REGION_DGC_CN_NORTH_4")
                .then(|| " dlf.internal:8443 , https://backup".to_string())
        };
        assert_eq!(
            dgc_endpoint("cn-north-4", &env).as_deref(),
            Some("https://dlf.internal:8443")
        );
        // An override also makes an unknown region usable.
        let env = |name: &str| {
            (name == "HUAWEICLOUD_SDK_REGION_DGC_MY_PRIVATE_1")
                .then(|| "http://dlf.private.example".to_string())
        };
        assert_eq!(
            dgc_endpoint("my-private-1", &env).as_deref(),
            Some("http://dlf.private.example")
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
