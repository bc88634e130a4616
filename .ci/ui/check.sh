#!/usr/bin/env bash
# Checks Herald's zero-build UI (ui/): JSDoc types with tsc, unit tests with node's test
# runner, and the rules the CSP and the house style set for ui/. Run from anywhere:
#   bash .ci/ui/check.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ui=../../ui

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "check.sh: '$tool' not found; the UI checks need Node.js 20+ with npm" >&2; exit 1; }
done

echo "==> dependencies (typescript, pinned in package-lock.json)"
# npm writes node_modules/.package-lock.json on every install: older than the lock file means stale.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  echo "node_modules is up to date"
fi

echo "==> type check: ui/js/**/*.js with tsc $(npx --no-install tsc --version | sed 's/^Version //') (strict, checkJs)"
npx --no-install tsc -p tsconfig.json
echo "ok"

echo "==> unit tests: node --test .ci/ui/test/"
node --test test/

echo "==> rules for ui/"
failed=0
# rule DESCRIPTION ERE [grep options…]: fails when the pattern occurs in a text file under ui/.
rule() {
  local what=$1 pattern=$2
  shift 2
  local hits
  hits=$(grep -rnIE "$@" -e "$pattern" "$ui" || true)
  if [ -n "$hits" ]; then
    echo "FAIL: $what"
    echo "$hits" | sed 's/^/    /'
    failed=1
  else
    echo "ok:   $what"
  fi
}
# Text from the backend must never be parsed as markup, and no code may be built from strings.
rule "no innerHTML" 'innerHTML'
rule "no outerHTML" 'outerHTML'
rule "no insertAdjacentHTML" 'insertAdjacentHTML'
rule "no document.write" 'document\.write'
rule "no eval(" '(^|[^A-Za-z0-9_$])eval[[:space:]]*\('
rule "no new Function" 'new[[:space:]]+Function([^A-Za-z0-9_$]|$)'
# Everything loads from the app itself (CSP default-src 'self'): no remote code or styles.
rule "no remote src/href" '(src|href)[[:space:]]*=[[:space:]]*["'"'"']?(https?:)?//'
rule "no remote ES module import" '(import|from)[[:space:]]*\(?[[:space:]]*["'"'"'](https?:)?//'
rule "no CSS @import" '@import'
rule "no remote url() in CSS" 'url\([[:space:]]*["'"'"']?(https?:)?//'
# CSP script-src/style-src 'self' would block these silently, so catch them here.
rule "no inline <script> (every script has src=)" '<script([^s>]|s[^r]|sr[^c])*>' --include='*.html'
rule "no <style> element" '<style' --include='*.html'
rule "no style= attribute" '[[:space:]]style[[:space:]]*=' --include='*.html'
rule "no inline on*= event handler" '[[:space:]]on[a-z]+[[:space:]]*=[[:space:]]*["'"'"']' --include='*.html'
rule "no style/on* attribute set from JS" 'setAttribute\([[:space:]]*["'"'"'](style|on[a-z]+)["'"'"']' --include='*.js'
# ipc.js owns the contract with the backend.
rule "window.__TAURI__ only in js/ipc.js" '__TAURI__' --include='*.js' --exclude=ipc.js
# Every module is type-checked.
missing=$(find "$ui/js" -name '*.js' -exec sh -c 'head -n1 "$1" | grep -qx "// @ts-check" || echo "    $1"' _ {} \;)
if [ -n "$missing" ]; then
  echo "FAIL: every ui/js file starts with // @ts-check"
  echo "$missing"
  failed=1
else
  echo "ok:   every ui/js file starts with // @ts-check"
fi

if [ "$failed" -ne 0 ]; then
  echo "check.sh: ui/ breaks the rules above" >&2
  exit 1
fi
echo "==> all UI checks passed"
