//! Reading the files capsim is given or finds: every one is checked for its
//! kind (a regular file, symbolic links followed) and its size (a stated
//! cap) before a byte of it is read, so that a folder, a device such as
//! `/dev/zero`, a pipe that never ends or a file of many gigabytes is
//! refused with a clear message instead of blocking or filling memory.
//! [`read_bounded`] is the one way capsim reads a file whole.

use std::io::Read;
use std::path::Path;

use crate::number::byte_size;

/// Largest scenario file read, bytes (64 MiB). A scenario at every limit
/// (10,000 tranches and contracts, each with comments) is a few MB.
pub const MAX_SCENARIO_BYTES: u64 = 64 << 20;

/// Largest shard state file read, bytes (4 GiB). A state holds the
/// scenario's text (at most 64 MiB), at most 128 MiB of exact values and a
/// sketch per quantity.
pub const MAX_STATE_BYTES: u64 = 4 << 30;

/// Largest file capsim wrote itself and reads back (a lock file, the
/// `manifest.json` of an output folder), bytes (16 MiB).
pub const MAX_OWN_FILE_BYTES: u64 = 16 << 20;

/// Why a file was not read: it is not a regular file, or it is larger than
/// the cap. Carried inside the [`std::io::Error`] that [`read_bounded`]
/// returns; [`refusal`] gets it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Not a regular file: what it is ("a folder", "a character device").
    NotAFile(&'static str),
    /// Larger than the cap.
    TooLarge {
        /// Its size in bytes; `None` when it grew past the cap while read.
        size: Option<u64>,
        /// The cap, bytes.
        cap: u64,
    },
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::NotAFile(kind) => write!(f, "it is {kind}, not a regular file"),
            Refused::TooLarge { size: None, cap } => {
                write!(
                    f,
                    "it is larger than {}; at most that is read",
                    byte_size(*cap)
                )
            }
            Refused::TooLarge {
                size: Some(size),
                cap,
            } => write!(
                f,
                "it is {}; at most {} is read",
                byte_size(*size),
                byte_size(*cap)
            ),
        }
    }
}

impl std::error::Error for Refused {}

/// The [`Refused`] inside `e`, if [`read_bounded`] refused the file.
pub fn refusal(e: &std::io::Error) -> Option<&Refused> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<Refused>())
}

/// The whole of the regular file at `path` (symbolic links followed), if
/// it holds at most `cap` bytes. Its kind and size are checked before it is
/// opened (opening a pipe would block), again once it is open, and at most
/// `cap + 1` bytes are read, so a file that grows meanwhile is refused too.
/// A refusal is an [`std::io::ErrorKind::InvalidInput`] error carrying a
/// [`Refused`].
pub fn read_bounded(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    let size = checked_size(&std::fs::metadata(path)?, cap)?;
    let file = std::fs::File::open(path)?;
    let size = checked_size(&file.metadata()?, cap)?.max(size);
    let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(cap.saturating_add(1)).read_to_end(&mut out)?;
    if out.len() as u64 > cap {
        return Err(refused(Refused::TooLarge { size: None, cap }));
    }
    Ok(out)
}

/// A shard state file: [`read_bounded`] with [`MAX_STATE_BYTES`].
pub fn read_state(path: &Path) -> std::io::Result<Vec<u8>> {
    read_bounded(path, MAX_STATE_BYTES)
}

/// [`read_bounded`] as UTF-8 text; text that is not UTF-8 is an
/// [`std::io::ErrorKind::InvalidData`] error.
pub fn read_text_bounded(path: &Path, cap: u64) -> std::io::Result<String> {
    String::from_utf8(read_bounded(path, cap)?)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()))
}

/// The size `meta` gives if it is a regular file of at most `cap` bytes.
fn checked_size(meta: &std::fs::Metadata, cap: u64) -> std::io::Result<u64> {
    let kind = meta.file_type();
    if !kind.is_file() {
        return Err(refused(Refused::NotAFile(kind_name(kind))));
    }
    if meta.len() > cap {
        return Err(refused(Refused::TooLarge {
            size: Some(meta.len()),
            cap,
        }));
    }
    Ok(meta.len())
}

fn refused(why: Refused) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, why)
}

/// What a file that is not a regular file is, in words.
fn kind_name(kind: std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_fifo() {
            return "a pipe";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    "not a file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_within_the_cap_are_read_and_others_refused() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small");
        std::fs::write(&small, b"a = 1\n").unwrap();
        assert_eq!(read_bounded(&small, 6).unwrap(), b"a = 1\n");
        let e = read_bounded(&small, 5).unwrap_err();
        assert_eq!(
            refusal(&e),
            Some(&Refused::TooLarge {
                size: Some(6),
                cap: 5
            })
        );
        assert_eq!(e.to_string(), "it is 6 bytes; at most 5 bytes is read");
        let e = read_bounded(dir.path(), 5).unwrap_err();
        assert_eq!(refusal(&e), Some(&Refused::NotAFile("a folder")));
        assert_eq!(e.to_string(), "it is a folder, not a regular file");
        let missing = read_bounded(&dir.path().join("missing"), 5).unwrap_err();
        assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
        assert!(refusal(&missing).is_none());
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_pipes_are_refused_without_reading() {
        let e = read_bounded(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert_eq!(
            e.to_string(),
            "it is a character device, not a regular file"
        );
        // A pipe with no writer: opening it would block for ever.
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let e = read_bounded(&fifo, 1 << 20).unwrap_err();
            assert_eq!(refusal(&e), Some(&Refused::NotAFile("a pipe")));
        }
    }
}
