# The Metacrypt container image: a build stage that compiles the program
# and its native modules, and a runtime stage with only what runs, as the
# unprivileged user metacrypt (10001:10001), its state in the /data volume.
#
#   docker build -t metacrypt:latest .      (or: npm run docker)
#
# Node 24 because it is the current LTS line, supported the longest; the
# code targets Node 20.19 and later, and its suite passes on 22 and 24
# (their native builds included) as well as on 20. Both
# stages use the same image, so the native modules compiled in the first
# match the Node that loads them in the second.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build

# better-sqlite3 and argon2 are native addons that node-gyp compiles, which
# takes Python, make and a C++ compiler.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*

# Compile the addons here rather than fetch prebuilt binaries: a download
# from outside the npm registry is not covered by the lockfile's integrity
# hashes, and a key vault should run only code that is. node-gyp takes the
# headers of this image's Node from /usr/local instead of downloading them.
# npm warns that it does not know these two settings: they are not its own
# but the install scripts' (prebuild-install, node-gyp-build, node-gyp),
# which read them from the environment.
ENV npm_config_build_from_source=true \
    npm_config_nodedir=/usr/local

WORKDIR /app

# The manifests first: the install is redone only when they change.
COPY package.json package-lock.json ./
RUN npm ci

# The program alone: tsconfig.src.json compiles src/ into dist/src (the
# context has no test/ or bench/), then oclif's manifest is written from it.
COPY tsconfig.json tsconfig.src.json ./
COPY src ./src
RUN npx tsc -p tsconfig.src.json && node dist/src/cli/write-manifest.js

# Development tools (ESLint, Prettier, the test libraries) leave here.
# TypeScript stays: cosmiconfig names it as an optional peer, and npm keeps
# an installed optional peer.
RUN npm prune --omit=dev

# Files read at run time, as they are in the repository.
COPY bin ./bin
COPY migrations ./migrations
COPY views ./views
COPY deploy/examples ./deploy/examples

FROM ${NODE_IMAGE}

# Where the image's source can be had: give it when publishing, with
# --build-arg SOURCE_URL=<the repository's address>.
ARG SOURCE_URL=""

LABEL org.opencontainers.image.title="Metacrypt" \
    org.opencontainers.image.description="A self-hosted key vault behind a REST API" \
    org.opencontainers.image.source="${SOURCE_URL}" \
    org.opencontainers.image.licenses="MIT"

# A fixed UID and GID, so the /data volume can be given to them before the
# first start (chown -R 10001:10001); no home directory, no login shell.
RUN groupadd --gid 10001 metacrypt \
    && useradd --uid 10001 --gid 10001 --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin metacrypt \
    && mkdir /data \
    && chown 10001:10001 /data \
    && chmod 0700 /data

# The program belongs to root and is read-only to metacrypt, which can
# write only to /data (and /tmp).
COPY --from=build /app/package.json /app/package-lock.json /app/
COPY --from=build /app/node_modules /app/node_modules
COPY --from=build /app/dist/src /app/dist/src
COPY --from=build /app/oclif.manifest.json /app/oclif.manifest.json
COPY --from=build /app/bin /app/bin
COPY --from=build /app/migrations /app/migrations
COPY --from=build /app/views /app/views
COPY --from=build /app/deploy/examples /app/deploy/examples

# bin/run.js starts with #!/usr/bin/env node; Node follows the link to it,
# so the program still finds its files under /app.
RUN ln -s /app/bin/run.js /usr/local/bin/metacrypt

ENV NODE_ENV=production \
    METACRYPT_CONFIG=/data/metacrypt.toml

VOLUME /data
WORKDIR /data
EXPOSE 8443

# metacrypt, by number: Kubernetes' runAsNonRoot can check only a number.
USER 10001:10001

# The probe asks GET /v1/status over loopback; any state counts as alive,
# since a sealed vault needs an operator, not a restart. Its own timeout
# (4 s) is below Docker's, so a failure says why.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["node", "/app/bin/healthcheck.js"]

ENTRYPOINT ["metacrypt"]
CMD ["server", "--config", "/data/metacrypt.toml"]
