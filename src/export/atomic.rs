//! Atomic writing, in one place: what capsim writes (a file, or a whole
//! output folder in `app::folder`) first takes a temporary name beside its
//! target, `.capsim-<name>.<pid>.<tag>.tmp`, and is renamed into place once
//! complete, so that a failed or killed run never leaves a half-written file
//! under a real name. One naming (of a name cut to fit, [`fitted_name`]),
//! and one account of the temporaries that killed runs leave behind
//! ([`leftovers`]), which are removed ([`remove_stale`]) or, for an output
//! folder set aside by a killed swap, put back (`app::folder`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::sha256_hex;
use crate::error::ExportError;

/// Prefix of capsim's temporary files and folders, and of its lock files.
pub(crate) const TEMP_PREFIX: &str = ".capsim-";
/// Suffix of capsim's temporary files and folders.
const TEMP_SUFFIX: &str = ".tmp";
/// A temporary file or folder untouched for this long was left by a run that
/// was killed between writing and renaming it (a run's largest file takes
/// seconds), not by a run still writing.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// The longest name, in bytes, capsim gives a folder or uses in the names
/// of its hidden siblings (`.capsim-NAME.PID.TAG.tmp`, `.capsim-NAME.lock`)
/// as it is: with those affixes it stays within the 255 bytes filesystems
/// allow.
const LONGEST_NAME: usize = 200;

/// How much of a longer name [`fitted_name`] keeps, bytes.
const KEPT_OF_LONG_NAME: usize = 120;

/// `name` as capsim can use it in a file name: as it is up to
/// [`LONGEST_NAME`] bytes; a longer one is cut to its first 120 bytes (at
/// a character boundary), then `~` and the first 16 hex digits of the
/// SHA-256 of the whole name, so that distinct names stay distinct.
pub(crate) fn fitted_name(name: &str) -> String {
    if name.len() <= LONGEST_NAME {
        return name.to_string();
    }
    let mut cut = KEPT_OF_LONG_NAME;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    let hash = sha256_hex(name.as_bytes());
    format!("{}~{}", &name[..cut], &hash[..16])
}

/// The folder holding `path` (`.` for a bare name) and `path`'s own name as
/// its temporaries (and an output folder's lock) use it: cut, with a hash
/// of the whole, if longer than [`LONGEST_NAME`] ([`fitted_name`]), so
/// that they fit in a file name wherever `path` does.
pub(crate) fn parent_and_name(path: &Path) -> (PathBuf, String) {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| fitted_name(&n.to_string_lossy()));
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

/// The name, writing process and tag of a temporary name, if it is one of
/// [`temp_name`]'s.
fn parse_temp(file_name: &str) -> Option<(&str, u32, &str)> {
    let middle = file_name
        .strip_prefix(TEMP_PREFIX)?
        .strip_suffix(TEMP_SUFFIX)?;
    let mut parts = middle.rsplitn(3, '.');
    let (tag, pid, name) = (parts.next()?, parts.next()?, parts.next()?);
    Some((name, pid.parse().ok()?, tag))
}

/// A temporary file or folder that a killed run left behind ([`leftovers`]).
pub(crate) struct Leftover {
    /// Where it is.
    pub(crate) path: PathBuf,
    /// Its tag ([`temp_name`]): `old` for an output folder that
    /// `app::folder`'s fallback swap set aside, complete.
    pub(crate) tag: String,
    /// Whether it is a folder (else a file).
    pub(crate) is_dir: bool,
    /// When it was last changed, if known.
    pub(crate) modified: Option<SystemTime>,
}

/// The temporary files and folders of `name` in `dir` that killed runs left
/// behind: those untouched for an hour, and those of a process that `alive`
/// says is no longer running (a caller that cannot tell says `true`). What
/// cannot be read is passed over.
pub(crate) fn leftovers(dir: &Path, name: &str, alive: &dyn Fn(u32) -> bool) -> Vec<Leftover> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let Some((of, pid, tag)) = parse_temp(&file_name) else {
            continue;
        };
        if of != name {
            continue;
        }
        let dead = pid != std::process::id() && !alive(pid);
        let modified = entry.metadata().and_then(|m| m.modified()).ok();
        let old = modified
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if !(dead || old) {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_dir() || t.is_file() => out.push(Leftover {
                path: entry.path(),
                tag: tag.to_string(),
                is_dir: t.is_dir(),
                modified,
            }),
            _ => {}
        }
    }
    out
}

/// Removes the temporary files and folders of `name` in `dir` that killed
/// runs left behind ([`leftovers`]). Best effort: what cannot be removed is
/// left alone.
pub(crate) fn remove_stale(dir: &Path, name: &str, alive: &dyn Fn(u32) -> bool) {
    for leftover in leftovers(dir, name, alive) {
        let _ = if leftover.is_dir {
            std::fs::remove_dir_all(&leftover.path)
        } else {
            std::fs::remove_file(&leftover.path)
        };
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
        assert_eq!(parse_temp(&t), Some(("my.run", std::process::id(), "new")));
        assert_eq!(parse_temp(".capsim-a.12.x7Yz.tmp"), Some(("a", 12, "x7Yz")));
        assert_eq!(parse_temp(".capsim-a.lock"), None);
        assert_eq!(parse_temp(".capsim-killed.tmp"), None);
    }

    /// A name over 200 bytes is cut to 120 (at a character boundary) and a
    /// hash of the whole, so that its temporaries fit in a file name and
    /// distinct names stay distinct.
    #[test]
    fn long_names_are_cut_with_a_hash() {
        assert_eq!(fitted_name("short"), "short");
        let long = "a".repeat(240);
        let fitted = fitted_name(&long);
        assert_eq!(fitted.len(), 120 + 1 + 16);
        assert!(fitted.starts_with(&long[..120]));
        assert_ne!(fitted, fitted_name(&"a".repeat(241)));
        assert!(fitted_name(&"é".repeat(150)).starts_with(&"é".repeat(60)));
        let (_, name) = parent_and_name(&Path::new("out").join(&long));
        assert_eq!(name, fitted);
        assert!(temp_name(&name, "old").len() <= 255);
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
