# syntax=docker/dockerfile:1
# Multi-stage: compile with the dev dependencies, ship dist/ with production dependencies only.
# Debian slim rather than Alpine: DuckDB's prebuilt native binding targets glibc.
# Node 24, the current LTS (Node 20 reached end of life in April 2026); CI runs the tests on 20.19 and 24.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
# NODE_ENV=production: without DOMO_INSTANCE (or DOMO_BASE_URL) the start fails rather than serve
# the sandbox's demo data (SANDBOX=true asks for it on purpose); introspection and "Did you mean"
# hints are off (INTROSPECTION=true turns introspection on).
# On SIGTERM the gateway drains for SHUTDOWN_TIMEOUT_MS (25 s) and exits: give `docker stop` more
# than that (`docker stop -t 30`; its default is 10 s), as Kubernetes' default 30 s grace period does.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 4000
# /health says the process serves HTTP; /ready (the upstream is reachable) is for load balancers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# --max-semi-space-size=16: Node 20's young generation, which Node 24 sizes from the machine's memory
# (a 520 MB streamed answer grew the process by 277 MB on 24 without it, 182 MB with it).
CMD ["node", "--max-semi-space-size=16", "dist/main.js"]
