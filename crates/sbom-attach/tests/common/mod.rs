//! Images built in tests: layer tars (whiteouts, links), OCI layouts written with
//! `LayoutWriter`, and snapshot filters.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};

use shipgate_oci::LayoutWriter;
use shipgate_oci::spec::{Descriptor, ImageManifest, MediaType};

pub use test_support::layers::{Member, gzip, layer_tar, sha256};

/// Writes an image of gzip layers tagged `latest` into a layout at `dir`; returns the
/// manifest descriptor.
pub fn write_layout(dir: &Path, layers: &[Vec<u8>]) -> Descriptor {
    let mut writer = LayoutWriter::create(dir).unwrap();
    let diff_ids: Vec<String> = layers.iter().map(|l| sha256(l)).collect();
    let config = serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    });
    let config = writer
        .add_blob(
            MediaType::ImageConfig,
            &serde_json::to_vec(&config).unwrap(),
        )
        .unwrap();
    let layer_descriptors = layers
        .iter()
        .map(|l| {
            writer
                .add_blob(MediaType::ImageLayerGzip, &gzip(l))
                .unwrap()
        })
        .collect();
    let manifest: ImageManifest = shipgate_oci::writer::new_manifest(config, layer_descriptors);
    let descriptor = writer.add_manifest(&manifest).unwrap();
    writer.tag(&descriptor, "latest").unwrap();
    descriptor
}

pub const OS_RELEASE: &[u8] = b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n";

pub const STATUS_ABC: &[u8] = b"Package: alpha\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.0-1+deb12u1\nSource: alpha-src (1.0-1)\nDepends: beta (>= 2)\n\nPackage: beta\nStatus: install ok installed\nArchitecture: all\nVersion: 2.0-3\n\nPackage: gamma\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3~rc1\nSource: gamma-src\n";

pub const STATUS_AB: &[u8] = b"Package: alpha\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.0-1+deb12u1\nSource: alpha-src (1.0-1)\nDepends: beta (>= 2)\n\nPackage: beta\nStatus: install ok installed\nArchitecture: all\nVersion: 2.0-3\n\nPackage: gamma\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 3~rc1\n";

pub const COPYRIGHT: &[u8] = b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: GPL-2+\n\nFiles: lib/*\nLicense: BSD-3-clause\n";

/// A three-layer Debian-like image: os-release behind a symbolic link, a dpkg database
/// edited in a later layer (gamma removed), a whiteout removing gamma's files, an
/// opaque folder, and a hard link.
pub fn debian_like(dir: &Path) -> Descriptor {
    use Member::*;
    let base = layer_tar(&[
        Dir("etc"),
        Symlink("etc/os-release", "../usr/lib/os-release"),
        Dir("usr"),
        Dir("usr/lib"),
        File("usr/lib/os-release", OS_RELEASE),
        Dir("usr/share"),
        Dir("usr/share/doc"),
        Dir("usr/share/doc/alpha"),
        File("usr/share/doc/alpha/copyright", COPYRIGHT),
        Symlink("usr/share/doc/beta", "alpha"),
        Dir("var"),
        Dir("var/lib"),
        Dir("var/lib/dpkg"),
        File("var/lib/dpkg/status", STATUS_ABC),
        Dir("var/lib/dpkg/info"),
        File(
            "var/lib/dpkg/info/alpha:amd64.list",
            b"/.\n/usr\n/usr/bin\n/usr/bin/alpha\n",
        ),
        File("var/lib/dpkg/info/gamma:amd64.list", b"/usr/bin/gamma\n"),
        Dir("usr/bin"),
        File("usr/bin/alpha", b"#!/bin/sh\n"),
        File("usr/bin/gamma", b"#!/bin/sh\n"),
        Dir("opt"),
        File("opt/old", b"old"),
    ]);
    let update = layer_tar(&[
        Dir("var"),
        Dir("var/lib"),
        Dir("var/lib/dpkg"),
        File("var/lib/dpkg/status-new", STATUS_AB),
        Hardlink("var/lib/dpkg/status", "var/lib/dpkg/status-new"),
        Dir("var/lib/dpkg/info"),
        File("var/lib/dpkg/info/.wh.gamma:amd64.list", b""),
        Dir("usr"),
        Dir("usr/bin"),
        File("usr/bin/.wh.gamma", b""),
        Dir("opt"),
        File("opt/.wh..wh..opq", b""),
        File("opt/new", b"new"),
    ]);
    write_layout(dir, &[base, update])
}

/// Insta filters replacing a temporary folder by `[TMP]`.
pub fn tmp_filters(dir: &Path) -> Vec<(String, String)> {
    vec![(regex_escape(&dir.display().to_string()), "[TMP]".to_owned())]
}

fn regex_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The deb purls of a CycloneDX document, sorted.
pub fn deb_purls(cyclonedx: &serde_json::Value) -> Vec<String> {
    let mut purls: Vec<String> = cyclonedx["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["purl"].as_str())
        .filter(|p| p.starts_with("pkg:deb/"))
        .map(str::to_owned)
        .collect();
    purls.sort();
    purls
}

/// Output of a finished command: exit code, stdout, stderr.
pub fn run(command: &mut std::process::Command) -> (i32, String, String) {
    let output = command.output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

pub fn path(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}
