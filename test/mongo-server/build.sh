#!/usr/bin/env bash
# Builds ./mongo-server: FerretDB v1 and its SQLite driver (modernc.org/sqlite) with small patches
# (patches/: whole files that replace FerretDB's, and for the driver a new file and a diff; each
# change is marked "OneThing patch"). Go refuses to overlay files in the module cache, so the two
# modules are copied to a temporary directory, patched there, and used through `replace`s in a
# temporary go.mod (-modfile); go.mod, go.sum and the module cache stay untouched.
# No patch changes what a command stores or returns:
#   patches/metadata.go   the _id path expression is written like the _id index's expression,
#                         so SQLite searches the index instead of scanning the table;
#   patches/collection.go _id equality is pushed down even when the filter has other fields
#                         (a compare-and-set {_id, rev}); FerretDB filters the rows again anyway.
#                         An update of one document is one UPDATE statement in SQLite's own
#                         (autocommit) transaction instead of BEGIN; UPDATE; COMMIT: as atomic and
#                         as durable;
#   patches/resource.go   FerretDB's leak detector is off (it recorded a stack in a pprof profile
#                         and set a panicking finalizer for every iterator and transaction: ~8% of
#                         the server's CPU); it only ever panicked, never changed a result;
#   patches/sjson*.go     stored documents are decoded with json.Unmarshal instead of a Decoder
#                         (which copied each document into its buffer first), and string values
#                         are unquoted directly, as encoding/json does, leaving invalid UTF-8 and
#                         UTF-16 surrogates to encoding/json (checked against json.Unmarshal on
#                         400,000 random literals). Valid data decodes the same; only the error
#                         text for a corrupt stored document differs. A document's schema (its
#                         $s field) is decoded once per distinct text and then shared (read only).
#                         sjson_split.go splits a stored object into its members in one pass
#                         (json.Unmarshal scanned it twice and copied every value); each value is
#                         still decoded and checked by its own type, malformed input goes to
#                         json.Unmarshal (checked against it on 100,000 random, partly mangled
#                         objects);
#   patches/clientconn_conn.go  with -serialize (the default) each command runs under one lock, as
#                         it did behind the serialising proxy this replaces (main.go says why): the
#                         same one-at-a-time execution, without a second connection hop per command;
#   patches/msg_update.go a one-document update reads its document and closes the query before it
#                         writes (the iterator gets the same calls; the read sees the same
#                         snapshot), so the command's statements stay on one SQLite connection
#                         instead of a new pooled one per statement, each with a stale page cache.
#                         With commands serialised, an update command without multi-document
#                         statements writes in one SQLite transaction (patches/fsql_*.go: BEGIN
#                         IMMEDIATE on the first statement, COMMIT before the reply; a write that
#                         fails is rolled back to its savepoint, so the writes before it stay, as
#                         they did; statements read the command's earlier writes, as they did
#                         once those were committed). Nothing is acknowledged before COMMIT, and
#                         the results are those of the same writes made one after another. A
#                         batch's statements run to their end if the client goes away (no
#                         goroutine per statement waiting to interrupt it), changing no result;
#   patches/modernc-sqlite-stmtcache.*  the driver keeps each connection's prepared statements
#                         (by SQL text, at most 256) and reuses them after sqlite3_reset and
#                         sqlite3_clear_bindings instead of parsing the SQL of every statement
#                         again (~10% of the server's CPU); a reset statement runs as a new one.
#   patches/modernc-sqlite-json-id.*  `doc->'_id'` (the _id index's expression, evaluated for every
#                         row written) reads a plain string _id from the text instead of turning
#                         the whole document into JSONB first (~12% of the server's CPU); any
#                         other path, argument, escape or _id type takes the full parse as before.
#                         Same answer and subtype (checked against the full parse on 200,000
#                         random, partly mangled objects); the members after _id are not read, so
#                         only text malformed after the key (FerretDB never writes any) differs.
# Used by .ci/run and by launch.ts (when the binary is missing or older than its sources).
set -euo pipefail
cd "$(dirname "$0")"
command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"
export HOME="${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}"

# The patches are for these versions.
for want in github.com/FerretDB/FerretDB@v1.24.2 modernc.org/sqlite@v1.32.0; do
  go mod download "${want%@*}"
  have=$(go list -m -f '{{.Version}}' "${want%@*}")
  if [ "$have" != "${want#*@}" ]; then
    echo "build.sh: the patches are for $want, go.mod has $have; update patches/ first" >&2
    exit 1
  fi
done
mod="$(go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)"
sqlite_mod="$(go list -m -f '{{.Dir}}' modernc.org/sqlite)"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
cp -R "$mod" "$tmp/ferretdb"
chmod -R u+w "$tmp/ferretdb"
cp patches/metadata.go "$tmp/ferretdb/internal/backends/sqlite/metadata/metadata.go"
cp patches/collection.go "$tmp/ferretdb/internal/backends/sqlite/collection.go"
cp patches/resource.go "$tmp/ferretdb/internal/util/resource/resource.go"
cp patches/sjson.go "$tmp/ferretdb/internal/handler/sjson/sjson.go"
cp patches/sjson_document.go "$tmp/ferretdb/internal/handler/sjson/document.go"
cp patches/sjson_string.go "$tmp/ferretdb/internal/handler/sjson/string.go"
cp patches/sjson_split.go "$tmp/ferretdb/internal/handler/sjson/split.go"
cp patches/msg_update.go "$tmp/ferretdb/internal/handler/msg_update.go"
cp patches/clientconn_conn.go "$tmp/ferretdb/internal/clientconn/conn.go"
cp patches/fsql_db.go "$tmp/ferretdb/internal/util/fsql/db.go"
cp patches/fsql_tx.go "$tmp/ferretdb/internal/util/fsql/tx.go"
cp patches/fsql_batch.go "$tmp/ferretdb/internal/util/fsql/batch.go"
cp -R "$sqlite_mod" "$tmp/sqlite"
chmod -R u+w "$tmp/sqlite"
cp patches/modernc-sqlite-stmtcache.go "$tmp/sqlite/stmtcache.go"
(cd "$tmp/sqlite" && git apply "$OLDPWD/patches/modernc-sqlite-stmtcache.diff") # $tmp is in no repository
cp patches/modernc-sqlite-json-id.go "$tmp/sqlite/lib/onething_json_id.go"
(cd "$tmp/sqlite" && git apply "$OLDPWD/patches/modernc-sqlite-json-id.diff")
cp go.mod "$tmp/build.mod"
cp go.sum "$tmp/build.sum"
printf '\nreplace github.com/FerretDB/FerretDB => %s\n' "$tmp/ferretdb" >>"$tmp/build.mod"
printf 'replace modernc.org/sqlite => %s\n' "$tmp/sqlite" >>"$tmp/build.mod"
go build -buildvcs=false -trimpath -modfile "$tmp/build.mod" -o mongo-server .
