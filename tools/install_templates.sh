#!/usr/bin/env bash
# Fetch the official GC signature and Canada wordmark artwork into templates/logos/.
#
# The artwork is never committed: it comes from the pinned npm package of the GC Design
# System (MIT), checked against a measured SHA-256. Idempotent: does nothing when the
# files are already there. Without npm (or offline) it still exits 0 and says which
# templates are missing; the logo detector then works with the templates it draws itself.
set -u

PACKAGE="@gcds-core/components@1.3.1"
TARBALL="gcds-core-components-1.3.1.tgz"
SHA256="791c5d55278dc3bfeb6bb07d27eb9e4b639421a682c70da629b9e3bd93836d4b"
ASSETS="package/dist/collection/components/gcds-signature/assets"
NAMES=(sig-blk-en sig-blk-fr wmms-spl-en wmms-spl-fr)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${LOGO_TEMPLATES:-$ROOT/templates/logos}"
mkdir -p "$DEST"

missing() {
    local name out=()
    for name in "${NAMES[@]}"; do
        [ -s "$DEST/$name.svg" ] || out+=("$name.svg")
    done
    echo "${out[@]:-}"
}

if [ -z "$(missing)" ]; then
    echo "install_templates: official logo templates already in $DEST"
    exit 0
fi

give_up() {
    echo "install_templates: $1" >&2
    echo "install_templates: missing templates in $DEST: $(missing)" >&2
    echo "install_templates: the logo check will use only the templates it draws itself" >&2
    exit 0
}

command -v npm >/dev/null 2>&1 || give_up "npm not found"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm pack --silent "$PACKAGE" >/dev/null 2>"$WORK/npm.log") \
    || give_up "npm pack $PACKAGE failed: $(tail -n 3 "$WORK/npm.log")"
[ -f "$WORK/$TARBALL" ] || give_up "npm pack did not produce $TARBALL"

ACTUAL="$(sha256sum "$WORK/$TARBALL" | cut -d' ' -f1)"
[ "$ACTUAL" = "$SHA256" ] || give_up "checksum mismatch for $TARBALL: $ACTUAL"

MEMBERS=()
for name in "${NAMES[@]}"; do MEMBERS+=("$ASSETS/$name.svg"); done
tar -xzf "$WORK/$TARBALL" -C "$WORK" "${MEMBERS[@]}" || give_up "could not extract the SVGs"

for name in "${NAMES[@]}"; do
    install -m 0644 "$WORK/$ASSETS/$name.svg" "$DEST/$name.svg"
done
echo "install_templates: installed ${NAMES[*]} (SVG) into $DEST"
