# levee: overload-protection sidecar proxy, plus levee-load (the demo backend used by
# deploy/docker-compose.yml).
#
#   docker build -t levee .
#   docker run --rm -p 8080:8080 --add-host host.docker.internal:host-gateway \
#              -e LEVEE_UPSTREAM=host.docker.internal:8081 levee      # service on the host
#   docker run ... -e LEVEE_ADMIN=0.0.0.0:9901 -p 127.0.0.1:9901:9901 levee  # reach /metrics
#   docker run --rm -v $PWD/my-levee.yaml:/etc/levee/levee.yaml:ro levee      # your own config
#   docker run --rm --entrypoint levee-load levee backend --listen 0.0.0.0:8081 --workers 8
#
# Config: /etc/levee/levee.yaml (the repository's config/levee.yaml) and /etc/levee/sorry.html.
# Mount your own file over /etc/levee/levee.yaml, or a whole directory over /etc/levee (then
# ship sorry.html too if your config names it). Ports: 8080 proxy, 9901 admin (/metrics,
# /healthz, /readyz). levee drains on SIGTERM for server.drain_timeout (15 s by default), so
# stop it with `docker stop -t 20` / compose `stop_grace_period: 20s`.

# ---------------------------------------------------------------------------------------------
# Build stage: the project's own dependency installer, then a Release build of the two binaries.
FROM debian:12 AS build
WORKDIR /src
# Dependencies first, in their own layer: it is rebuilt only when the installer changes.
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN bash scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY CMakeLists.txt ./
COPY cmake/ cmake/
COPY proxy/ proxy/
COPY loadtest/ loadtest/
# The image has no .git: the commit for levee_build_info comes as a build argument
# (docker build --build-arg LEVEE_COMMIT=$(git rev-parse --short=12 HEAD) ...); empty: no label.
ARG LEVEE_COMMIT=""
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
          -DLEVEE_BUILD_TESTS=OFF -DLEVEE_BUILD_BENCH=OFF -DLEVEE_COMMIT="${LEVEE_COMMIT}" \
 && cmake --build build -j"$(nproc)" --target levee levee-load \
 && mkdir -p /out \
 && strip --strip-unneeded -o /out/levee build/proxy/levee \
 && strip --strip-unneeded -o /out/levee-load build/loadtest/levee-load

# ---------------------------------------------------------------------------------------------
# Runtime stage: only the shared libraries the binaries link (ldd: libyaml-cpp.so.0.7,
# libspdlog.so.1.10, libfmt.so.9, libprometheus-cpp-core.so.1.0, libjemalloc.so.2, libssl.so.3 (TLS), plus libstdc++/libgcc/libc
# which the slim image already has). Boost.Asio/Beast and CLI11 are header-only.
FROM debian:12-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        libspdlog1.10 libfmt9 libyaml-cpp0.7 libprometheus-cpp-core1.0 libjemalloc2 libssl3 \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && groupadd --system --gid 10001 levee \
 && useradd --system --uid 10001 --gid levee --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin levee
COPY --from=build /out/levee /out/levee-load /usr/local/bin/
COPY config/levee.yaml config/sorry.html /etc/levee/
# Fails the build if a shared library is missing or the shipped config does not load.
RUN levee --version && levee check /etc/levee/levee.yaml && levee-load --help >/dev/null

USER levee:levee
EXPOSE 8080 9901
# The admin listener (127.0.0.1:9901 by default) is reachable from inside the container, so
# the check needs no published port. The client is bash's /dev/tcp (bash is Essential in
# Debian, already in the slim image): no curl/wget and their ~10 MB of TLS/LDAP/Kerberos
# libraries. HTTP/1.0 makes the admin server close after the answer; the check passes on a 200
# status line. The port comes from LEVEE_HEALTH_PORT, else from LEVEE_ADMIN (which the shipped
# config reads for the admin address), else 9901.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["bash", "-c", "a=${LEVEE_ADMIN:-127.0.0.1:9901}; exec 3<>/dev/tcp/127.0.0.1/${LEVEE_HEALTH_PORT:-${a##*:}} && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && IFS= read -r -t 2 status <&3 && [[ $status == *' 200 '* ]]"]
ENTRYPOINT ["levee"]
CMD ["--config", "/etc/levee/levee.yaml"]
