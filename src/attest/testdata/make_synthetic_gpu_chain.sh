#!/usr/bin/env bash
# Writes synthetic_gpu_chain.pem (5 certificates, leaf first, shaped like an
# NVIDIA Hopper device chain under a made-up root, with a Hopper FWID
# extension whose FWID is 48 bytes of 0xF1) and synthetic_gpu_leaf_key.hex
# (the leaf's P-384 private scalar). Test data only: the tests pin this root
# instead of NVIDIA's, sign reports with the leaf key, and so reach the
# checks after the report signature (FWID, measurements) with inputs no real
# GPU would produce. Rerun to regenerate (new keys each time).
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fwid=$(printf 'f1%.0s' $(seq 48))
# SEQUENCE { INTEGER 1, SEQUENCE {}, SEQUENCE { OID sha384, OCTET STRING } }
inner="303d""06096086480165030402020430${fwid}"
ext="3044""020101""3000""${inner}"
cat > "$tmp/ext.cnf" <<CNF
[ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always
[leaf]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always
2.23.133.5.4.1=DER:${ext}
CNF
names=("Synthetic Test Root" "SYNTH Identity" "SYNTH Provisioner ICA"
       "GH100 A01 GSP BROM" "GH100 A01 GSP FMC LF")
for i in 0 1 2 3 4; do
  openssl ecparam -name secp384r1 -genkey -noout -out "$tmp/k$i.pem"
done
openssl req -new -x509 -key "$tmp/k0.pem" -subj "/O=Cerumbra Test/CN=${names[0]}" \
  -days 36500 -sha384 -set_serial 1 -extensions ca -config "$tmp/ext.cnf" \
  -out "$tmp/c0.pem" 2>/dev/null
for i in 1 2 3 4; do
  section=ca; [[ $i == 4 ]] && section=leaf
  openssl req -new -key "$tmp/k$i.pem" -subj "/O=Cerumbra Test/CN=${names[$i]}" \
    -config "$tmp/ext.cnf" -out "$tmp/r$i.pem" 2>/dev/null
  openssl x509 -req -in "$tmp/r$i.pem" -CA "$tmp/c$((i-1)).pem" \
    -CAkey "$tmp/k$((i-1)).pem" -set_serial $((1000 + i)) -days 36500 -sha384 \
    -extfile "$tmp/ext.cnf" -extensions $section -out "$tmp/c$i.pem" 2>/dev/null
done
cat "$tmp/c4.pem" "$tmp/c3.pem" "$tmp/c2.pem" "$tmp/c1.pem" "$tmp/c0.pem" \
  > synthetic_gpu_chain.pem
openssl ec -in "$tmp/k4.pem" -text -noout 2>/dev/null |
  awk '/priv:/{p=1;next} /pub:/{p=0} p' | tr -d ' :\n' |
  sed 's/^00\(.\{96\}\)$/\1/' > synthetic_gpu_leaf_key.hex
echo >> synthetic_gpu_leaf_key.hex
