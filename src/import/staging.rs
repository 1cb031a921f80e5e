//! Where a run stages its archives: `obs://BUCKET/<PREFIX><run-id>/<n>.zip`,
//! run-id = UTC time plus a short random part, so runs never collide.

use std::time::SystemTime;

use time::macros::format_description;
use time::OffsetDateTime;

use crate::obs::{ObjectPath, PathError};

/// One run's staging place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staging {
    pub bucket: String,
    pub prefix: String,
    pub run_id: String,
}

impl Staging {
    /// A new run's staging in `bucket` under `prefix`, started at `now`;
    /// refused when they make no valid object path.
    pub fn new(bucket: &str, prefix: &str, now: SystemTime) -> Result<Self, PathError> {
        let staging = Self {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
            run_id: run_id(now, fastrand::u32(..)),
        };
        staging.object(1)?;
        Ok(staging)
    }

    /// The key of the `n`-th archive (from 1).
    pub fn object(&self, n: usize) -> Result<ObjectPath, PathError> {
        ObjectPath::new(
            self.bucket.clone(),
            format!("{}{}/{n}.zip", self.prefix, self.run_id),
        )
    }
}

/// `20260128T191751Z-1a2b3c`: sortable by time, unique by the random part.
pub fn run_id(now: SystemTime, random: u32) -> String {
    let utc = OffsetDateTime::from(now);
    let stamp = utc
        .format(format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap_or_else(|_| "19700101T000000Z".to_string());
    format!("{stamp}-{:06x}", random & 0x00ff_ffff)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn keys_are_under_the_prefix_and_the_run() {
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert_eq!(run_id(now, 0xabcdef12), "20270115T080000Z-cdef12");
        let staging = Staging {
            bucket: "bkt".into(),
            prefix: "dataarts-jobs/".into(),
            run_id: run_id(now, 1),
        };
        assert_eq!(
            staging.object(2).expect("valid").to_string(),
            "obs://bkt/dataarts-jobs/20270115T080000Z-000001/2.zip"
        );
        let new = || Staging::new("bkt", "p/", now).expect("valid");
        assert_ne!(new().run_id, new().run_id);
    }

    #[test]
    fn a_bucket_or_prefix_that_makes_no_object_path_is_refused() {
        let now = UNIX_EPOCH;
        assert!(Staging::new("b", "p/", now).is_err());
        assert!(Staging::new("Bad_Bucket", "p/", now).is_err());
        assert!(Staging::new("bkt", "p\n/", now).is_err());
        assert!(Staging::new("bkt", "", now).is_ok());
    }
}
