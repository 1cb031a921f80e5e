//! Zip reading, safety checks, merging batches, and safe extraction (to be written).
