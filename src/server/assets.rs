//! Where the built assets are, and how long browsers may cache them.
//!
//! With `hash-files` on, cargo-leptos names the JS, wasm and CSS after their content and
//! writes the hashes to `hash.txt` beside the binary, so those files can be cached for a
//! year: a new build has new names.

use leptos::config::LeptosOptions;
use std::path::Path;

/// `Cache-Control` for fingerprinted files under `/pkg`.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The stylesheet URL for this build: fingerprinted if `hash.txt` names a CSS hash.
pub fn stylesheet_href(options: &LeptosOptions) -> String {
    let hash = options
        .hash_files
        .then(|| {
            let exe = std::env::current_exe().ok()?;
            let text =
                std::fs::read_to_string(exe.parent()?.join(options.hash_file.as_ref())).ok()?;
            css_hash(&text)
        })
        .flatten();
    stylesheet_path(&options.site_pkg_dir, &options.output_name, hash.as_deref())
}

fn stylesheet_path(pkg_dir: &str, output_name: &str, hash: Option<&str>) -> String {
    match hash {
        Some(hash) => format!("/{pkg_dir}/{output_name}.{hash}.css"),
        None => format!("/{pkg_dir}/{output_name}.css"),
    }
}

fn css_hash(hash_file: &str) -> Option<String> {
    hash_file.lines().find_map(|line| {
        let (kind, hash) = line.split_once(':')?;
        (kind.trim() == "css").then(|| hash.trim().to_owned())
    })
}

/// Whether the site root holds a build (the wasm bundle directory exists).
pub fn site_is_built(options: &LeptosOptions) -> bool {
    Path::new(options.site_root.as_ref())
        .join(options.site_pkg_dir.as_ref())
        .is_dir()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_css_hash_from_the_hash_file() {
        let text = "js: abc123\nwasm: def456\ncss: 0f1e2d\n";
        assert_eq!(css_hash(text).as_deref(), Some("0f1e2d"));
        assert_eq!(
            stylesheet_path("pkg", "revdesk", Some("0f1e2d")),
            "/pkg/revdesk.0f1e2d.css"
        );
    }

    #[test]
    fn falls_back_to_the_plain_name() {
        assert_eq!(css_hash("js: abc\n"), None);
        assert_eq!(stylesheet_path("pkg", "revdesk", None), "/pkg/revdesk.css");
    }
}
