use super::*;

fn small_zip() -> Vec<u8> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut buffer);
    writer
        .start_file("jobs/a/a.job", zip::write::SimpleFileOptions::default())
        .expect("start");
    writer.write_all(b"{\"name\":\"a\"}").expect("write");
    writer.finish().expect("finish");
    buffer.into_inner()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn magic_accepts_zips_only() {
    assert!(is_zip_magic(b"PK\x03\x04rest"));
    assert!(is_zip_magic(b"PK\x05\x06"));
    assert!(!is_zip_magic(b"<html>"));
    assert!(!is_zip_magic(b"PK"));
}

#[tokio::test]
async fn the_completeness_check_reads_the_runs_own_file_handle() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("jobs.zip");
    let source = Source {
        url: "http://127.0.0.1/x".into(),
        status: 200,
        request_id: None,
    };
    let bytes = small_zip();
    let mut target = Target::beside(&output).expect("create");
    target.file_mut().write_all(&bytes).expect("write");
    // Another process replacing the path does not change what is checked.
    let part = target.path().to_path_buf();
    std::fs::remove_file(&part).expect("unlink");
    std::fs::write(&part, b"not a zip at all").expect("write");
    let listing = check_complete(&target, &source, bytes.len() as u64)
        .await
        .expect("complete");
    assert_eq!(listing.entries.len(), 1);

    let mut cut = Target::beside(&output).expect("create");
    cut.file_mut()
        .write_all(&bytes[..bytes.len() - 10])
        .expect("write");
    match check_complete(&cut, &source, 1).await {
        Err(BodyError::Download(e @ DownloadError::CutShort { .. })) => {
            assert!(e.is_transient());
            assert!(e.to_string().contains("not a complete zip"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn temporary_names_are_unique_hidden_and_beside_the_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("jobs.zip");
    let a = Target::beside(&output).expect("a");
    let b = Target::beside(&output).expect("b");
    assert_ne!(a.path(), b.path());
    assert_eq!(a.path().parent(), Some(dir.path()));
    let name = a
        .path()
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with(".jobs.zip.") && name.ends_with(".part"),
        "{name}"
    );
    drop(a);
    drop(b);
    assert!(names(dir.path()).is_empty());
}

#[cfg(unix)]
#[test]
fn a_planted_symlink_is_never_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, b"precious").expect("write");
    std::os::unix::fs::symlink(&victim, dir.path().join("jobs.zip.part")).expect("symlink");
    let mut target = Target::beside(&dir.path().join("jobs.zip")).expect("create");
    target.file_mut().write_all(b"zip bytes").expect("write");
    drop(target);
    assert_eq!(std::fs::read(&victim).expect("read"), b"precious");
    assert_eq!(names(dir.path()), ["jobs.zip.part", "victim"]);
}

#[tokio::test]
async fn persist_refuses_an_existing_output_without_force_and_cleans_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("jobs.zip");
    std::fs::write(&output, b"old").expect("write");
    let mut target = Target::beside(&output).expect("create");
    target.file_mut().write_all(b"new").expect("write");
    let err = target.persist(&output, false).await.expect_err("exists");
    assert!(matches!(
        err.downcast_ref::<DestinationError>(),
        Some(DestinationError::Exists { .. })
    ));
    assert_eq!(std::fs::read(&output).expect("read"), b"old");
    assert_eq!(names(dir.path()), ["jobs.zip"]);

    let mut target = Target::beside(&output).expect("create");
    target.file_mut().write_all(b"new").expect("write");
    target.persist(&output, true).await.expect("persist");
    assert_eq!(std::fs::read(&output).expect("read"), b"new");
    assert_eq!(names(dir.path()), ["jobs.zip"]);
}

#[tokio::test]
async fn a_closed_target_keeps_its_removal_guard() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut target = Target::temp_in(dir.path(), ".dataarts-jobs-batch-").expect("create");
    target.file_mut().write_all(b"batch").expect("write");
    let closed = target.close();
    assert_eq!(std::fs::read(closed.path()).expect("read"), b"batch");
    drop(closed);
    assert!(names(dir.path()).is_empty());
}

#[cfg(unix)]
#[tokio::test]
async fn the_destination_must_be_absent_or_a_regular_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    check_destination(&dir.path().join("new.zip")).expect("absent");
    std::fs::write(dir.path().join("old.zip"), b"x").expect("write");
    check_destination(&dir.path().join("old.zip")).expect("file");
    for (path, kind) in [
        (dir.path().to_path_buf(), "a directory"),
        (PathBuf::from("/dev/null"), "a device"),
    ] {
        let err = check_destination(&path).expect_err("refused");
        match err.downcast_ref::<DestinationError>() {
            Some(DestinationError::NotAFile { kind: k, .. }) => assert_eq!(*k, kind),
            other => panic!("{other:?}"),
        }
    }
    let link = dir.path().join("null.zip");
    std::os::unix::fs::symlink("/dev/null", &link).expect("symlink");
    assert!(check_destination(&link).is_err());

    // persist re-checks: a directory that appeared meanwhile is not replaced.
    let output = dir.path().join("later");
    let target = Target::beside(&output).expect("create");
    std::fs::create_dir(&output).expect("mkdir");
    assert!(target.persist(&output, true).await.is_err());
    assert!(output.is_dir());
}

#[test]
fn transient_facts() {
    let cut = DownloadError::CutShort {
        url: "u".into(),
        detail: "d".into(),
    };
    let slow = DownloadError::TooSlow {
        url: "u".into(),
        received: 3,
        window: Duration::from_secs(1),
    };
    let large = DownloadError::TooLarge {
        url: "u".into(),
        max: 10,
        declared: Some(11),
    };
    assert!(cut.is_transient() && slow.is_transient() && !large.is_transient());
    assert!(slow.to_string().contains("timed out"), "{slow}");
    assert!(
        large
            .to_string()
            .contains("larger than the limit of 10 B (it announced 11 B)"),
        "{large}"
    );
}
