#!/usr/bin/env bash
# Benchmark: MeshScript's trust rendering against the openssl command sequence that Istio's
# tools/certs Makefile runs for the same mesh (root-ca, then <cluster>-cacerts per cluster).
#
# For each cluster count N and key type, it times
#   meshscript render FILE --out DIR      (one process; intermediate keys generated in parallel)
#   the Makefile's openssl sequence       (one openssl process per step, sequential, as `make` runs it)
# and prints both wall-clock times and their ratio. Outputs of both halves are checked with
# `openssl verify` (outside the timed part), so a fast but wrong run does not count.
#
# Usage: scripts/bench-trust.sh [--openssl-only] [--sizes "1 10 50"] [--keys "rsa4096 ecdsa-p256"]
#   MESHSCRIPT=path/to/meshscript  (default: .build/release/meshscript, rebuilt first)
#
# Notes on fairness: intermediates use 3650 days as MeshScript's spec requires (the Makefile's own
# default INTERMEDIATE_DAYS is 730; the number does not change the cost). The openssl half writes only
# certificates and keys; MeshScript also writes each cluster's cacerts-secret.yaml.

set -euo pipefail

sizes="1 10 50"
keys="rsa4096 ecdsa-p256"
openssl_only=0
while (($#)); do
    case "$1" in
        --openssl-only) openssl_only=1 ;;
        --sizes) sizes="$2"; shift ;;
        --keys) keys="$2"; shift ;;
        -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
        *) echo "bench-trust: unknown argument '$1' (try --help)" >&2; exit 64 ;;
    esac
    shift
done

cd "$(dirname "$0")/.."
meshscript="${MESHSCRIPT:-.build/release/meshscript}"
# Always (re)build the default binary: a stale release build from an older commit would time old code.
if ((!openssl_only)) && [[ -z "${MESHSCRIPT:-}" ]]; then
    echo "building meshscript (release)..." >&2
    meshscript="$(bash scripts/release.sh)" # as the README builds it
fi
if ((!openssl_only)) && [[ ! -x "$meshscript" ]]; then
    echo "bench-trust: no executable meshscript at $meshscript" >&2
    exit 1
fi

scratch="$(mktemp -d "${TMPDIR:-/tmp}/bench-trust.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

# Seconds since the epoch with microseconds (bash 5's EPOCHREALTIME, no subprocess).
now() { printf '%s' "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# Istio's root-ca.conf and <cluster>/intermediate.conf (tools/certs/common.mk): the same request
# settings, different constraints and subject.
write_conf() { # file extensions subject
    cat >"$1" <<CONF
[ req ]
encrypt_key = no
prompt = no
utf8 = yes
default_md = sha256
default_bits = 4096
req_extensions = req_ext
x509_extensions = req_ext
distinguished_name = req_dn
[ req_ext ]
subjectKeyIdentifier = hash
$2
[ req_dn ]
$3
CONF
}

ca_key_usage="keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment, keyCertSign"

write_root_conf() { # file
    write_conf "$1" "basicConstraints = critical, CA:true
$ca_key_usage" "O = Istio
CN = Root CA"
}

write_intermediate_conf() { # file cluster
    write_conf "$1" "basicConstraints = critical, CA:true, pathlen:0
$ca_key_usage
subjectAltName=@san
[ san ]
DNS.1 = istiod.istio-system.svc" "O = Istio
CN = Intermediate CA
L = $2"
}

generate_key() { # key-type out-file
    case "$1" in
        rsa4096) openssl genrsa -out "$2" 4096 2>/dev/null ;;
        ecdsa-p256) openssl ecparam -name prime256v1 -genkey -noout -out "$2" ;;
    esac
}

# The Makefile's recipes, step for step: root-key.pem, root-cert.csr, root-cert.pem, then per
# cluster ca-key.pem, cluster-ca.csr, ca-cert.pem, cert-chain.pem and the root-cert.pem copy.
openssl_sequence() { # key-type n dir
    local key="$1" n="$2" dir="$3" i c
    mkdir -p "$dir"
    (
        cd "$dir"
        write_root_conf root-ca.conf
        generate_key "$key" root-key.pem
        openssl req -new -key root-key.pem -config root-ca.conf -out root-cert.csr
        openssl x509 -req -days 3650 -signkey root-key.pem -extensions req_ext -extfile root-ca.conf \
            -in root-cert.csr -out root-cert.pem 2>/dev/null
        for ((i = 1; i <= n; i++)); do
            c="c$i"
            mkdir -p "$c"
            generate_key "$key" "$c/ca-key.pem"
            write_intermediate_conf "$c/intermediate.conf" "$c"
            openssl req -new -config "$c/intermediate.conf" -key "$c/ca-key.pem" -out "$c/cluster-ca.csr"
            openssl x509 -req -days 3650 -CA root-cert.pem -CAkey root-key.pem -CAcreateserial \
                -extensions req_ext -extfile "$c/intermediate.conf" -in "$c/cluster-ca.csr" -out "$c/ca-cert.pem" 2>/dev/null
            cat "$c/ca-cert.pem" root-cert.pem >"$c/cert-chain.pem"
            cp root-cert.pem "$c/"
        done
    )
}

mesh_script() { # key-type n file
    local key_option i
    case "$1" in
        rsa4096) key_option="key rsa 4096" ;;
        ecdsa-p256) key_option="key ecdsa p256" ;;
    esac
    {
        echo "mesh bench"
        echo "root root < $key_option >"
        for ((i = 1; i <= $2; i++)); do echo "cluster c$i < trust from root >"; done
    } >"$3"
}

# Every cluster's intermediate must chain to the root, or the timing is meaningless.
verify_all() { # dir n
    local i
    for ((i = 1; i <= $2; i++)); do
        if ! openssl verify -CAfile "$1/c$i/root-cert.pem" "$1/c$i/ca-cert.pem" >/dev/null; then
            echo "bench-trust: $1/c$i/ca-cert.pem does not verify" >&2
            return 1
        fi
    done
}

TIMEFORMAT='%R %U %S'
printf '%-6s %-11s %14s %14s %14s %10s\n' "N" "key" "meshscript s" "ms cpu s" "openssl s" "ratio"
printf '%-6s %-11s %14s %14s %14s %10s\n' "------" "-----------" "------------" "------------" "------------" "----------"
for key in $keys; do
    case "$key" in rsa4096 | ecdsa-p256) ;; *) echo "bench-trust: unknown key type '$key'" >&2; exit 64 ;; esac
    for n in $sizes; do
        run="$scratch/$key-$n"
        mkdir -p "$run"

        start=$(now)
        openssl_sequence "$key" "$n" "$run/openssl"
        openssl_time=$(elapsed "$start" "$(now)")
        verify_all "$run/openssl" "$n"

        mesh_time="n/a"
        mesh_cpu="n/a"
        ratio="n/a"
        if ((!openssl_only)); then
            mesh_script "$key" "$n" "$run/bench.mesh"
            # bash's `time` gives real and the CPU time (user + sys) of the render, so the table shows
            # how many cores the parallel key generation really kept busy (cpu / real).
            if { time "$meshscript" render "$run/bench.mesh" --out "$run/meshscript" >"$run/meshscript.log" 2>&1; } 2>"$run/time"; then
                read -r mesh_time user_time sys_time <"$run/time"
                mesh_cpu=$(awk -v u="$user_time" -v s="$sys_time" 'BEGIN { printf "%.3f", u + s }')
                verify_all "$run/meshscript" "$n"
                # How many times faster MeshScript is than the Makefile's openssl sequence.
                ratio=$(awk -v m="$mesh_time" -v o="$openssl_time" 'BEGIN { if (m > 0) printf "%.1fx", o / m; else print "inf" }')
            else
                echo "bench-trust: meshscript render failed for N=$n $key:" >&2
                sed 's/^/  /' "$run/meshscript.log" >&2
                mesh_time="failed"
            fi
        fi
        printf '%-6s %-11s %14s %14s %14s %10s\n' "$n" "$key" "$mesh_time" "$mesh_cpu" "$openssl_time" "$ratio"
        rm -rf "$run"
    done
done
echo "ratio = openssl time / meshscript time (higher is better for MeshScript); ms cpu = meshscript's user + sys CPU time"
