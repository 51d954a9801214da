#!/bin/sh
# Run by the nginx image's entrypoint before nginx starts. A certificate mounted
# at /etc/nginx/certs (fullchain.pem, privkey.pem) is used as it is; without one,
# a self-signed certificate is made once into that directory (a volume), so the
# site answers on HTTPS from the first start. Browsers warn about it: mount the
# organisation's certificate for real use.
set -eu
dir=/etc/nginx/certs
if [ ! -s "$dir/fullchain.pem" ] || [ ! -s "$dir/privkey.pem" ]; then
    mkdir -p "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -days 825 \
        -subj "/CN=${SERVER_NAME:-localhost}" \
        -addext "subjectAltName=DNS:${SERVER_NAME:-localhost}" \
        -keyout "$dir/privkey.pem" -out "$dir/fullchain.pem" 2>/dev/null
    chmod 600 "$dir/privkey.pem"
    echo "ideology: no certificate mounted, made a self-signed one for ${SERVER_NAME:-localhost}"
fi
