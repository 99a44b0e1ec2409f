# Sourced by scripts: install and start moto (S3, Secrets Manager, SQS) on loopback.
# After `aws_local_start`, AWS_ENDPOINT_URL and dummy credentials point every AWS client at it;
# the server stops when the calling script exits.

MOTO_SPEC='moto[server]>=5.2.5,<6'   # 5.2.1 breaks CompleteMultipartUpload with the Rust SDK

venv_install() {
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  .venv/bin/pip install --quiet --disable-pip-version-check --no-cache-dir "$@"
}

aws_local_start() {
  if [ ! -x .venv/bin/moto_server ]; then
    echo "installing moto into .venv (about a minute, once)" >&2
    venv_install "$MOTO_SPEC"
  fi
  local port
  port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  .venv/bin/moto_server -H 127.0.0.1 -p "$port" >.venv/moto.log 2>&1 &
  MOTO_PID=$!
  trap 'kill $MOTO_PID 2>/dev/null || true' EXIT
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
  unset AWS_PROFILE AWS_SESSION_TOKEN
  for _ in $(seq 1 100); do
    if .venv/bin/python -c "import urllib.request; urllib.request.urlopen('$AWS_ENDPOINT_URL/moto-api/')" 2>/dev/null; then
      echo "moto serving S3, Secrets Manager and SQS at $AWS_ENDPOINT_URL" >&2
      return 0
    fi
    sleep 0.2
  done
  echo "moto did not start; see .venv/moto.log" >&2
  cat .venv/moto.log >&2
  return 1
}
