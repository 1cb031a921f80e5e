//! What a run killed (SIGKILL, power loss) during its switch leaves in a
//! directory, in the on-disk format of `src/switch` — the same whichever
//! command ran it (`backup`, `unpack`, `export -x`):
//!
//! ```text
//! DIR/.dataarts-jobs-<name>/lock           its lock, released
//! DIR/.dataarts-jobs-<name>/journal.json   the changes, in order
//! DIR/.dataarts-jobs-<name>/new/<path>     units staged and not yet placed
//! DIR/.dataarts-jobs-<name>/old/<n>        what change n had moved aside
//! ```

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

/// A killed switch, written as it is described.
pub struct KilledSwitch {
    staging: PathBuf,
    changes: Vec<Value>,
}

impl KilledSwitch {
    /// `<dir>/.dataarts-jobs-<name>/`, with its (released) lock.
    pub fn in_dir(dir: &Path, name: &str) -> Self {
        let staging = dir.join(format!(".dataarts-jobs-{name}"));
        std::fs::create_dir_all(staging.join("new")).expect("mkdir");
        std::fs::create_dir_all(staging.join("old")).expect("mkdir");
        std::fs::write(staging.join("lock"), b"").expect("lock");
        Self {
            staging,
            changes: Vec::new(),
        }
    }

    /// The journal's next change places `path` (replacing what stands there if `replace`).
    pub fn place(mut self, path: &str, replace: bool) -> Self {
        self.changes
            .push(json!({"op": "place", "path": path, "replace": replace}));
        self
    }

    /// The journal's next change removes `path`.
    pub fn remove(mut self, path: &str) -> Self {
        self.changes.push(json!({"op": "remove", "path": path}));
        self
    }

    /// A file of a unit staged and not yet placed: `new/<path>`.
    pub fn staged(self, path: &str, bytes: &[u8]) -> Self {
        write(&self.staging.join("new").join(path), bytes);
        self
    }

    /// What change `n` had moved aside: the file `old/<n>`, or with a
    /// `path` inside a folder unit, `old/<n>/<path>`.
    pub fn moved_aside(self, n: usize, path: &str, bytes: &[u8]) -> Self {
        let aside = self.staging.join("old").join(n.to_string());
        write(
            &if path.is_empty() {
                aside
            } else {
                aside.join(path)
            },
            bytes,
        );
        self
    }

    /// Writes the journal; returns the staging folder. The folders in
    /// `new/` that held the units to place stay, as they do once a unit
    /// has been moved out of them.
    pub fn leave(self) -> PathBuf {
        for change in &self.changes {
            if let (Some("place"), Some(path)) = (change["op"].as_str(), change["path"].as_str()) {
                let staged = self.staging.join("new").join(path);
                std::fs::create_dir_all(staged.parent().expect("parent")).expect("mkdir");
            }
        }
        let journal = json!({"format": 1, "changes": self.changes, "made": []});
        std::fs::write(self.staging.join("journal.json"), journal.to_string()).expect("journal");
        self.staging
    }
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}
