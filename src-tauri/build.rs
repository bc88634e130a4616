//! Build script: tauri-build embeds tauri.conf.json, the capabilities and the ui/ folder.

fn main() {
    tauri_build::build()
}
