# syntax=docker/dockerfile:1

# One image, two roles:
#   API (default)   node --import tsx src/main-api.ts
#   worker          node --import tsx src/main-worker.ts    (docker-compose.yml: `command:`)
# `npx tsx src/main-worker.ts` is equivalent; starting node directly keeps npm out of the process
# tree, so SIGTERM reaches the app (which drains and closes) and nothing writes to ~/.npm.
#
# TypeScript runs through tsx, as in package.json; there is no compile step. The workflow bundle,
# which a worker would otherwise build with webpack at every start, is built once here.
#
# The image needs no Go or Rust: the embedded Temporal dev server and store belong to `npm start`.
# A container must be given TEMPORAL_ADDRESS and MONGODB_URI (docker-compose.yml does).

ARG NODE_IMAGE=node:20-bookworm-slim

# --- dependencies (production only; tsx and typescript are runtime dependencies) ---
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund

# --- workflow bundle (same bundleWorkflows() the worker would run at start) ---
FROM deps AS bundle
COPY tsconfig.json ./
COPY src ./src
COPY api ./api
COPY activities ./activities
COPY workflows ./workflows
RUN node --import tsx -e "require('./src/temporal/worker').bundleWorkflows().then((b) => require('node:fs').writeFileSync('workflow-bundle.js', b.code))"

# --- runtime ---
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    SWITCHBOARD_DATA_DIR=/app/data \
    WORKFLOW_BUNDLE_PATH=/app/workflow-bundle.js
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY api ./api
COPY activities ./activities
COPY workflows ./workflows
COPY --from=bundle /app/workflow-bundle.js ./workflow-bundle.js
# Code stays root-owned and read-only to the app; only the data folder is writable.
RUN mkdir -p /app/data && chown node:node /app/data
USER node

EXPOSE 3000
# The API's /health answers 200 when MongoDB and Temporal both answer. A worker serves no HTTP:
# run it with the health check disabled (docker-compose.yml does; `docker run --no-healthcheck`).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "--import", "tsx", "src/main-api.ts"]
