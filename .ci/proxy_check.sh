#!/usr/bin/env bash
# The real proxy, end to end: the repository's Caddyfile in front of gunicorn
# (production settings, PostgreSQL), over HTTPS with Caddy's own local CA.
#
#   bash .ci/proxy_check.sh
#
# Runs on its own (needs caddy, curl, the project's .venv and PostgreSQL on
# 127.0.0.1:5432, user postgres) and is run by .ci/run. Uses DATABASE_URL when
# set, else makes a throwaway database and drops it afterwards. Checks: the
# Caddyfile validates; docker-compose.yml validates (where the compose plugin
# is installed); the app answers over HTTPS; HTTP redirects to HTTPS; HSTS and
# the app's own headers arrive intact; responses are compressed; a body over
# the limit is refused at the proxy without reaching the app; no log line of
# Caddy or gunicorn holds the client's address.
set -euo pipefail
cd "$(dirname "$0")/.."

NAME=crisisline.localhost
CLIENT=127.0.0.77  # requests come from here, so this address must appear in no log
WORK="$(mktemp -d)"
pids=()
own_db=""
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$own_db" ]; then
    psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS \"$own_db\" WITH (FORCE)" || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "proxy check FAILED: $*" >&2; exit 1; }
ok() { echo "  ok: $*"; }
free_port() { .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

command -v caddy >/dev/null || fail "caddy is not installed (apt-get install caddy)"
echo "Caddy $(caddy version)"

# --- The repository's files as they are ---------------------------------------------
DOMAIN=$NAME caddy validate --adapter caddyfile --config Caddyfile >"$WORK/validate.log" 2>&1 \
  || { cat "$WORK/validate.log"; fail "caddy validate Caddyfile"; }
ok "caddy validate Caddyfile"

if docker compose version >/dev/null 2>&1; then
  mkdir "$WORK/compose"
  cp docker-compose.yml Caddyfile "$WORK/compose/"
  cp .env.example "$WORK/compose/.env"
  (cd "$WORK/compose" && DOMAIN=$NAME POSTGRES_PASSWORD=check docker compose config -q) \
    || fail "docker compose config"
  ok "docker compose config"
else
  echo "  skipped: docker compose config (the compose plugin is not installed here)"
fi

# --- gunicorn with production settings on PostgreSQL ---------------------------------
if [ -z "${DATABASE_URL:-}" ]; then
  own_db="crisisline_proxy_$$"
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE \"$own_db\""
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/$own_db"
fi
APP_PORT=$(free_port)
HTTP_PORT=$(free_port)
HTTPS_PORT=$(free_port)
export DATABASE_URL DEBUG=false ALLOWED_HOSTS=$NAME
export CSRF_TRUSTED_ORIGINS="https://$NAME:$HTTPS_PORT"
export VAR_DIR="$WORK/var" KEYRING_DIR="$WORK/keyring" STATIC_ROOT="$WORK/static"
export SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
export KEYRING_MASTER_KEY="$(.venv/bin/python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')"
# Only the proxy (on this host) is believed for X-Forwarded-*.
export TRUSTED_PROXIES=127.0.0.1 FORWARDED_ALLOW_IPS=127.0.0.1
export GUNICORN_BIND="127.0.0.1:$APP_PORT" GUNICORN_WORKERS=2
mkdir -p "$VAR_DIR" "$KEYRING_DIR"
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/gunicorn -c gunicorn.conf.py crisisline.wsgi >"$WORK/gunicorn.log" 2>&1 &
pids+=($!)

# --- Caddy: the repository's Caddyfile, on this host ----------------------------------
# Only what a local run needs changes: the upstream (127.0.0.1 instead of the
# compose service), unprivileged ports, `tls internal` (Caddy's own CA), no
# admin endpoint, and the CA left out of the system's trust store.
sed -e "s/reverse_proxy web:8000/reverse_proxy 127.0.0.1:$APP_PORT/" \
    -e "0,/^{/s//{\n\thttp_port $HTTP_PORT\n\thttps_port $HTTPS_PORT\n\tadmin off\n\tskip_install_trust/" \
    -e "s/^{\$DOMAIN} {/{\$DOMAIN} {\n\ttls internal/" \
    Caddyfile >"$WORK/Caddyfile"
grep -q "reverse_proxy 127.0.0.1:$APP_PORT" "$WORK/Caddyfile" || fail "the Caddyfile's upstream line changed"
grep -q "tls internal" "$WORK/Caddyfile" || fail "the Caddyfile's site line changed"
export DOMAIN=$NAME XDG_DATA_HOME="$WORK/caddy-data" XDG_CONFIG_HOME="$WORK/caddy-config"
caddy validate --adapter caddyfile --config "$WORK/Caddyfile" >"$WORK/validate-local.log" 2>&1 \
  || { cat "$WORK/validate-local.log"; fail "caddy validate (local copy)"; }
caddy run --adapter caddyfile --config "$WORK/Caddyfile" >"$WORK/caddy.log" 2>&1 &
pids+=($!)

ROOT_CA="$XDG_DATA_HOME/caddy/pki/authorities/local/root.crt"
BASE="https://$NAME:$HTTPS_PORT"
tls() {
  curl -sS --interface "$CLIENT" --max-time 15 --cacert "$ROOT_CA" \
    --resolve "$NAME:$HTTPS_PORT:127.0.0.1" "$@"
}
for _ in $(seq 120); do
  [ -f "$ROOT_CA" ] && [ "$(tls -o /dev/null -w '%{http_code}' "$BASE/healthz" 2>/dev/null)" = 200 ] && break
  sleep 0.5
done
[ -f "$ROOT_CA" ] || { cat "$WORK/caddy.log"; fail "Caddy made no local CA"; }

# The app answers over HTTPS, its certificate checked against Caddy's CA.
status=$(tls -o "$WORK/home.html" -w '%{http_code}' "$BASE/")
[ "$status" = 200 ] || { tail -n 20 "$WORK/gunicorn.log" "$WORK/caddy.log"; fail "GET / over HTTPS answered $status"; }
grep -q '<html' "$WORK/home.html" || fail "GET / is not the app's page"
ok "the app answers over HTTPS (certificate from Caddy's local CA)"
[ "$(tls -o /dev/null -w '%{http_code}' "$BASE/healthz")" = 200 ] || fail "/healthz over HTTPS"
ok "/healthz answers 200 through the proxy"

# HTTP redirects to HTTPS.
read -r code location < <(curl -sS --interface "$CLIENT" --max-time 15 -o /dev/null \
  --resolve "$NAME:$HTTP_PORT:127.0.0.1" -w '%{http_code} %{redirect_url}\n' "http://$NAME:$HTTP_PORT/oncall/")
# (Caddy 2.6 leaves a non-standard HTTPS port out of the address; production's is 443.)
[[ "$code" =~ ^30[178]$ && "$location" =~ ^https://$NAME(:$HTTPS_PORT)?/oncall/$ ]] \
  || fail "HTTP answered $code $location"
ok "HTTP redirects to HTTPS ($code)"

# HSTS and the app's headers arrive intact; the response is compressed.
tls -D "$WORK/headers" -o /dev/null -H 'Accept-Encoding: gzip' "$BASE/"
header() { grep -i "^$1:" "$WORK/headers" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
[[ "$(header strict-transport-security)" == max-age=31536000* ]] || fail "HSTS: $(header strict-transport-security)"
[[ "$(header content-security-policy)" == *"default-src 'self'"* ]] || fail "CSP: $(header content-security-policy)"
[[ "$(header content-security-policy)" == *"frame-ancestors 'none'"* ]] || fail "CSP frame-ancestors"
[ "$(header x-content-type-options)" = nosniff ] || fail "nosniff"
[ "$(header referrer-policy)" = same-origin ] || fail "Referrer-Policy: $(header referrer-policy)"
[[ "$(header permissions-policy)" == *"geolocation=()"* ]] || fail "Permissions-Policy: $(header permissions-policy)"
[ "$(header x-frame-options)" = DENY ] || fail "X-Frame-Options: $(header x-frame-options)"
ok "HSTS, CSP, nosniff, Referrer-Policy, Permissions-Policy and X-Frame-Options arrive intact"
[ "$(header content-encoding)" = gzip ] || fail "not compressed: Content-Encoding '$(header content-encoding)'"
ok "responses are compressed (gzip)"
css=$(grep -o '/static/[^"]*\.css' "$WORK/home.html" | head -1)
tls -D "$WORK/headers" -o /dev/null -H 'Accept-Encoding: gzip' "$BASE$css"
[ "$(header content-encoding)" = gzip ] || fail "the stylesheet is not compressed"
[[ "$(header content-security-policy)" == *"sandbox"* ]] || fail "static files lost their CSP"
ok "static files too, with their own CSP"

# A body over the limit (2 MiB; 11 MiB for the bundle import) is refused at the
# proxy with 413, from its Content-Length: the app never sees it. (Over HTTP/1.1:
# curl 7.88 reports the stream Caddy resets after its 413 over HTTP/2 as an error.)
requests_before=$(grep -c '"POST"' "$WORK/gunicorn.log" || true)
head -c $((3 * 1024 * 1024)) /dev/zero >"$WORK/big"
head -c $((12 * 1024 * 1024)) /dev/zero >"$WORK/bigger"
post() {
  tls --http1.1 -o /dev/null -w '%{http_code}' -X POST -H "Content-Type: $1" --data-binary @"$2" "$BASE$3"
}
status=$(post application/octet-stream "$WORK/big" /accounts/login/)
[ "$status" = 413 ] || fail "a 3 MiB form answered $status"
status=$(post application/zip "$WORK/bigger" /protocols/import/)
[ "$status" = 413 ] || fail "a 12 MiB import answered $status"
sleep 1
requests_after=$(grep -c '"POST"' "$WORK/gunicorn.log" || true)
[ "$requests_before" = "$requests_after" ] || { tail -n 5 "$WORK/gunicorn.log"; fail "an oversized body reached gunicorn"; }
status=$(post application/zip "$WORK/big" /protocols/import/)
[ "$status" != 413 ] || fail "a 3 MiB import (under its 11 MiB cap) was refused"
status=$(tls -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
  --data 'username=x&password=y' "$BASE/accounts/login/")
[ "$status" = 403 ] || fail "a small POST without CSRF answered $status, not the app's 403"
ok "bodies over 2 MiB (11 MiB for the import) get 413 from Caddy and never reach the app; smaller ones do"

# No log line holds the client's address (nor Caddy's access-log fields).
sleep 1
kill "${pids[@]}" 2>/dev/null || true
for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
pids=()
grep -n "$CLIENT" "$WORK/caddy.log" "$WORK/gunicorn.log" && fail "a log line holds the client's address"
grep -nE '"(remote_ip|client_ip|remote_addr|user_agent)"' "$WORK/caddy.log" && fail "Caddy logged a client field"
grep -q '"POST"' "$WORK/gunicorn.log" || fail "gunicorn's access log is empty: nothing was checked"
ok "no log line holds the client's address ($(wc -l <"$WORK/caddy.log") Caddy lines, $(wc -l <"$WORK/gunicorn.log") gunicorn lines)"
echo "proxy check passed"
