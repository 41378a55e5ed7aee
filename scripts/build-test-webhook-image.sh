#!/usr/bin/env bash
# Builds .test-images/webhook.tar (bosun.test/webhook:1): an HTTPS admission webhook in a container,
# for e2e tests of webhooks reached through a Service. Debian's socat (OpenSSL build) with the shared
# libraries it links terminates TLS on :8443 with /tls/tls.crt and /tls/tls.key (a Secret volume) and
# runs /handler.sh (busybox sh) per connection. The handler reads one HTTP request carrying an
# AdmissionReview v1 and answers one AdmissionReview v1 response with the request's uid:
#   POST /mutate    allowed, with a base64 JSONPatch adding the label injected-by=webhook-pod
#   POST /validate  refused ("the label team is required") unless the object has a label team
# and closes the connection (Connection: close).
# Idempotent: does nothing when the tarball is newer than this script and /usr/bin/socat.
# Needs: busybox-static, socat, umoci, skopeo.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.test-images
self=scripts/build-test-webhook-image.sh
socat=/usr/bin/socat

[ -x "$socat" ] || { echo "build-test-webhook-image: $socat missing (apt-get install socat)" >&2; exit 1; }
if [ -f "$out/webhook.tar" ] && [ "$out/webhook.tar" -nt "$self" ] && [ "$out/webhook.tar" -nt "$socat" ]; then
  echo "build-test-webhook-image: up to date ($out/webhook.tar)"; exit 0
fi

mkdir -p "$out"
. scripts/lib/test-image.sh
image_begin webhook
image_busybox sh cat sleep ls head grep sed tr base64 printf
image_binary "$socat" socat
cat >"$root/handler.sh" <<'HANDLER'
#!/bin/sh
# One HTTP request in, one AdmissionReview v1 response out (see scripts/build-test-webhook-image.sh).
cr=$(printf '\r')
read -r method path proto
len=0
while IFS= read -r line; do
  line=${line%"$cr"}
  [ -z "$line" ] && break
  case "$line" in [Cc]ontent-[Ll]ength:*) len=${line#*:}; len=${len# } ;; esac
done
body=$(head -c "$len")
# The request's uid is the first "uid" of the review (request.uid precedes the object).
uid=$(printf '%s' "$body" | grep -o '"uid":"[^"]*"' | head -n 1)
case "$path" in
  /mutate*)
    if printf '%s' "$body" | grep -q '"labels":{'; then
      patch='[{"op":"add","path":"/metadata/labels/injected-by","value":"webhook-pod"}]'
    else
      patch='[{"op":"add","path":"/metadata/labels","value":{"injected-by":"webhook-pod"}}]'
    fi
    b64=$(printf '%s' "$patch" | base64 | tr -d '\n')
    resp="{$uid,\"allowed\":true,\"patchType\":\"JSONPatch\",\"patch\":\"$b64\"}" ;;
  /validate*)
    if printf '%s' "$body" | grep -q '"team":'; then
      resp="{$uid,\"allowed\":true}"
    else
      resp="{$uid,\"allowed\":false,\"status\":{\"code\":403,\"message\":\"the label team is required\"}}"
    fi ;;
  *)
    printf 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'; exit 0 ;;
esac
out="{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"response\":$resp}"
printf 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %s\r\nConnection: close\r\n\r\n%s' "${#out}" "$out"
HANDLER
chmod 755 "$root/handler.sh"
image_repack
umoci config --image "$layout:webhook" --no-history \
  --config.env PATH=/bin \
  --config.entrypoint /bin/socat \
  --config.cmd OPENSSL-LISTEN:8443,cert=/tls/tls.crt,key=/tls/tls.key,verify=0,fork,reuseaddr \
  --config.cmd SYSTEM:/handler.sh \
  --config.exposedports 8443/tcp
image_export "$out/webhook.tar" bosun.test/webhook:1
echo "build-test-webhook-image: built $out/webhook.tar (bosun.test/webhook:1)"
