//! Hashes the migration sources into `PCI_SCHEMA_FINGERPRINT`.
use std::{fs, hash::Hasher, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=src");
    let mut files: Vec<_> = fs::read_dir(Path::new("src"))
        .expect("migration/src is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    // FNV-1a: stable across Rust releases, unlike DefaultHasher.
    let mut h = Fnv(0xcbf29ce484222325);
    for f in files {
        h.write(f.to_string_lossy().as_bytes());
        h.write(&fs::read(&f).expect("migration source is readable"));
    }
    println!("cargo:rustc-env=PCI_SCHEMA_FINGERPRINT={:016x}", h.finish());
}

struct Fnv(u64);
impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x100000001b3);
        }
    }
}
