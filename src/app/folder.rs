//! Output folders written as a whole, by one capsim at a time.
//!
//! A request first takes each output folder's lock ([`FolderLock`]:
//! `PARENT/.capsim-<name>.lock`, created only if absent), so that a second
//! capsim writing to the same folder is refused before it simulates. It then
//! writes every file into a fresh sibling folder ([`Staging`]:
//! `PARENT/.capsim-<name>.<pid>.new.tmp/`, named and cleaned up as
//! `export::atomic` does for files), carries over from the existing
//! folder what capsim did not write, and swaps the new folder into place: a
//! reader sees the previous set of files or the new one, never a mix, and a
//! run that fails or is killed before the swap leaves the previous folder
//! untouched. Where the swap takes two renames, a run killed between them
//! leaves the previous folder set aside; the next run puts it back as soon
//! as it holds the lock ([`restore_set_aside`]).
//!
//! The calls into libc (host name, process check, write access, the atomic
//! exchange of two folders) are the library's only unsafe code, allowed here
//! alone, each with its SAFETY note.

#![allow(unsafe_code)]

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::AppError;
use crate::error::ExportError;
use crate::export::MANIFEST_FILE;
use crate::export::atomic::{
    TEMP_PREFIX, is_temp, leftovers, parent_and_name, remove_stale, temp_name,
};

/// The tag ([`temp_name`]) of a folder being written in place of an
/// output folder.
const STAGED: &str = "new";
/// The tag of the previous output folder, set aside by the fallback swap
/// between its two renames.
const SET_ASIDE: &str = "old";
/// A lock older than this is taken over even if its process seems alive
/// (its pid may have been reused, or it was taken on another machine).
const LOCK_STALE_AFTER: Duration = Duration::from_secs(24 * 3600);

fn io_err(path: &Path, source: std::io::Error) -> AppError {
    AppError::Export(ExportError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The lock of one output folder, released (its file removed) when dropped.
#[derive(Debug)]
pub(super) struct FolderLock {
    path: PathBuf,
}

/// What a lock file says about its holder.
struct Holder {
    pid: Option<u32>,
    host: Option<String>,
    /// When the holder started ([`process_start`]), if known.
    start: Option<String>,
    age: Option<Duration>,
}

impl FolderLock {
    /// Takes the lock of `folder`, creating the folder's parent if needed.
    /// A lock held by a live capsim is [`AppError::Busy`]; a stale one (its
    /// process gone, or older than a day) is taken over, and `notes` says so.
    pub(super) fn acquire(folder: &Path, notes: &mut Vec<String>) -> Result<FolderLock, AppError> {
        let (parent, name) = parent_and_name(&real_folder(folder));
        std::fs::create_dir_all(&parent).map_err(|e| io_err(folder, e))?;
        let path = parent.join(format!("{TEMP_PREFIX}{name}.lock"));
        let cannot = |e: std::io::Error| {
            let why = format!("cannot create the lock file {}: {e}", path.display());
            io_err(folder, std::io::Error::new(e.kind(), why))
        };
        // Twice at most: once, and once more after removing a stale lock.
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    let pid = std::process::id();
                    let start = process_start(pid).unwrap_or_default();
                    let content = format!("{pid}\n{}\n{start}\n", hostname());
                    file.write_all(content.as_bytes()).map_err(cannot)?;
                    restore_set_aside(&real_folder(folder));
                    return Ok(FolderLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let holder = read_holder(&path);
                    match stale(&holder) {
                        None => {
                            return Err(AppError::Busy {
                                folder: folder.to_path_buf(),
                                pid: holder.pid,
                                lock: path.clone(),
                            });
                        }
                        Some(why) => {
                            notes.push(format!("taking over {}: {why}", path.display()));
                            // Another capsim may have removed it first.
                            let _ = std::fs::remove_file(&path);
                        }
                    }
                }
                Err(e) => return Err(cannot(e)),
            }
        }
        let holder = read_holder(&path);
        Err(AppError::Busy {
            folder: folder.to_path_buf(),
            pid: holder.pid,
            lock: path,
        })
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn read_holder(path: &Path) -> Holder {
    let text =
        crate::file::read_text_bounded(path, crate::file::MAX_OWN_FILE_BYTES).unwrap_or_default();
    let mut lines = text.lines();
    let pid = lines.next().and_then(|l| l.trim().parse().ok());
    let host = lines
        .next()
        .map(|l| l.trim().to_string())
        .filter(|h| !h.is_empty());
    let start = lines
        .next()
        .map(|l| l.trim().to_string())
        .filter(|s| !s.is_empty());
    let age = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok());
    Holder {
        pid,
        host,
        start,
        age,
    }
}

/// Why a lock is stale, or `None` if its holder may still be writing.
fn stale(holder: &Holder) -> Option<String> {
    let here = holder.host.as_deref().is_none_or(|h| h == hostname());
    if let (true, Some(pid)) = (here, holder.pid) {
        if !process_alive(pid) {
            return Some(format!("pid {pid} is no longer running"));
        }
        // A live pid that started at another time is another process.
        if let (Some(then), Some(now)) = (&holder.start, process_start(pid)) {
            if *then != now {
                return Some(format!(
                    "pid {pid} is now another process (the capsim that took the lock has ended)"
                ));
            }
        }
    }
    match holder.age {
        Some(age) if age > LOCK_STALE_AFTER => {
            Some(format!("it is {} hours old", age.as_secs() / 3600))
        }
        _ => None,
    }
}

/// When process `pid` started, as `BOOT_ID:TICKS` (the boot and the start
/// time in clock ticks since it, from `/proc`), so that a pid reused by
/// another process is told apart; `None` where unknown (not Linux).
fn process_start(pid: u32) -> Option<String> {
    #[cfg(target_os = "linux")]
    {
        let read = |p: &str| crate::file::read_text_bounded(Path::new(p), 1 << 16).ok();
        let boot = read("/proc/sys/kernel/random/boot_id")?;
        let stat = read(&format!("/proc/{pid}/stat"))?;
        // Fields after the command name (which may hold spaces), in
        // parentheses: the start time is field 22, the 20th after it.
        let after = &stat[stat.rfind(')')? + 1..];
        let ticks = after.split_whitespace().nth(19)?;
        Some(format!("{}:{ticks}", boot.trim()))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        None
    }
}

/// The machine's name, as recorded in lock files (empty if unknown).
fn hostname() -> String {
    #[cfg(unix)]
    {
        let mut buf = [0u8; 256];
        // SAFETY: the buffer is valid for its length; the name is
        // NUL-terminated unless truncated, and read up to the first NUL.
        let r = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
        if r == 0 {
            let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
            return String::from_utf8_lossy(&buf[..end]).into_owned();
        }
    }
    String::new()
}

/// Whether process `pid` exists on this machine (assumed so where unknown).
fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only checks that the process exists.
        if unsafe { libc::kill(pid, 0) } == 0 {
            return true;
        }
        std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// A folder being written in place of `folder`: a fresh sibling, swapped in
/// by [`Staging::commit`] or removed when dropped uncommitted.
#[derive(Debug)]
pub(super) struct Staging {
    /// The output folder as named.
    folder: PathBuf,
    /// The folder replaced: `folder`, or where it leads if it is a link.
    real: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

/// `folder`, or the folder it leads to if it is a symbolic link to one:
/// the link stays, and the folder it leads to is the one replaced (and
/// locked, so that runs through two links to one folder wait for each
/// other).
fn real_folder(folder: &Path) -> PathBuf {
    match std::fs::symlink_metadata(folder) {
        Ok(m) if m.file_type().is_symlink() && folder.is_dir() => {
            std::fs::canonicalize(folder).unwrap_or_else(|_| folder.to_path_buf())
        }
        _ => folder.to_path_buf(),
    }
}

impl Staging {
    /// A fresh, empty temporary folder beside `folder`, whose lock the caller
    /// holds. Removes what killed runs left beside it first. An existing
    /// `folder` must be a folder capsim may write in.
    pub(super) fn new(folder: &Path) -> Result<Staging, AppError> {
        let real = real_folder(folder);
        let (parent, name) = parent_and_name(&real);
        std::fs::create_dir_all(&parent).map_err(|e| io_err(folder, e))?;
        if let Ok(meta) = std::fs::symlink_metadata(&real) {
            if !meta.is_dir() {
                let e = std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "it exists and is not a folder (nor a link to one)",
                );
                return Err(io_err(folder, e));
            }
            check_writable(&real)?;
        }
        remove_stale(&parent, &name, &process_alive);
        let tmp = parent.join(temp_name(&name, STAGED));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(|e| io_err(&tmp, e))?;
        }
        std::fs::create_dir(&tmp).map_err(|e| io_err(folder, e))?;
        Ok(Staging {
            folder: folder.to_path_buf(),
            real,
            tmp,
            committed: false,
        })
    }

    /// Where to write the files.
    pub(super) fn path(&self) -> &Path {
        &self.tmp
    }

    /// `paths` (written into [`Staging::path`]) as they are named once the
    /// folder is in place.
    pub(super) fn final_paths(&self, paths: Vec<PathBuf>) -> Vec<PathBuf> {
        paths
            .into_iter()
            .map(|p| match p.strip_prefix(&self.tmp) {
                Ok(rel) => self.folder.join(rel),
                Err(_) => p,
            })
            .collect()
    }

    /// Carries over into the new folder every file of the existing one that
    /// capsim did not write (neither listed in its manifest.json nor written
    /// now), then swaps the new folder into place and removes the old one.
    pub(super) fn commit(mut self) -> Result<(), AppError> {
        let (folder, real) = (self.folder.clone(), self.real.clone());
        if real.is_dir() {
            let ours = previous_files(&real);
            carry_over(&real, &self.tmp, Path::new(""), &ours).map_err(|e| io_err(&folder, e))?;
        }
        sync_dir(&self.tmp);
        swap(&self.tmp, &real).map_err(|e| io_err(&folder, e))?;
        self.committed = true;
        let (parent, _) = parent_and_name(&real);
        sync_dir(&parent);
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// An existing folder capsim may not write in (read-only, or not ours to
/// change) is left alone: replacing it whole would bypass its permissions.
fn check_writable(folder: &Path) -> Result<(), AppError> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let Ok(c) = std::ffi::CString::new(folder.as_os_str().as_bytes()) else {
            return Ok(());
        };
        // SAFETY: a valid NUL-terminated path.
        if unsafe { libc::access(c.as_ptr(), libc::W_OK) } != 0 {
            return Err(io_err(folder, std::io::Error::last_os_error()));
        }
    }
    #[cfg(not(unix))]
    {
        if std::fs::metadata(folder).is_ok_and(|m| m.permissions().readonly()) {
            let e = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
            return Err(io_err(folder, e));
        }
    }
    Ok(())
}

/// Puts back the previous folder that the fallback swap of a killed run
/// set aside (`.capsim-NAME.PID.old.tmp`), if `folder` is missing (the run
/// was killed between its two renames): the newest such copy, complete as
/// it was the folder, is renamed into place, so that a later run that is
/// interrupted too, or removes what killed runs left, never leaves no copy
/// at all. Called with `folder`'s lock held, before [`remove_stale`].
/// Best effort.
fn restore_set_aside(folder: &Path) {
    if std::fs::symlink_metadata(folder).is_ok() {
        return;
    }
    let (parent, name) = parent_and_name(folder);
    let newest = leftovers(&parent, &name, &process_alive)
        .into_iter()
        .filter(|l| l.is_dir && l.tag == SET_ASIDE)
        .max_by_key(|l| l.modified);
    if let Some(copy) = newest {
        if std::fs::rename(&copy.path, folder).is_ok() {
            sync_dir(&parent);
        }
    }
}

/// The files capsim wrote into `folder` last time: its manifest.json and
/// every file the manifest lists (nothing else if it has none).
fn previous_files(folder: &Path) -> HashSet<PathBuf> {
    let mut ours = HashSet::from([PathBuf::from(MANIFEST_FILE)]);
    let manifest =
        crate::file::read_bounded(&folder.join(MANIFEST_FILE), crate::file::MAX_OWN_FILE_BYTES)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    if let Some(files) = manifest.as_ref().and_then(|m| m["files"].as_array()) {
        ours.extend(files.iter().filter_map(|f| f.as_str()).map(PathBuf::from));
    }
    ours
}

/// Links (or copies) into `to` every entry below `from/rel` that is not
/// capsim's (`ours`), not a temporary file, and not written anew in `to`.
fn carry_over(from: &Path, to: &Path, rel: &Path, ours: &HashSet<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from.join(rel))? {
        let entry = entry?;
        let name = entry.file_name();
        let r = rel.join(&name);
        let text = name.to_string_lossy();
        if ours.contains(&r) || is_temp(&text) {
            continue;
        }
        let (src, dest) = (from.join(&r), to.join(&r));
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if dest.is_dir() {
                carry_over(from, to, &r, ours)?;
                continue;
            }
            if std::fs::symlink_metadata(&dest).is_ok() {
                continue; // a file written now has the name
            }
            std::fs::create_dir(&dest)?;
            carry_over(from, to, &r, ours)?;
            // A folder that held only capsim's files (charts/) goes with
            // them; an empty one of the user's stays.
            let was_empty = std::fs::read_dir(&src)?.next().is_none();
            if !was_empty && std::fs::read_dir(&dest)?.next().is_none() {
                std::fs::remove_dir(&dest)?;
            } else {
                std::fs::set_permissions(&dest, std::fs::metadata(&src)?.permissions())?;
            }
        } else if std::fs::symlink_metadata(&dest).is_err() {
            if kind.is_symlink() {
                copy_symlink(&src, &dest)?;
            } else if std::fs::hard_link(&src, &dest).is_err() {
                std::fs::copy(&src, &dest)?;
            }
        }
    }
    Ok(())
}

#[cfg(unix)]
fn copy_symlink(src: &Path, dest: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(std::fs::read_link(src)?, dest)
}

#[cfg(not(unix))]
fn copy_symlink(src: &Path, dest: &Path) -> std::io::Result<()> {
    std::fs::copy(src, dest).map(|_| ())
}

/// Puts the folder `new` in place of `folder`. On Linux an existing folder
/// is exchanged with the new one in one step (renameat2 RENAME_EXCHANGE),
/// so `folder` always holds a complete set. Elsewhere, or on a filesystem
/// without it, the old folder is renamed aside and the new one renamed in:
/// between the two renames `folder` does not exist (a reader sees no
/// folder, never a mix). The old folder is then removed.
fn swap(new: &Path, folder: &Path) -> std::io::Result<()> {
    if std::fs::symlink_metadata(folder).is_err() {
        return std::fs::rename(new, folder);
    }
    #[cfg(target_os = "linux")]
    if exchange(new, folder).is_ok() {
        // `new` now holds the previous folder.
        let _ = std::fs::remove_dir_all(new);
        return Ok(());
    }
    let aside = {
        let (parent, name) = parent_and_name(folder);
        parent.join(temp_name(&name, SET_ASIDE))
    };
    std::fs::rename(folder, &aside)?;
    if let Err(e) = std::fs::rename(new, folder) {
        let _ = std::fs::rename(&aside, folder);
        return Err(e);
    }
    let _ = std::fs::remove_dir_all(&aside);
    Ok(())
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: valid NUL-terminated paths relative to the working directory.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Flushes a folder's entries to disk (best effort; not possible everywhere).
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn commit_swaps_in_the_new_files_and_keeps_the_users() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("run");
        write(
            &folder.join(MANIFEST_FILE),
            r#"{"files": ["a.csv", "old.csv", "charts/x.svg"]}"#,
        );
        write(&folder.join("a.csv"), "old a\n");
        write(&folder.join("old.csv"), "old only\n");
        write(&folder.join("charts/x.svg"), "old chart\n");
        write(&folder.join("charts/mine.svg"), "mine\n");
        write(&folder.join("notes.txt"), "notes\n");
        let mut notes = Vec::new();
        let lock = FolderLock::acquire(&folder, &mut notes).unwrap();
        let staging = Staging::new(&folder).unwrap();
        write(
            &staging.path().join(MANIFEST_FILE),
            r#"{"files": ["a.csv"]}"#,
        );
        write(&staging.path().join("a.csv"), "new a\n");
        staging.commit().unwrap();
        drop(lock);
        let read = |r: &str| std::fs::read_to_string(folder.join(r)).ok();
        assert_eq!(read("a.csv").as_deref(), Some("new a\n"));
        assert_eq!(read("old.csv"), None);
        assert_eq!(read("charts/x.svg"), None);
        assert_eq!(read("charts/mine.svg").as_deref(), Some("mine\n"));
        assert_eq!(read("notes.txt").as_deref(), Some("notes\n"));
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["run"]);
        assert!(notes.is_empty());
    }

    /// The pid of a process that has ended.
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    /// A run of the fallback swap killed between its two renames leaves no
    /// folder, the previous one set aside and its own new one: the next
    /// run puts the previous one back as soon as it holds the lock, and
    /// removes the rest only then, so through any number of such
    /// interruptions one complete copy remains.
    #[cfg(unix)]
    #[test]
    fn a_folder_set_aside_by_a_killed_swap_is_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("run");
        for round in 0..3 {
            let pid = dead_pid();
            let aside = dir.path().join(format!(".capsim-run.{pid}.old.tmp"));
            let new = dir.path().join(format!(".capsim-run.{pid}.new.tmp"));
            if round == 0 {
                write(&aside.join(MANIFEST_FILE), r#"{"files": ["a.csv"]}"#);
                write(&aside.join("a.csv"), "old a\n");
            } else {
                // Killed between the renames once more.
                std::fs::rename(&folder, &aside).unwrap();
            }
            write(&new.join("a.csv"), "new a, perhaps half written\n");
            let mut notes = Vec::new();
            let lock = FolderLock::acquire(&folder, &mut notes).unwrap();
            let read = std::fs::read_to_string(folder.join("a.csv")).unwrap();
            assert_eq!(read, "old a\n", "round {round}");
            assert!(!aside.exists());
            // The run is interrupted again before its swap: the staging
            // folder goes, the folder stays.
            let staging = Staging::new(&folder).unwrap();
            assert!(!new.exists());
            drop(staging);
            drop(lock);
            let left: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert_eq!(left, ["run"], "round {round}");
        }
    }

    /// A lock whose pid is alive but started at another time (the pid was
    /// reused) is stale; one whose pid started when it says is not.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_lock_whose_pid_was_reused_is_stale() {
        let mut sleeper = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = sleeper.id();
        let holder = |start: Option<String>| Holder {
            pid: Some(pid),
            host: Some(hostname()),
            start,
            age: Some(Duration::from_secs(1)),
        };
        let now = process_start(pid).unwrap();
        assert!(stale(&holder(Some(now))).is_none());
        let why = stale(&holder(Some("another-boot:1".into()))).unwrap();
        assert!(why.contains("is now another process"), "{why}");
        // A lock from before start times were recorded: the pid decides.
        assert!(stale(&holder(None)).is_none());
        sleeper.kill().unwrap();
        sleeper.wait().unwrap();
        assert!(stale(&holder(None)).unwrap().contains("no longer running"));
    }

    #[test]
    fn an_uncommitted_staging_folder_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("run");
        let staging = Staging::new(&folder).unwrap();
        write(&staging.path().join("a.csv"), "x\n");
        drop(staging);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
