# shellcheck shell=sh
# start_tls_terminator: serves wss:// on the worker's published port when asked to, with stunnel from
# Debian's packages in front of the worker, which then listens on loopback only. Asked by either
#   NODETOOL_WORKER_TLS_CERT and NODETOOL_WORKER_TLS_KEY: PEM files (a certificate of your own), or
#   NODETOOL_WORKER_TLS_CERT_PEM and NODETOOL_WORKER_TLS_KEY_PEM: the same as values, or
#   NODETOOL_WORKER_TLS=self-signed: a certificate made at first start in NODETOOL_WORKER_TLS_DIR
#     (default /app/tls; put it on a volume to keep one fingerprint across container re-creations).
# Either way the certificate's SHA-256 fingerprint is logged, for clients to pin. Exports the worker's
# inner address (NODETOOL_WORKER_HOST/PORT) for the command that follows. Returns non-zero, saying why,
# on a setting that cannot work.
start_tls_terminator() {
  mode="${NODETOOL_WORKER_TLS:-}"
  cert="${NODETOOL_WORKER_TLS_CERT:-}"
  key="${NODETOOL_WORKER_TLS_KEY:-}"
  # A certificate and key given as values (a platform that passes only environment variables, as
  # `nodetool worker create` does): written to files only this user can read, then used like files.
  if [ -n "${NODETOOL_WORKER_TLS_CERT_PEM:-}${NODETOOL_WORKER_TLS_KEY_PEM:-}" ]; then
    if [ -z "${NODETOOL_WORKER_TLS_CERT_PEM:-}" ] || [ -z "${NODETOOL_WORKER_TLS_KEY_PEM:-}" ]; then
      echo "nodetool worker: NODETOOL_WORKER_TLS_CERT_PEM and NODETOOL_WORKER_TLS_KEY_PEM go together: set both" >&2
      return 1
    fi
    pem_dir="$(mktemp -d)"
    (umask 077 && printf '%s\n' "$NODETOOL_WORKER_TLS_CERT_PEM" >"$pem_dir/cert.pem" && printf '%s\n' "$NODETOOL_WORKER_TLS_KEY_PEM" >"$pem_dir/key.pem")
    unset NODETOOL_WORKER_TLS_CERT_PEM NODETOOL_WORKER_TLS_KEY_PEM
    cert="$pem_dir/cert.pem"
    key="$pem_dir/key.pem"
  fi
  if [ -z "$cert$key" ]; then
    case "$mode" in
      '' | off) return 0 ;;
      self-signed) ;;
      *)
        echo "nodetool worker: NODETOOL_WORKER_TLS must be self-signed or off, got \"$mode\" (or give NODETOOL_WORKER_TLS_CERT and NODETOOL_WORKER_TLS_KEY)" >&2
        return 1
        ;;
    esac
    dir="${NODETOOL_WORKER_TLS_DIR:-/app/tls}"
    cert="$dir/cert.pem"
    key="$dir/key.pem"
    if [ ! -s "$cert" ] || [ ! -s "$key" ]; then
      if ! mkdir -p "$dir" 2>/dev/null; then
        echo "nodetool worker: cannot create NODETOOL_WORKER_TLS_DIR $dir as uid $(id -u)" >&2
        return 1
      fi
      # The key is readable by this user alone.
      if ! (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
        -subj /CN=nodetool-worker -addext subjectAltName=DNS:nodetool-worker -keyout "$key" -out "$cert" 2>/dev/null); then
        echo "nodetool worker: could not make a self-signed certificate in $dir" >&2
        return 1
      fi
      echo "nodetool worker: made a self-signed certificate in $dir" >&2
    fi
  else
    if [ -n "$mode" ] && [ "$mode" != "off" ]; then
      echo "nodetool worker: set NODETOOL_WORKER_TLS=self-signed or NODETOOL_WORKER_TLS_CERT/_KEY, not both" >&2
      return 1
    fi
    for pair in "NODETOOL_WORKER_TLS_CERT=$cert" "NODETOOL_WORKER_TLS_KEY=$key"; do
      if [ -z "${pair#*=}" ]; then
        echo "nodetool worker: ${pair%%=*} is not set: TLS with your own certificate needs both NODETOOL_WORKER_TLS_CERT and NODETOOL_WORKER_TLS_KEY" >&2
        return 1
      fi
    done
    for pair in "NODETOOL_WORKER_TLS_CERT=$cert" "NODETOOL_WORKER_TLS_KEY=$key"; do
      name="${pair%%=*}"
      file="${pair#*=}"
      if [ ! -r "$file" ]; then
        echo "nodetool worker: cannot read $name ($file) as uid $(id -u)" >&2
        return 1
      fi
    done
  fi
  fingerprint="$(openssl x509 -in "$cert" -noout -fingerprint -sha256 2>/dev/null | sed 's/^.*=//')"
  if [ -z "$fingerprint" ]; then
    echo "nodetool worker: $cert is not a PEM certificate" >&2
    return 1
  fi

  public_host="${NODETOOL_WORKER_HOST:-0.0.0.0}"
  public_port="${NODETOOL_WORKER_PORT:-7777}"
  inner_port="${NODETOOL_WORKER_TLS_INNER_PORT:-17777}"
  if [ "$inner_port" = "$public_port" ]; then
    echo "nodetool worker: NODETOOL_WORKER_TLS_INNER_PORT ($inner_port) must differ from the worker port" >&2
    return 1
  fi
  conf_dir="$(mktemp -d)"
  cat >"$conf_dir/stunnel.conf" <<CONF
foreground = yes
pid =
syslog = no
debug = warning
[nodetool-worker]
accept = $public_host:$public_port
connect = 127.0.0.1:$inner_port
cert = $cert
key = $key
sslVersionMin = TLSv1.2
CONF
  stunnel "$conf_dir/stunnel.conf" &
  stunnel_pid=$!
  sleep 0.3
  if ! kill -0 "$stunnel_pid" 2>/dev/null; then
    echo "nodetool worker: stunnel did not start on $public_host:$public_port (its message is above)" >&2
    return 1
  fi
  echo "nodetool worker: TLS on $public_host:$public_port (stunnel), certificate SHA-256 fingerprint $fingerprint" >&2
  echo "nodetool worker: clients pin it with NODETOOL_WORKER_TLS_FINGERPRINT=$fingerprint" >&2
  export NODETOOL_WORKER_HOST=127.0.0.1
  export NODETOOL_WORKER_PORT="$inner_port"
}
