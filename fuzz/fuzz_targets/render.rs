//! Writes structured fuzz inputs (first byte 0xFF) as the TOML the fuzz
//! target feeds to capsim, so that `tests/it/fuzz_corpus.rs` can replay them on
//! stable Rust without `arbitrary`.
//!
//! Usage: render OUT_DIR INPUT...

use std::path::Path;

use arbitrary::{Arbitrary, Unstructured};

mod spec;
use spec::Spec;

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args.next().expect("usage: render OUT_DIR INPUT...");
    std::fs::create_dir_all(&out).expect("output folder");
    let mut written = 0;
    for input in args {
        let data = std::fs::read(&input).expect("input");
        let Some((0xFF, rest)) = data.split_first() else {
            continue;
        };
        let Ok(spec) = Spec::arbitrary(&mut Unstructured::new(rest)) else {
            continue;
        };
        let name = Path::new(&input).file_name().unwrap().to_string_lossy();
        std::fs::write(Path::new(&out).join(format!("{name}.toml")), spec.render())
            .expect("write");
        written += 1;
    }
    eprintln!("render: wrote {written} scenarios to {out}");
}
