# syntax=docker/dockerfile:1
# Multi-stage: build with dev dependencies, run with production ones only.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY src ./src
COPY migrations ./migrations
# The dashboard's browser bundle is built here too (prebuild → public/build/).
COPY client ./client
COPY scripts/build-client.cjs ./scripts/
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    EDS_DATA_DIR=/data
WORKDIR /app
RUN groupadd --system eds \
 && useradd --system --gid eds --home-dir /app --shell /usr/sbin/nologin eds \
 && mkdir -p /data \
 && chown eds:eds /data
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY views ./views
COPY public ./public
COPY --from=build /app/public/build ./public/build
USER eds
# Blobs (fs driver), the generated session secret and, without DATABASE_URL,
# the embedded PostgreSQL live here.
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
