//! Arbitrary bytes through the unpack path: inspect, then extract into a
//! fresh directory, with its invariants checked (see
//! `dataarts_jobs::archive::fuzzing`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    dataarts_jobs::archive::fuzzing::unpack_arbitrary(data);
});
