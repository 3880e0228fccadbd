//! Atomic writing, in one place: what capsim writes (a file, or a whole
//! output folder in `app::folder`) first takes a temporary name beside its
//! target, `.capsim-<name>.<pid>.<tag>.tmp`, and is renamed into place once
//! complete, so that a failed or killed run never leaves a half-written file
//! under a real name. One naming, and one clean-up of the temporaries that
//! killed runs leave behind ([`remove_stale`]).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::ExportError;

/// Prefix of capsim's temporary files and folders, and of its lock files.
pub(crate) const TEMP_PREFIX: &str = ".capsim-";
/// Suffix of capsim's temporary files and folders.
const TEMP_SUFFIX: &str = ".tmp";
/// A temporary file or folder untouched for this long was left by a run that
/// was killed between writing and renaming it (a run's largest file takes
/// seconds), not by a run still writing.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// The folder holding `path` (`.` for a bare name) and `path`'s own name.
pub(crate) fn parent_and_name(path: &Path) -> (PathBuf, String) {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    (parent, name)
}

/// The temporary name under which this process writes `name`:
/// `.capsim-<name>.<pid>.<tag>.tmp`; `tag` (no dots) tells apart the
/// temporaries of one process.
pub(crate) fn temp_name(name: &str, tag: &str) -> String {
    format!(
        "{TEMP_PREFIX}{name}.{}.{tag}{TEMP_SUFFIX}",
        std::process::id()
    )
}

/// Whether `file_name` is one of capsim's temporary names.
pub(crate) fn is_temp(file_name: &str) -> bool {
    file_name.starts_with(TEMP_PREFIX) && file_name.ends_with(TEMP_SUFFIX)
}

/// The name and writing process of a temporary name, if it is one of
/// [`temp_name`]'s.
fn parse_temp(file_name: &str) -> Option<(&str, u32)> {
    let middle = file_name
        .strip_prefix(TEMP_PREFIX)?
        .strip_suffix(TEMP_SUFFIX)?;
    let mut parts = middle.rsplitn(3, '.');
    let (_tag, pid, name) = (parts.next()?, parts.next()?, parts.next()?);
    Some((name, pid.parse().ok()?))
}

/// Removes the temporary files and folders of `name` in `dir` that killed
/// runs left behind: those untouched for an hour, and those of a process
/// that `alive` says is no longer running (a caller that cannot tell says
/// `true`). Best effort: what cannot be read or removed is left alone.
pub(crate) fn remove_stale(dir: &Path, name: &str, alive: &dyn Fn(u32) -> bool) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let Some((of, pid)) = parse_temp(&file_name) else {
            continue;
        };
        if of != name {
            continue;
        }
        let dead = pid != std::process::id() && !alive(pid);
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if !(dead || old) {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_dir() => {
                let _ = std::fs::remove_dir_all(entry.path());
            }
            Ok(t) if t.is_file() => {
                let _ = std::fs::remove_file(entry.path());
            }
            _ => {}
        }
    }
}

/// Writes `content` to `path` atomically: into a temporary file beside it
/// (named as [`temp_name`] says, with a random tag), flushed to disk, then
/// renamed over `path`. Its stale temporary files go first.
pub(crate) fn write_atomically(
    path: &Path,
    content: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), ExportError> {
    let io_err = |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let (dir, name) = parent_and_name(path);
    remove_stale(&dir, &name, &|_| true);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{name}.{}.", std::process::id()))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(&dir)
        .map_err(io_err)?;
    {
        let mut buffered = std::io::BufWriter::new(tmp.as_file_mut());
        content(&mut buffered).map_err(io_err)?;
        buffered.flush().map_err(io_err)?;
    }
    // Temporary files are created private (0600); results are for sharing.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(io_err)?;
    }
    tmp.as_file().sync_all().map_err(io_err)?;
    tmp.persist(path).map_err(|e| io_err(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    /// A file or folder `name` in `dir`, last touched `age_secs` ago.
    fn entry(dir: &Path, name: &str, age_secs: u64, folder: bool) -> PathBuf {
        let path = dir.join(name);
        if folder {
            std::fs::create_dir(&path).unwrap();
        }
        let f = if folder {
            std::fs::File::open(&path).unwrap()
        } else {
            std::fs::File::create(&path).unwrap()
        };
        f.set_modified(SystemTime::now() - Duration::from_secs(age_secs))
            .unwrap();
        path
    }

    #[test]
    fn temporary_names_say_name_and_process() {
        let t = temp_name("my.run", "new");
        assert!(is_temp(&t));
        assert_eq!(parse_temp(&t), Some(("my.run", std::process::id())));
        assert_eq!(parse_temp(".capsim-a.12.x7Yz.tmp"), Some(("a", 12)));
        assert_eq!(parse_temp(".capsim-a.lock"), None);
        assert_eq!(parse_temp(".capsim-killed.tmp"), None);
    }

    /// A temporary file a killed run left behind goes at the next write of
    /// its file; a fresh one (a run still writing), another file's and other
    /// files stay.
    #[test]
    fn stale_temp_files_are_removed_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        let stale = entry(dir.path(), ".capsim-summary.csv.1.aB3x.tmp", 7200, false);
        let fresh = entry(dir.path(), ".capsim-summary.csv.1.Zz9q.tmp", 10, false);
        let another = entry(dir.path(), ".capsim-years.csv.1.aB3x.tmp", 7200, false);
        let other = entry(dir.path(), "notes.tmp", 7200, false);
        let target = dir.path().join("summary.csv");
        write_atomically(&target, |out| out.write_all(b"a,b\n")).unwrap();
        assert!(!stale.exists());
        assert!(fresh.exists() && another.exists() && other.exists());
        assert_eq!(std::fs::read(&target).unwrap(), b"a,b\n");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(left.len(), 4, "{left:?}");
    }

    /// Folders of one name go when their process is gone or when stale;
    /// another name's, and this process's own, stay.
    #[test]
    fn stale_temp_folders_of_one_name_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let dead = entry(dir.path(), ".capsim-run.7.new.tmp", 10, true);
        let old = entry(dir.path(), ".capsim-run.8.old.tmp", 7200, true);
        let live = entry(dir.path(), ".capsim-run.9.new.tmp", 10, true);
        let mine = entry(dir.path(), &temp_name("run", "new"), 10, true);
        let other = entry(dir.path(), ".capsim-other.7.new.tmp", 7200, true);
        remove_stale(dir.path(), "run", &|pid| pid != 7);
        assert!(!dead.exists() && !old.exists());
        assert!(live.exists() && mine.exists() && other.exists());
    }
}
