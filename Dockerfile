# One image for the whole fleet; SERVICE selects which service a container runs.
#   docker build -t linkops:local .   then   docker run -e SERVICE=audit_assess -p 8003:8003 linkops:local
FROM node:20.19.5-bookworm-slim AS deps
ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0 COREPACK_INTEGRITY_KEYS=0
WORKDIR /app
# Manifests first so the dependency layer is cached until a package.json or the lockfile changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages/ ./packages/
COPY services/ ./services/
RUN corepack enable && pnpm install --frozen-lockfile

FROM node:20.19.5-bookworm-slim AS runtime
ARG SERVICE=audit_assess
ENV NODE_ENV=production SERVICE=${SERVICE} HOST=0.0.0.0 DATA_DIR=/data
# git clones audited repositories; python3 checks runes. Pinned to the Debian bookworm versions.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git=1:2.39.5-0+deb12u2 python3=3.11.2-1+b1 ca-certificates=20230311+deb12u1 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=deps --chown=10001:10001 /app /app
RUN mkdir -p /data && chown 10001:10001 /data
USER 10001:10001
EXPOSE 8001 8002 8003 8004 8011 8012 8013 8014
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8003)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "scripts/run-service.mjs"]
