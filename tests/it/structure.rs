//! House rule of ARCHITECTURE.md: no cycles between the top-level modules of
//! `src/`. (The other rule, no function over 120 lines, is clippy's
//! `too_many_lines` with `clippy.toml`.)
//!
//! Each crate root (`src/lib.rs`, `src/main.rs`) declares its top-level
//! modules with `mod name;`; module `name` is `src/name.rs` and everything
//! below `src/name/`. Module `a` uses module `b` when a file of `a` names a
//! path `crate::b` in code (comments and strings do not count), whether as
//! `use crate::b::..`, `use crate::{b::.., ..}` or a path in an expression.
//! The test fails naming each cycle, as `a -> b -> a`. Std only.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::util::files_below;

/// A crate's top-level modules and, for each, the modules it uses.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// `text` without comments and with string and char literals emptied, so
/// that only code is searched for paths.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
                i = end;
            }
            b'r' if matches!(b.get(i + 1), Some(b'"' | b'#')) && starts_token(b, i) => {
                // Raw string r"..." or r#"..."# (br"..." too).
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                let open = i + 1 + hashes;
                if b.get(open) == Some(&b'"') {
                    let close = format!("\"{}", "#".repeat(hashes));
                    let end = text[open + 1..]
                        .find(&close)
                        .map_or(b.len(), |e| open + 1 + e + close.len());
                    out.push_str("\"\"");
                    i = end;
                } else {
                    out.push('r');
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                out.push_str("\"\"");
                i += 1;
            }
            b'\'' if b.get(i + 2) == Some(&b'\'') || b.get(i + 1) == Some(&b'\\') => {
                // Char literal 'x' or '\n' (a lifetime 'a has no closing quote).
                let end = text[i + 2..].find('\'').map_or(b.len(), |e| i + 2 + e + 1);
                out.push_str("' '");
                i = end;
            }
            _ => {
                let c = text[i..].chars().next().expect("char boundary");
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    out
}

/// Whether `b[i]` starts a token: nothing of an identifier before it, but
/// for the `b` of a byte string.
fn starts_token(b: &[u8], i: usize) -> bool {
    let ident_byte = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    match i {
        0 => true,
        1 => !ident_byte(b[0]) || b[0] == b'b',
        _ => !ident_byte(b[i - 1]) || (b[i - 1] == b'b' && !ident_byte(b[i - 2])),
    }
}

/// The identifier at the start of `s`, after white space.
fn ident(s: &str) -> &str {
    let s = s.trim_start();
    let len = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..len]
}

/// The top-level modules that `code` names as `crate::name` or inside
/// `crate::{name::.., ..}`.
fn used_modules(code: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = code[at + "crate::".len()..].trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            // The first identifier of each item at the group's top level.
            let mut depth = 0usize;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        item_start = false;
                        let name = ident(&group[i..]);
                        if !name.is_empty() && name != "self" {
                            used.insert(name.to_string());
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                used.insert(name.to_string());
            }
        }
    }
    used
}

/// The modules that the crate root `root` (a file in `src`) declares, each
/// with the modules its files use (itself and unknown names left out).
fn crate_graph(src: &Path, root: &str) -> Graph {
    let text = std::fs::read_to_string(src.join(root)).expect("read crate root");
    let modules: BTreeSet<String> = code_only(&text)
        .lines()
        .filter_map(|line| {
            let line = line.trim_start();
            let line = line.strip_prefix("pub ").unwrap_or(line);
            let name = line.strip_prefix("mod ")?.strip_suffix(';')?;
            Some(name.trim().to_string())
        })
        .collect();
    let mut graph = Graph::new();
    for file in files_below(src) {
        if file.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let first = file
            .iter()
            .next()
            .expect("non-empty path")
            .to_string_lossy();
        let module = first.strip_suffix(".rs").unwrap_or(&first).to_string();
        if !modules.contains(&module) {
            continue;
        }
        let text = std::fs::read_to_string(src.join(&file)).expect("read source file");
        let uses = graph.entry(module.clone()).or_default();
        for used in used_modules(&code_only(&text)) {
            if used != module && modules.contains(&used) {
                uses.insert(used);
            }
        }
    }
    graph
}

/// Each cycle of `graph`, as the path `a -> b -> .. -> a` through one
/// strongly connected component of two or more modules (Tarjan's algorithm,
/// then a shortest way back to the component's first module).
fn cycles(graph: &Graph) -> Vec<String> {
    struct Tarjan<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        components: Vec<BTreeSet<&'g str>>,
    }
    impl<'g> Tarjan<'g> {
        fn visit(&mut self, v: &'g str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    self.low.insert(v, self.low[v].min(self.low[w]));
                } else if self.stack.contains(&w) {
                    self.low.insert(v, self.low[v].min(self.index[w]));
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = BTreeSet::new();
                while let Some(w) = self.stack.pop() {
                    component.insert(w);
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.components.push(component);
                }
            }
        }
    }
    let mut t = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        components: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.components
        .iter()
        .map(|component| {
            // Breadth-first from the first module back to itself, inside the
            // component.
            let start = *component.first().expect("non-empty component");
            let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
            let mut queue = std::collections::VecDeque::from([start]);
            'search: while let Some(v) = queue.pop_front() {
                for w in graph.get(v).into_iter().flatten() {
                    let w = w.as_str();
                    if !component.contains(w) || came_from.contains_key(w) {
                        continue;
                    }
                    came_from.insert(w, v);
                    if w == start {
                        break 'search;
                    }
                    queue.push_back(w);
                }
            }
            let mut path = vec![start];
            let mut v = came_from[start];
            while v != start {
                path.push(v);
                v = came_from[v];
            }
            path.push(start);
            path.reverse();
            path.join(" -> ")
        })
        .collect()
}

#[test]
fn no_cycles_between_top_level_modules() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for root in ["lib.rs", "main.rs"] {
        let graph = crate_graph(&src, root);
        assert!(graph.len() > 1, "{root}: no modules found");
        let found = cycles(&graph);
        assert!(
            found.is_empty(),
            "module cycles in the crate of src/{root} (ARCHITECTURE.md allows none):\n  {}",
            found.join("\n  ")
        );
    }
}

#[test]
fn the_check_reads_every_form_of_path_and_names_a_cycle() {
    let code = code_only(
        "use crate::{a::X, b::{self, Y}};\n\
         use crate::c;\n\
         // use crate::commented;\n\
         /* crate::blocked */ let s = \"crate::quoted\";\n\
         let v = crate::d::f(r#\"crate::raw\"#, br\"crate::bytes\", 'x');\n\
         let w: &'static str = macro_crate::e;\n",
    );
    let used: Vec<String> = used_modules(&code).into_iter().collect();
    assert_eq!(used, ["a", "b", "c", "d"]);

    let graph: Graph = [
        ("model", &["stats", "month"][..]),
        ("stats", &["runner"]),
        ("runner", &["model"]),
        ("month", &[]),
        ("export", &["export2"]),
        ("export2", &["export"]),
    ]
    .into_iter()
    .map(|(m, uses)| {
        let uses = uses.iter().map(|u| (*u).to_string()).collect();
        (m.to_string(), uses)
    })
    .collect();
    let mut found = cycles(&graph);
    found.sort();
    assert_eq!(
        found,
        [
            "export -> export2 -> export",
            "model -> stats -> runner -> model"
        ]
    );
}
