//! `emulator`: the command-line flags onto the emulator's configuration.

use std::time::Duration;

use crate::auth::Secret;
use crate::cli::EmulatorArgs;
use crate::emulator::{self, Config, Faults, TlsFiles};

pub async fn run(args: EmulatorArgs) -> anyhow::Result<()> {
    let defaults = Config::default();
    let (ak, sk) = match (args.ak, args.sk) {
        (Some(ak), Some(sk)) => (ak, Secret::new(sk)),
        _ => (defaults.ak, defaults.sk),
    };
    let config = Config {
        listen: args.listen,
        data: args.data,
        ak,
        sk,
        project_id: args.project_id.unwrap_or(defaults.project_id),
        region: args.region,
        auth_token: args.auth_token.map(Secret::new),
        request_log: args.request_log,
        offset_unit: args.offset_unit,
        tls: match (args.tls_cert, args.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            _ => None,
        },
        iam_projects: args.iam_projects,
        faults: Faults {
            fail_first: args.fail_first,
            fail_status: args.fail_status,
            retry_after: args.retry_after,
            first_byte_delay: args.first_byte_delay.map(Duration::from_millis),
            truncate_body: args.truncate_body,
            reset_after: args.reset_after,
            rate_limit: args.rate_limit,
            latency: args.latency.map(Duration::from_millis),
        },
    };
    emulator::run(config).await
}
