//! The folders and files of an archive as a tree, built in time linear in the
//! total length of the names: each path is walked once, and the part it shares
//! with the previous path (found with one comparison of bytes) is not walked
//! again, so `a/a/…/a/x1`, `a/a/…/a/x2`, … cost their length, not their
//! length times their depth. Building it finds a file also used as a folder
//! (`a` and `a/b`); extraction creates the folders from it and checks the
//! target directory along it.

use std::collections::HashMap;

use super::{esc, ArchiveError, Entry};

const NONE: u32 = u32::MAX;

/// One folder or file. Its path is a prefix of the path of entry `entry`.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    entry: u32,
    end: u32,
    pub(crate) file: bool,
    first_child: u32,
    next_sibling: u32,
}

/// Node 0 is the target directory itself; a parent comes before its children.
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    nodes: Vec<Node>,
}

pub(crate) const ROOT: u32 = 0;

impl Tree {
    /// The tree of `entries` (whose paths are distinct and validated).
    pub(crate) fn build(entries: &[Entry]) -> Result<Tree, ArchiveError> {
        let too_many = || ArchiveError::Corrupt {
            reason: "too many names".to_string(),
        };
        let mut tree = Tree {
            nodes: vec![Node {
                entry: 0,
                end: 0,
                file: false,
                first_child: NONE,
                next_sibling: NONE,
            }],
        };
        let mut index: HashMap<(u32, &str), u32> = HashMap::new();
        // The previous path's components: (end offset, node).
        let mut stack: Vec<(usize, u32)> = Vec::new();
        let mut prev: &str = "";
        for (i, e) in entries.iter().enumerate() {
            let path = e.path.as_str();
            let entry = u32::try_from(i).map_err(|_| too_many())?;
            let shared = common_prefix(prev, path);
            while let Some(&(end, _)) = stack.last() {
                if end <= shared && (end == path.len() || path.as_bytes()[end] == b'/') {
                    break;
                }
                stack.pop();
            }
            let mut parent = stack.last().map_or(ROOT, |&(_, n)| n);
            let mut start = stack.last().map_or(0, |&(end, _)| end + 1);
            if start > path.len() {
                // The whole path is an earlier path's folder: only a folder may be.
                if e.is_dir && !tree.nodes[parent as usize].file {
                    prev = path;
                    continue;
                }
                return Err(conflict(path));
            }
            loop {
                if tree.nodes[parent as usize].file {
                    return Err(conflict(tree.path(parent, entries)));
                }
                let end = path[start..].find('/').map_or(path.len(), |k| start + k);
                let last = end == path.len();
                let name = &path[start..end];
                let node = match index.get(&(parent, name)) {
                    Some(&existing) => {
                        if last && (!e.is_dir || tree.nodes[existing as usize].file) {
                            return Err(conflict(path));
                        }
                        existing
                    }
                    None => {
                        let id = u32::try_from(tree.nodes.len()).map_err(|_| too_many())?;
                        let end32 = u32::try_from(end).map_err(|_| too_many())?;
                        let sibling = tree.nodes[parent as usize].first_child;
                        tree.nodes.push(Node {
                            entry,
                            end: end32,
                            file: last && !e.is_dir,
                            first_child: NONE,
                            next_sibling: sibling,
                        });
                        tree.nodes[parent as usize].first_child = id;
                        index.insert((parent, name), id);
                        id
                    }
                };
                stack.push((end, node));
                if last {
                    break;
                }
                parent = node;
                start = end + 1;
            }
            prev = path;
        }
        Ok(tree)
    }

    /// The relative path of `node` (empty for the root).
    pub(crate) fn path<'e>(&self, node: u32, entries: &'e [Entry]) -> &'e str {
        let n = &self.nodes[node as usize];
        match entries.get(n.entry as usize) {
            Some(e) if node != ROOT => &e.path[..n.end as usize],
            _ => "",
        }
    }

    /// The last component of `node`'s path.
    pub(crate) fn name<'e>(&self, node: u32, entries: &'e [Entry]) -> &'e str {
        let path = self.path(node, entries);
        path.rsplit('/').next().unwrap_or(path)
    }

    pub(crate) fn is_file(&self, node: u32) -> bool {
        self.nodes[node as usize].file
    }

    /// The children of `node`, most recent first.
    pub(crate) fn children(&self, node: u32) -> impl Iterator<Item = u32> + '_ {
        let first = self.nodes[node as usize].first_child;
        std::iter::successors((first != NONE).then_some(first), move |&c| {
            let next = self.nodes[c as usize].next_sibling;
            (next != NONE).then_some(next)
        })
    }

    /// The child of `node` named `name`.
    pub(crate) fn child(&self, node: u32, name: &str, entries: &[Entry]) -> Option<u32> {
        self.children(node).find(|&c| self.name(c, entries) == name)
    }

    /// Every folder (not the root), parents before children.
    pub(crate) fn folders(&self) -> impl Iterator<Item = u32> + '_ {
        (1..self.nodes.len() as u32).filter(|&n| !self.nodes[n as usize].file)
    }
}

fn conflict(name: &str) -> ArchiveError {
    ArchiveError::ConflictingDuplicate { name: esc(name) }
}

/// The length of the longest common prefix of `a` and `b`, in bytes.
fn common_prefix(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len().min(b.len());
    // Compare in blocks first: slice equality is a memcmp.
    const BLOCK: usize = 256;
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::super::Raw;
    use super::*;

    fn entries(paths: &[&str]) -> Vec<Entry> {
        paths
            .iter()
            .enumerate()
            .map(|(index, p)| {
                let (path, is_dir) = match p.strip_suffix('/') {
                    Some(d) => (d.to_string(), true),
                    None => (p.to_string(), false),
                };
                Entry {
                    index,
                    path,
                    is_dir,
                    size: 0,
                    crc32: 0,
                    raw: Raw::default(),
                }
            })
            .collect()
    }

    fn folders(paths: &[&str]) -> Result<Vec<String>, ArchiveError> {
        let e = entries(paths);
        let t = Tree::build(&e)?;
        Ok(t.folders().map(|n| t.path(n, &e).to_string()).collect())
    }

    #[test]
    fn folders_come_parents_first_once_each() {
        assert_eq!(
            folders(&["jobs/a/x", "jobs/a/y", "jobs/", "jobs/b/c/d", "scripts/s"]).expect("ok"),
            ["jobs", "jobs/a", "jobs/b", "jobs/b/c", "scripts"]
        );
    }

    #[test]
    fn a_file_used_as_a_folder_is_refused_either_way() {
        for paths in [
            &["jobs/a", "jobs/a/c"][..],
            &["jobs/a/c", "jobs/a"],
            &["jobs/a/c", "jobs/b", "jobs/a"],
            &["jobs/a/", "jobs/b", "jobs/a/x/", "jobs/a"],
            &["jobs/a/b/c", "jobs/a/b"],
        ] {
            assert!(
                matches!(
                    folders(paths),
                    Err(ArchiveError::ConflictingDuplicate { .. })
                ),
                "{paths:?}"
            );
        }
        match folders(&["jobs/a", "jobs/b", "jobs/a/c"]) {
            Err(ArchiveError::ConflictingDuplicate { name }) => assert_eq!(name, "jobs/a"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_explicit_folder_after_its_files_is_fine() {
        assert_eq!(
            folders(&["jobs/a/x", "jobs/a/", "jobs/"]).expect("ok"),
            ["jobs", "jobs/a"]
        );
    }

    #[test]
    fn children_and_names() {
        let e = entries(&["jobs/a/x", "jobs/b/y", "scripts/s"]);
        let t = Tree::build(&e).expect("ok");
        let jobs = t.child(ROOT, "jobs", &e).expect("jobs");
        let mut names: Vec<&str> = t.children(jobs).map(|c| t.name(c, &e)).collect();
        names.sort_unstable();
        assert_eq!(names, ["a", "b"]);
        assert!(t.child(ROOT, "resources", &e).is_none());
        let a = t.child(jobs, "a", &e).expect("a");
        let x = t.child(a, "x", &e).expect("x");
        assert!(t.is_file(x) && !t.is_file(a));
    }

    #[test]
    fn deep_shared_prefixes_are_walked_once() {
        // 64 KiB deep names sharing everything but their last component.
        let deep = "a/".repeat(32 * 1024 - 8);
        let paths: Vec<String> = (0..200).map(|i| format!("jobs/{deep}x{i}")).collect();
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        let e = entries(&refs);
        let t = Tree::build(&e).expect("ok");
        assert_eq!(t.folders().count(), 32 * 1024 - 8 + 1);
        let mut clash = refs.clone();
        let file = format!("jobs/{}", &deep[..deep.len() - 1]);
        clash.push(&file);
        assert!(matches!(
            Tree::build(&entries(&clash)),
            Err(ArchiveError::ConflictingDuplicate { .. })
        ));
    }
}
